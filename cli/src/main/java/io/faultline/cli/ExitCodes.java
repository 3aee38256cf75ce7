package io.faultline.cli;

import io.faultline.cli.report.Outcome;

/**
 * The exit codes every {@code faultline} command shares, written once: each command's help lists
 * the ones it returns with these texts, {@code faultline --help} the whole convention. 0 is
 * success, 1 a negative answer to the question the command asked (hypothesis not held, attack
 * rejected, deviation found, topic missing), 2 a usage error, bad input or a failure, 3 an
 * experiment aborted. The numbers are {@link Outcome}'s, which {@code run} and {@code demo} return.
 */
final class ExitCodes {

  static final String HEADING = "%nExit codes:%n";

  /** picocli's own code for a usage error is 2 as well; an uncaught exception is mapped to it. */
  static final String USAGE_OR_ERROR =
      "2:usage error, bad input or a failure, named on stderr (e.g. Kafka unreachable)";

  /** The same for a command that needs no broker: its failures are the input's or the disk's. */
  static final String USAGE_OR_ERROR_OFFLINE =
      "2:usage error, bad input or a failure, named on stderr";

  static final String ABORTED =
      "3:aborted (guard, stop condition, analyzer auto-abort, Ctrl-C); the attacks were halted";

  static final String HELP = "0:help printed";

  private ExitCodes() {}
}
