package io.faultline.cli;

import io.faultline.cli.report.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command. */
@Command(
    name = "faultline",
    mixinStandardHelpOptions = true,
    version = "faultline 0.1.0",
    header = "Chaos experiments on Kafka, with a verdict, MTTD and MTTR.",
    exitCodeListHeading = "%nExit codes (each command's help says what they mean for it):%n",
    exitCodeList = {
      "0:success (hypothesis held, attack started, report written, ...)",
      "1:a negative answer: hypothesis not held, attack rejected, deviation, topic missing",
      ExitCodes.USAGE_OR_ERROR,
      ExitCodes.ABORTED
    },
    description = {
      "Attack an experimental group, compare it with a control group, and get a verdict.",
      "'faultline demo' runs one experiment on this machine; 'faultline COMMAND --help' tells more."
    },
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      ValidateCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      ReportCommand.class,
      AttackCommandLine.Attack.class,
      AttackCommandLine.Halt.class,
      FaultsCommand.class,
      AnalyzeCommand.class,
      TopicsCommand.class,
      TailCommand.class,
      SchemasCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FaultlineCli implements Runnable {

  static {
    // our own logging configuration, by name: other jars on the classpath carry a logback.xml
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "faultline-cli-logback.xml");
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * The command line with what annotations cannot hold: descriptions as paragraphs, the fault table
   * in attack --help, the scenarios in demo --help, the help command's exit codes, and exit code 2
   * (not picocli's 1, which means "not held") with the message on stderr when a command fails with
   * an exception it did not expect.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FaultlineCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println("faultline " + commandLine.getCommandName() + ": " + e.getMessage());
          LoggerFactory.getLogger(FaultlineCli.class)
              .warn("faultline {} failed", commandLine.getCommandName(), e);
          return Outcome.ERROR;
        });
    cli.getSubcommands()
        .get("help")
        .getCommandSpec()
        .usageMessage()
        .exitCodeListHeading(ExitCodes.HEADING)
        .exitCodeList(exitCodes(ExitCodes.HELP, ExitCodes.USAGE_OR_ERROR));
    reflowDescriptions(cli);
    cli.getSubcommands()
        .get("attack")
        .getCommandSpec()
        .usageMessage()
        .footerHeading("%nFaults, with their parameters (faultline faults tells more):%n")
        .footer(FaultsCommand.summary().replace("%", "%%").split("\n"));
    DemoCommand.describeScenarios(cli.getSubcommands().get("demo"));
    return cli;
  }

  /**
   * Each command's description as paragraphs for picocli to wrap at the help's width: the source
   * writes them as lines of up to 100 characters, which the 80-column help broke mid-sentence. A
   * line ending with a full stop ends a paragraph.
   */
  static void reflowDescriptions(CommandLine c) {
    var usage = c.getCommandSpec().usageMessage();
    usage.description(paragraphs(usage.description()));
    c.getSubcommands().values().forEach(FaultlineCli::reflowDescriptions);
  }

  static String[] paragraphs(String[] lines) {
    List<String> out = new ArrayList<>();
    StringBuilder p = new StringBuilder();
    for (String line : lines) {
      p.append(p.length() == 0 ? "" : " ").append(line.strip());
      if (line.strip().endsWith(".")) {
        out.add(p.toString());
        p.setLength(0);
      }
    }
    if (p.length() > 0) {
      out.add(p.toString());
    }
    return out.toArray(String[]::new);
  }

  private static Map<String, String> exitCodes(String... lines) {
    Map<String, String> codes = new LinkedHashMap<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      codes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    return codes;
  }

  public static void main(String[] args) {
    // Before any logger exists: the full log goes to a file, the terminal shows progress.
    if (System.getProperty("faultline.log.file") == null) {
      System.setProperty(
          "faultline.log.file", Path.of(".faultline", "faultline.log").toAbsolutePath().toString());
    }
    System.setProperty("faultline.cli.main", "true");
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
