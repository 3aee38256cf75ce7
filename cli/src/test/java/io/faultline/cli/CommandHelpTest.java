package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/** Every command's help has a header, its exit codes and --help; options are named alike. */
class CommandHelpTest {

  /** faultline and every command under it, depth first. */
  private static List<CommandLine> everyCommand() {
    List<CommandLine> all = new ArrayList<>();
    List<CommandLine> todo = new ArrayList<>(List.of(FaultlineCli.commandLine()));
    while (!todo.isEmpty()) {
      CommandLine c = todo.remove(0);
      all.add(c);
      todo.addAll(c.getSubcommands().values());
    }
    return all;
  }

  private static String name(CommandLine c) {
    return c.getCommandSpec().qualifiedName();
  }

  @Test
  void everyCommandsUsageHasAHeaderAndItsExitCodes() {
    List<CommandLine> commands = everyCommand();
    assertThat(commands).hasSizeGreaterThan(12);
    for (CommandLine c : commands) {
      var usage = c.getCommandSpec().usageMessage();
      String text = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
      assertThat(usage.header()).as("%s: header", name(c)).isNotEmpty();
      assertThat(text).as(name(c)).startsWith(usage.header()[0] + System.lineSeparator());
      assertThat(usage.exitCodeList()).as("%s: exit codes", name(c)).containsKey("2");
      assertThat(usage.exitCodeList().keySet())
          .as("%s: the shared codes only", name(c))
          .isSubsetOf("0", "1", "2", "3");
      assertThat(text).as(name(c)).contains("Exit codes").containsPattern("(?m)^\\s+2\\s+\\S");
      // written once: in the exit code list, not again in the description
      assertThat(String.join("\n", usage.description()))
          .as(name(c))
          .doesNotContainIgnoringCase("exit code");
    }
  }

  @Test
  void descriptionsAreParagraphsThatTheHelpWrapsBetweenWords() {
    assertThat(
            FaultlineCli.paragraphs(new String[] {"Run a file: publish", "it.", "Ctrl-C halts."}))
        .containsExactly("Run a file: publish it.", "Ctrl-C halts.");
    String run = FaultlineCli.commandLine().getSubcommands().get("run").getUsageMessage();
    assertThat(run).contains("attacks on schedule, follow steadystate");
    for (CommandLine c : everyCommand()) {
      String[] description = c.getCommandSpec().usageMessage().description();
      for (int i = 0; i + 1 < description.length; i++) {
        assertThat(description[i]).as("%s: a paragraph ends a sentence", name(c)).endsWith(".");
      }
    }
  }

  @Test
  void commandsWithoutABrokerDoNotBlameKafka() {
    for (String command : List.of("faults", "analyze", "completion", "schemas")) {
      assertThat(FaultlineCli.commandLine().getSubcommands().get(command).getUsageMessage())
          .as(command)
          .doesNotContain("Kafka unreachable");
    }
  }

  @Test
  void everyCommandTakesHelp() {
    for (CommandLine c : everyCommand()) {
      if (c.getCommandName().equals("help")) {
        continue;
      }
      List<String> args = new ArrayList<>(List.of(name(c).split(" ")));
      args.remove(0);
      args.add("--help");
      StringWriter out = new StringWriter();
      CommandLine cli = FaultlineCli.commandLine();
      cli.setOut(new PrintWriter(out, true));
      assertThat(cli.execute(args.toArray(String[]::new))).as(name(c)).isZero();
      assertThat(out.toString()).as(name(c)).contains("Usage: " + name(c));
    }
  }

  @Test
  void theOutputFormatIsOneOptionNameEverywhere() {
    List<String> withOutput = new ArrayList<>();
    for (CommandLine c : everyCommand()) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!o.hidden() && Set.of(o.names()).contains("--format")) {
          throw new AssertionError(name(c) + " shows --format: the option is --output");
        }
        if (Set.of(o.names()).contains("--output")) {
          assertThat(o.names()).as(name(c)).containsExactly("--output");
          assertThat(o.paramLabel()).as(name(c)).isEqualTo("FORMAT");
          withOutput.add(c.getCommandName());
        }
      }
    }
    assertThat(withOutput).contains("analyze", "faults", "report", "status", "validate");
  }

  @Test
  void theOldFormatOptionOfAnalyzeStillWorks() {
    AnalyzeCommand analyze = new AnalyzeCommand();
    new CommandLine(analyze)
        .parseArgs("--control", "c.csv", "--experiment", "e.csv", "--format", "json");
    assertThat(analyze.format).isEqualTo("json");
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("kaput");
    }
  }

  @Test
  void aCommandFailingUnexpectedlyExitsTwoNamingTheProblem() {
    CommandLine cli = FaultlineCli.commandLine();
    cli.addSubcommand(new CommandLine(new Boom()));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute("boom")).isEqualTo(2);
    assertThat(err.toString()).contains("faultline boom: kaput");
    // and a usage error is 2 too
    assertThat(cli.execute("run", "--no-such-option")).isEqualTo(2);
  }
}
