package io.faultline.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command. */
@Command(
    name = "faultline",
    mixinStandardHelpOptions = true,
    version = "faultline 0.1.0",
    description = {
      "Chaos experiments on Kafka: attack an experimental group, compare it with",
      "a control group, and get a verdict with MTTD and MTTR."
    },
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      ValidateCommand.class,
      StatusCommand.class,
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

  /** The command line with what annotations cannot hold: the fault table in attack --help. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FaultlineCli());
    cli.getSubcommands()
        .get("attack")
        .getCommandSpec()
        .usageMessage()
        .footerHeading("%nFaults, with their parameters (faultline faults tells more):%n")
        .footer(FaultsCommand.summary().replace("%", "%%").split("\n"));
    return cli;
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
