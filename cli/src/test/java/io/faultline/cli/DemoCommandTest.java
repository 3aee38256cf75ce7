package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.cli.DemoCommand.Scenario;
import io.faultline.cli.experiment.DemoExperiment;
import io.faultline.scale.fleet.FleetCommands;
import io.faultline.scale.fleet.PostgresUser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo's checks before anything starts. */
class DemoCommandTest {

  @TempDir Path dir;

  /** A lookup that sees only {@code dir}: a haproxy there, no patroni, no etcd, no PostgreSQL. */
  private DemoCommand demoSeeingOnlyHaproxy(ByteArrayOutputStream printed) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path haproxy = Files.writeString(bin.resolve("haproxy"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(haproxy, PosixFilePermissions.fromString("rwxr-xr-x"));
    DemoCommand demo = new DemoCommand();
    demo.dataDir = dir.resolve("demo");
    demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    demo.fleetBlocked =
        () ->
            FleetCommands.missingPackagesMessage(
                FleetCommands.missingPackages(List.of(bin.toString()), dir.resolve("no-pg")));
    return demo;
  }

  @Test
  void aFleetScenarioWithoutItsPackagesExitsTwoWithTheLineThatInstallsThem() throws Exception {
    for (String scenario : List.of("zone", "pod", "all")) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int code = new CommandLine(demoSeeingOnlyHaproxy(printed)).execute("--scenario", scenario);

      String text = printed.toString(StandardCharsets.UTF_8);
      assertThat(code).as(scenario).isEqualTo(2);
      assertThat(text)
          .contains(
              "faultline demo --scenario "
                  + scenario
                  + " needs the Debian packages patroni, etcd-server, postgresql:"
                  + " sudo apt-get install -y patroni etcd-server postgresql")
          .doesNotContain("haproxy");
      // nothing started: no broker data
      assertThat(dir.resolve("demo")).doesNotExist();
    }
  }

  @Test
  void aFleetScenarioInADirectoryUserPostgresCannotEnterExitsTwoNamingIt() throws Exception {
    // as root with the packages installed, the fleet runs PostgreSQL as user postgres
    assumeTrue(
        FleetCommands.missingPackagesMessage().isEmpty() && !PostgresUser.command().isEmpty(),
        "needs root and the fleet's Debian packages");
    Path closed = Files.createDirectories(dir.resolve("mktemp"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoCommand demo = new DemoCommand();
    demo.dataDir = closed.resolve("clone").resolve(".faultline").resolve("demo");
    demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    int code = new CommandLine(demo).execute("--scenario", "zone");

    assertThat(code).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains(
            "faultline demo --scenario zone cannot start: the work directory " + demo.dataDir,
            closed + " (owner ",
            "mode rwx------) does not let user postgres through",
            "chmod o+x " + closed);
    assertThat(closed.resolve("clone")).doesNotExist(); // nothing started
  }

  @Test
  void withEveryBinaryInPlaceNothingIsMissing() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("all"));
    for (String b : List.of("haproxy", "patroni", "etcd")) {
      Path p = Files.writeString(bin.resolve(b), "#!/bin/sh\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path pg = Files.createDirectories(dir.resolve("pg").resolve("15").resolve("bin"));
    Path postgres = Files.writeString(pg.resolve("postgres"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(FleetCommands.missingPackages(List.of(bin.toString()), dir.resolve("pg"))).isEmpty();
    assertThat(FleetCommands.missingPackagesMessage(List.of())).isEmpty();
  }

  @Test
  void badOptionValuesExitTwoNamingEachOptionAndWhatIsAllowedBeforeAnythingStarts()
      throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoCommand demo = new DemoCommand();
    demo.dataDir = dir.resolve("demo");
    demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(demo)
            .execute(
                "--rps",
                "-3",
                "--steady",
                "0s",
                "--cpu-attack",
                "0s",
                "--control-cpus",
                "x",
                "--experimental-cpus",
                "1;rm",
                "--recovery",
                "soon",
                "--scenario",
                "region");

    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(text)
        .contains("faultline demo --rps -3: must be between 1 and 1000")
        .contains("faultline demo --steady 0s: must be between 1s and 1h")
        .contains("faultline demo --cpu-attack 0s: must be between 1s and 1h")
        .contains(
            "faultline demo --control-cpus x: must be a CPU list such as 0, 0-1 or 0,2-3, or none")
        .contains("faultline demo --experimental-cpus 1;rm: must be a CPU list")
        .contains(
            "faultline demo --recovery 'soon': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S")
        .contains(
            "faultline demo --scenario region: must be one of container, pod, zone, all, pipeline");
    assertThat(dir.resolve("demo")).doesNotExist();
  }

  @Test
  void aBaselineShorterThanTwoWindowsIsRefusedAndTheDefaultsPass() {
    DemoCommand demo = new DemoCommand();
    assertThat(demo.problems()).isEmpty();
    demo.steady = "8s";
    assertThat(demo.problems())
        .containsExactly(
            "--steady 8s: must be at least two windows (10s), the baseline before the first attack");
    demo.steady = "30s";
    demo.controlCpus = "none";
    demo.experimentalCpus = "0,2-3";
    demo.rps = 1000;
    assertThat(demo.problems()).isEmpty();
  }

  @Test
  void theHelpAndTheCheckListTheScenariosOfTheEnumAndEachRunsItsBundledFiles() {
    String help =
        FaultlineCli.commandLine()
            .getSubcommands()
            .get("demo")
            .getUsageMessage(CommandLine.Help.Ansi.OFF)
            .replaceAll("\\s+", " ");
    assertThat(help)
        .contains(
            "--scenario=<scenario> One of "
                + String.join(", ", Scenario.labels())
                + " (default: container)");
    int before = help.indexOf("Scenarios (--scenario):");
    assertThat(before).isPositive().isLessThan(help.indexOf("Exit codes"));
    DemoCommand demo = new DemoCommand();
    for (Scenario s : Scenario.values()) {
      // picocli may wrap inside a file name (local-demo. yaml): compared without white space
      assertThat(help.substring(before).replace(" ", ""))
          .contains((s.label() + s.help()).replace(" ", ""));
      demo.scenario = s.label();
      assertThat(demo.problems()).as(s.label()).isEmpty();
      for (String file : s.files) {
        assertThat(DemoExperiment.bundled(file).metadata().name() + ".yaml").isEqualTo(file);
      }
    }
    assertThat(Scenario.labels()).contains("container", "pod", "zone", "all", "pipeline");
    demo.scenario = "zones";
    assertThat(demo.problems())
        .containsExactly(
            "--scenario zones: must be one of "
                + String.join(", ", Scenario.labels())
                + "; did you mean zone?");
  }

  @Test
  void aDataDirThatCannotBeCreatedExitsTwoNamingTheOption() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoCommand demo = new DemoCommand();
    demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int code = new CommandLine(demo).execute("--data-dir", file.resolve("demo").toString());
    assertThat(code).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith("faultline demo --data-dir " + file.resolve("demo") + ": cannot create it (")
        .contains("); point it at a writable directory")
        .doesNotContain("Kafka broker");
  }
}
