package io.faultline.cli;

import io.faultline.cli.report.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C and SIGTERM stop a run through {@link ExperimentRunner#abort}, so its attacks are halted
 * and its platform stopped before the process exits. Only the real command line owns the process's
 * signals (not a test runner's JVM); closing restores the previous handlers.
 */
final class SignalAbort implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SignalAbort.class);

  private final Map<String, Object> previous = new HashMap<>();

  @SuppressWarnings("restriction")
  SignalAbort(ExperimentRunner runner) {
    if (!Boolean.getBoolean("faultline.cli.main")) {
      return;
    }
    for (String name : List.of("INT", "TERM")) {
      try {
        previous.put(
            name,
            sun.misc.Signal.handle(
                new sun.misc.Signal(name),
                s -> runner.abort("interrupted by SIG" + name, Outcome.ABORTED)));
      } catch (RuntimeException | LinkageError e) {
        log.debug("no {} handler: {}", name, e.toString());
      }
    }
  }

  @Override
  @SuppressWarnings("restriction")
  public void close() {
    previous.forEach(
        (name, handler) -> {
          try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), (sun.misc.SignalHandler) handler);
          } catch (RuntimeException | LinkageError e) {
            log.debug("cannot restore {}: {}", name, e.toString());
          }
        });
  }
}
