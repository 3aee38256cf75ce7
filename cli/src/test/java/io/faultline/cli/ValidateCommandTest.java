package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** validate, run --dry-run and attack check everything before any broker is asked. */
class ValidateCommandTest {

  private static final Path EXAMPLES = Path.of("..", "examples");
  // nothing listens here: a test that passes never tried it
  private static final String NO_BROKER = "127.0.0.1:1";

  @TempDir Path dir;

  private Path broken() throws Exception {
    return Files.writeString(
        dir.resolve("broken.yaml"),
        """
        metadata: {name: broken}
        groups:
          platform: local
          control: {processes: [ctl]}
          experimental: {processes: [exp]}
        steadyState:
          warmup: 10s
          window: 5s
          metrics:
            - {name: http.latency.ms, source: http-probe, direction: increase}
        method:
          - fault: cpu-burn
            parameters: {corez: 8}
            duration: 5s
          - fault: disk-io-pressure
            duration: 5s
        """);
  }

  @Test
  void validExampleIsValidAndItsPlanPrinted() {
    Printed printed =
        execute(
            new ValidateCommand(),
            EXAMPLES.resolve("local-demo.yaml").toString(),
            EXAMPLES.resolve("zone-outage.yaml").toString());
    assertThat(printed.code()).as(printed.toString()).isZero();
    assertThat(printed.out())
        .contains("local-demo.yaml: valid")
        .contains("zone-outage.yaml: valid");
    assertThat(printed.out()).contains("cpu-burn").contains("ec2-zone-outage");
    assertThat(printed.err()).isEmpty();
  }

  @Test
  void invalidFileExitsTwoListingEveryErrorWithItsPath() throws Exception {
    Printed printed =
        execute(
            new ValidateCommand(),
            broken().toString(),
            EXAMPLES.resolve("local-demo.yaml").toString(),
            "--output",
            "json");
    assertThat(printed.code()).isEqualTo(2);
    // the JSON document is the result, errors and all: stdout, nothing on stderr
    assertThat(printed.err()).isEmpty();
    var results = new ObjectMapper().readTree(printed.out());
    assertThat(results.get(0).get("valid").asBoolean()).isFalse();
    assertThat(results.get(0).get("errors").toString())
        .contains("method[0].parameters.corez: unknown parameter of cpu-burn; did you mean cores?")
        .contains("method[1].fault: 'disk-io-pressure' is not a fault; did you mean disk-io?");
    assertThat(results.get(1).get("valid").asBoolean()).isTrue();
  }

  @Test
  void inTextTheErrorsGoToStderrAndThePlansToStdout() throws Exception {
    Path broken = broken();
    Printed printed =
        execute(
            new ValidateCommand(),
            broken.toString(),
            EXAMPLES.resolve("local-demo.yaml").toString());
    assertThat(printed.code()).isEqualTo(2);
    assertThat(printed.err())
        .startsWith(broken + ": 2 error(s)")
        .contains("method[0].parameters.corez: unknown parameter of cpu-burn")
        .doesNotContain("local-demo.yaml");
    assertThat(printed.out())
        .startsWith("../examples/local-demo.yaml: valid")
        .doesNotContain("corez");
    assertThat(execute(new ValidateCommand(), broken.toString(), "--output", "yaml"))
        .isEqualTo(new Printed(2, "", "faultline validate: --output 'yaml': must be text or json"));
  }

  @Test
  void aYamlSyntaxErrorExitsTwoNamingTheFileLineAndColumnWithoutAStackTrace() throws Exception {
    Path tabs = Files.writeString(dir.resolve("tabs.yaml"), "metadata:\n\tname: x\n");
    assertThat(execute(new ValidateCommand(), tabs.toString()))
        .isEqualTo(
            new Printed(
                2,
                "",
                tabs
                    + ": 1 error(s)\n  not valid YAML at line 2, column 1: a tab; YAML indents with"
                    + " spaces only"));
  }

  @Test
  void runDryRunNeedsNoBroker() {
    Printed printed =
        execute(
            new RunCommand(),
            EXAMPLES.resolve("pod-attacks.yaml").toString(),
            "--dry-run",
            "--bootstrap-server",
            NO_BROKER);
    assertThat(printed.code()).as(printed.toString()).isZero();
    assertThat(printed.out())
        .contains("would send START pod-delete pod")
        .contains("{gracePeriodSeconds=0}")
        .contains("DRY RUN: the file is valid; nothing was sent");
    assertThat(printed.err()).isEmpty();
  }

  @Test
  void runPrintsAnInvalidFilesErrorsOnStderrAndNothingOnStdout() throws Exception {
    Path broken = broken();
    Printed printed = execute(new RunCommand(), broken.toString(), "--dry-run");
    assertThat(printed.code()).isEqualTo(2);
    assertThat(printed.out()).isEmpty();
    assertThat(printed.err())
        .startsWith("faultline run: " + broken + ": 2 error(s)")
        .contains("method[1].fault: 'disk-io-pressure' is not a fault; did you mean disk-io?");
  }

  @Test
  void anExperimentIdTheAnalyzerCannotKeyIsRefusedBeforeAnyBroker() {
    String allowed = "must be 1 to 128 characters, not blank, without | or control characters";
    for (String id : new String[] {"", "   ", "exp|1", "a\nb", "x".repeat(129)}) {
      String shown = id.length() > 64 ? "x".repeat(64) + "... (129 characters)" : id;
      shown = shown.replace('\n', '?');
      String demo = EXAMPLES.resolve("local-demo.yaml").toString();
      assertThat(execute(new RunCommand(), demo, "--dry-run", "--experiment-id", id))
          .isEqualTo(
              new Printed(2, "", "faultline run --experiment-id '" + shown + "': " + allowed));
      assertThat(attack("--experiment", id))
          .isEqualTo(
              new Printed(2, "", "faultline attack: --experiment '" + shown + "': " + allowed));
      assertThat(halt(id, "--bootstrap-server", NO_BROKER))
          .isEqualTo(new Printed(2, "", "faultline halt: EXPERIMENT '" + shown + "': " + allowed));
      assertThat(report(id, "--bootstrap-server", NO_BROKER))
          .isEqualTo(
              new Printed(2, "", "faultline report: EXPERIMENT '" + shown + "': " + allowed));
    }
  }

  @Test
  void schemasExportRefusesAnEmptyDirOrAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Object[][] cases = {
      {"", "faultline schemas export: DIR '': give a directory to write into"},
      {
        file.toString(),
        "faultline schemas export: DIR "
            + file
            + ": a file, not a directory; give a directory to write into"
      }
    };
    for (Object[] c : cases) {
      assertThat(execute(new SchemasCommand.Export(), (String) c[0]))
          .isEqualTo(new Printed(2, "", (String) c[1]));
    }
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  /** cpu-burn on exp (for 5s unless {@code more} says), against no broker, with {@code more}. */
  private static Printed attack(String... more) {
    List<String> args =
        new ArrayList<>(List.of("cpu-burn", "--target", "exp", "--bootstrap-server", NO_BROKER));
    if (!List.of(more).contains("--duration")) {
      args.addAll(List.of("--duration", "5s"));
    }
    return execute(new AttackCommandLine.Attack(), args.toArray(String[]::new), more);
  }

  @Test
  void attackRefusesAMistypedParameterOrFaultBeforeAnyBroker() {
    assertThat(attack("--param", "corez=8"))
        .isEqualTo(
            new Printed(
                2,
                "",
                "faultline attack: --param corez: unknown parameter of cpu-burn; did you mean"
                    + " cores?"));
    assertThat(
            execute(
                new AttackCommandLine.Attack(),
                "cpu-brun",
                "--target",
                "exp",
                "--duration",
                "5s",
                "--bootstrap-server",
                NO_BROKER))
        .isEqualTo(
            new Printed(
                2,
                "",
                "faultline attack: 'cpu-brun' is not a fault; did you mean cpu-burn?; faultline"
                    + " faults lists them"));
  }

  @Test
  void attackRefusesAnUnknownModeBeforeAnyBroker() {
    String allowed =
        "must be one, all, fixed:N (N from 1), percent:P or random-max-percent:P (P a whole"
            + " number from 1 to 100)";
    for (String mode :
        new String[] {"some", "fixed:0", "percent:150", "fixed:x", "", "percent:12.5"}) {
      assertThat(attack("--mode", mode))
          .as(mode)
          .isEqualTo(new Printed(2, "", "faultline attack: --mode '" + mode + "': " + allowed));
    }
  }

  @Test
  void attackRefusesADurationOrTimeoutOutOfRangeBeforeAnyBroker() {
    for (String[] option :
        new String[][] {
          {"--duration", "0s", "faultline attack: --duration 0s: must be between 1s and 1h"},
          {"--duration", "2h", "faultline attack: --duration 2h: must be between 1s and 1h"},
          {"--timeout", "0s", "faultline attack: --timeout 0s: must be between 1s and 1h"}
        }) {
      assertThat(attack(option[0], option[1]))
          .as(option[2])
          .isEqualTo(new Printed(2, "", option[2]));
    }
  }

  /** Every out-of-range or unreadable wait, and the refusal each command prints for it. */
  private static final String[][] TIMEOUTS = {
    {"0s", "--timeout 0s: must be between 1s and 1h"},
    {"2h", "--timeout 2h: must be between 1s and 1h"},
    {
      "999999999999999999h",
      "--timeout '999999999999999999h': not a duration; use e.g. 500ms," + " 30s, 5m, 1h or PT30S"
    },
    {"PT-5S", "--timeout 'PT-5S': must not be negative"},
    {"-5s", "--timeout '-5s': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S"},
    {"", "--timeout '': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S"}
  };

  @Test
  void statusHistoryReportAndHaltRefuseATimeoutOutOfRangeBeforeAnyBroker() {
    for (String[] timeout : TIMEOUTS) {
      String[] wait = {"--timeout", timeout[0], "--bootstrap-server", NO_BROKER};
      // refusals go to stderr, so a script reading stdout (--output json) gets nothing
      assertThat(status(wait)).isEqualTo(new Printed(2, "", "faultline status: " + timeout[1]));
      assertThat(history(wait)).isEqualTo(new Printed(2, "", "faultline history: " + timeout[1]));
      assertThat(report(with("x", wait)))
          .isEqualTo(new Printed(2, "", "faultline report: " + timeout[1]));
      assertThat(halt(with("x", with("--wait", wait))))
          .isEqualTo(new Printed(2, "", "faultline halt: " + timeout[1]));
    }
  }

  /** What a command returned and printed (each stream stripped). */
  private record Printed(int code, String out, String err) {}

  /**
   * Runs {@code command} with {@code args}, its {@code out} and {@code err} fields (those it has)
   * set to buffers; picocli's own messages (a usage error, an unexpected exception's trace) land in
   * err too.
   */
  private static Printed execute(Object command, String[] args, String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int streams = 0;
    for (var stream : new Object[][] {{"out", out}, {"err", err}}) {
      try {
        var field = command.getClass().getDeclaredField((String) stream[0]);
        field.set(
            command,
            new PrintStream((ByteArrayOutputStream) stream[1], true, StandardCharsets.UTF_8));
        streams++;
      } catch (NoSuchFieldException e) {
        // a command without that stream
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    assertThat(streams).as("%s has out or err", command.getClass()).isPositive();
    int code =
        new CommandLine(command)
            .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
            .execute(with(args, more));
    return new Printed(
        code,
        out.toString(StandardCharsets.UTF_8).strip(),
        err.toString(StandardCharsets.UTF_8).strip());
  }

  private static Printed execute(Object command, String... args) {
    return execute(command, args, new String[0]);
  }

  private static Printed status(String... args) {
    return execute(new StatusCommand(), args);
  }

  private static Printed history(String... args) {
    return execute(new HistoryCommand(), args);
  }

  private static Printed report(String... args) {
    return execute(new ReportCommand(), args);
  }

  private static Printed halt(String... args) {
    return execute(new AttackCommandLine.Halt(), args);
  }

  private static String[] with(String[] first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  private static String[] with(String first, String... rest) {
    return with(new String[] {first}, rest);
  }

  @Test
  void statusRefusesAnAgentsSinceBeyondWhatAttackEventsKeeps() {
    for (String[] since :
        new String[][] {
          {"721h", "--agents-since 721h: must be between 1s and 720h"},
          {"0s", "--agents-since 0s: must be between 1s and 720h"},
          {
            "yesterday",
            "--agents-since 'yesterday': not a duration; use e.g. 500ms, 30s, 5m, 1h" + " or PT30S"
          }
        }) {
      assertThat(status("--agents-since", since[0], "--bootstrap-server", NO_BROKER))
          .isEqualTo(new Printed(2, "", "faultline status: " + since[1]));
    }
  }

  @Test
  void reportFromARecordingThatIsNotAFileSaysSo() {
    for (var bad :
        java.util.Map.of(dir.resolve("absent.recording"), ": no such file", dir, ": a directory")
            .entrySet()) {
      assertThat(report("x", "--from-recording", bad.getKey().toString(), "--output", "json"))
          .isEqualTo(
              new Printed(
                  2,
                  "",
                  "faultline report: --from-recording "
                      + bad.getKey()
                      + bad.getValue()
                      + "; give a file that --save-recording wrote"));
    }
  }
}
