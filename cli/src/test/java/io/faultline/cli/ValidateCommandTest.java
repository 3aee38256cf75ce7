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
import java.util.function.BiConsumer;
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
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ValidateCommand validate = new ValidateCommand();
    validate.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(validate)
            .execute(
                EXAMPLES.resolve("local-demo.yaml").toString(),
                EXAMPLES.resolve("zone-outage.yaml").toString());
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(out).contains("local-demo.yaml: valid").contains("zone-outage.yaml: valid");
    assertThat(out).contains("cpu-burn").contains("ec2-zone-outage");
  }

  @Test
  void invalidFileExitsTwoListingEveryErrorWithItsPath() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ValidateCommand validate = new ValidateCommand();
    validate.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(validate)
            .execute(
                broken().toString(),
                EXAMPLES.resolve("local-demo.yaml").toString(),
                "--output",
                "json");
    assertThat(code).isEqualTo(2);
    var results = new ObjectMapper().readTree(buffer.toString(StandardCharsets.UTF_8));
    assertThat(results.get(0).get("valid").asBoolean()).isFalse();
    assertThat(results.get(0).get("errors").toString())
        .contains("method[0].parameters.corez: unknown parameter of cpu-burn; did you mean cores?")
        .contains("method[1].fault: 'disk-io-pressure' is not a fault; did you mean disk-io?");
    assertThat(results.get(1).get("valid").asBoolean()).isTrue();
  }

  @Test
  void aYamlSyntaxErrorExitsTwoNamingTheFileLineAndColumnWithoutAStackTrace() throws Exception {
    Path tabs = Files.writeString(dir.resolve("tabs.yaml"), "metadata:\n\tname: x\n");
    ValidateCommand validate = new ValidateCommand();
    Printed printed = execute(validate, (o, e) -> validate.out = o, tabs.toString());
    assertThat(printed.code()).as(printed.toString()).isEqualTo(2);
    assertThat(printed.out())
        .isEqualTo(
            tabs
                + ": 1 error(s)\n  not valid YAML at line 2, column 1: a tab; YAML indents with"
                + " spaces only");
    assertThat(printed.err()).isEmpty();
  }

  @Test
  void runDryRunNeedsNoBroker() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    RunCommand run = new RunCommand();
    run.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(run)
            .execute(
                EXAMPLES.resolve("pod-attacks.yaml").toString(),
                "--dry-run",
                "--bootstrap-server",
                NO_BROKER);
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(out)
        .contains("would send START pod-delete pod")
        .contains("{gracePeriodSeconds=0}")
        .contains("DRY RUN: the file is valid; nothing was sent");
  }

  @Test
  void anExperimentIdTheAnalyzerCannotKeyIsRefusedBeforeAnyBroker() {
    String allowed = "must be 1 to 128 characters, not blank, without | or control characters";
    for (String id : new String[] {"", "   ", "exp|1", "a\nb", "x".repeat(129)}) {
      String shown = id.length() > 64 ? "x".repeat(64) + "... (129 characters)" : id;
      shown = shown.replace('\n', '?');
      RunCommand run = new RunCommand();
      String demo = EXAMPLES.resolve("local-demo.yaml").toString();
      assertThat(execute(run, (o, e) -> run.out = o, demo, "--dry-run", "--experiment-id", id))
          .isEqualTo(
              new Printed(2, "faultline run --experiment-id '" + shown + "': " + allowed, ""));
      AttackCommandLine.Attack attack = new AttackCommandLine.Attack();
      assertThat(
              execute(
                  attack,
                  (o, e) -> attack.err = e,
                  "cpu-burn",
                  "--target",
                  "exp",
                  "--duration",
                  "5s",
                  "--experiment",
                  id,
                  "--bootstrap-server",
                  NO_BROKER))
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
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      SchemasCommand.Export export = new SchemasCommand.Export();
      export.err = new PrintStream(err, true, StandardCharsets.UTF_8);
      assertThat(new CommandLine(export).execute((String) c[0])).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo(c[1]);
    }
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void attackRefusesAMistypedParameterOrFaultBeforeAnyBroker() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AttackCommandLine.Attack attack = new AttackCommandLine.Attack();
    attack.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(attack)
            .execute(
                "cpu-burn",
                "--target",
                "exp",
                "--duration",
                "5s",
                "--param",
                "corez=8",
                "--bootstrap-server",
                NO_BROKER);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "faultline attack: --param corez: unknown parameter of cpu-burn; did you mean cores?");

    err.reset();
    AttackCommandLine.Attack typo = new AttackCommandLine.Attack();
    typo.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(
            new CommandLine(typo)
                .execute(
                    "cpu-brun",
                    "--target",
                    "exp",
                    "--duration",
                    "5s",
                    "--bootstrap-server",
                    NO_BROKER))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("'cpu-brun' is not a fault; did you mean cpu-burn?");
  }

  @Test
  void attackRefusesADurationOrTimeoutOutOfRangeBeforeAnyBroker() {
    for (String[] option :
        new String[][] {
          {"--duration", "0s", "faultline attack: --duration 0s: must be between 1s and 1h"},
          {"--duration", "2h", "faultline attack: --duration 2h: must be between 1s and 1h"},
          {"--timeout", "0s", "faultline attack: --timeout 0s: must be between 1s and 1h"}
        }) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      AttackCommandLine.Attack attack = new AttackCommandLine.Attack();
      attack.err = new PrintStream(err, true, StandardCharsets.UTF_8);
      List<String> args =
          new ArrayList<>(List.of("cpu-burn", "--target", "exp", "--bootstrap-server", NO_BROKER));
      if (!option[0].equals("--duration")) {
        args.addAll(List.of("--duration", "5s"));
      }
      args.addAll(List.of(option[0], option[1]));
      assertThat(new CommandLine(attack).execute(args.toArray(String[]::new)))
          .as(option[2])
          .isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo(option[2]);
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

  private static Printed execute(
      Object command, BiConsumer<PrintStream, PrintStream> outAndErr, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    outAndErr.accept(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    // picocli's own messages (a usage error, an unexpected exception's trace) land in err too
    int code =
        new CommandLine(command)
            .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
            .execute(args);
    return new Printed(
        code,
        out.toString(StandardCharsets.UTF_8).strip(),
        err.toString(StandardCharsets.UTF_8).strip());
  }

  private static Printed status(String... args) {
    StatusCommand c = new StatusCommand();
    return execute(
        c,
        (o, e) -> {
          c.out = o;
          c.err = e;
        },
        args);
  }

  private static Printed history(String... args) {
    HistoryCommand c = new HistoryCommand();
    return execute(
        c,
        (o, e) -> {
          c.out = o;
          c.err = e;
        },
        args);
  }

  private static Printed report(String... args) {
    ReportCommand c = new ReportCommand();
    return execute(
        c,
        (o, e) -> {
          c.out = o;
          c.err = e;
        },
        args);
  }

  private static Printed halt(String... args) {
    AttackCommandLine.Halt c = new AttackCommandLine.Halt();
    return execute(
        c,
        (o, e) -> {
          c.out = o;
          c.err = e;
        },
        args);
  }

  private static String[] with(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
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
  void reportFromARecordingThatIsNotAFileSaysSo(@org.junit.jupiter.api.io.TempDir Path dir) {
    for (var bad :
        java.util.Map.of(dir.resolve("absent.recording"), ": no such file", dir, ": a directory")
            .entrySet()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ReportCommand report = new ReportCommand();
      report.err = new PrintStream(out, true, StandardCharsets.UTF_8);
      int code =
          new CommandLine(report)
              .execute("x", "--from-recording", bad.getKey().toString(), "--output", "json");
      assertThat(code).isEqualTo(2);
      assertThat(out.toString(StandardCharsets.UTF_8).strip())
          .isEqualTo(
              "faultline report: --from-recording "
                  + bad.getKey()
                  + bad.getValue()
                  + "; give a file that --save-recording wrote");
    }
  }
}
