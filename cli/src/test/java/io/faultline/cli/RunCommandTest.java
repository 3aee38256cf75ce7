package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dir;

  @Test
  void brokenFileExitsTwoListingEveryErrorBeforeTouchingKafka() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(
        file,
        """
        metadata: {name: broken}
        groups: {platform: moon, control: {}, experimental: {}}
        steadyState: {warmup: 10s, metrics: [{name: x, source: http-probe}]}
        method:
          - {fault: cpu-burn, duration: 0s}
          - {fault: kill-process, duration: 5s, start: 10h}
        """);
    RunCommand run = new RunCommand();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    // refusals on stderr: stdout carries only a run's lines
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    run.out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
    run.err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    // An unreachable broker: nothing may be tried before the file is valid.
    int code = new CommandLine(run).execute(file.toString(), "--bootstrap-server", "127.0.0.1:1");
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(out)
        .contains("broken.yaml: 4 error(s)")
        .contains("groups.platform: 'moon' is not one of [aws, kubernetes, local]")
        .contains("method[0].selector: required: kind, and names or namespace + labels")
        .contains("method[0].duration: 0s: must be between 1s and 1h")
        .contains("method[1].selector: required");
  }

  @Test
  void aFleetFileWithoutItsPackagesExitsTwoNamingThemBeforeTouchingKafka() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path haproxy = Files.writeString(bin.resolve("haproxy"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        haproxy, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    for (var example :
        java.util.Map.of("local-fleet-zone.yaml", 2, "local-fleet-pod.yaml", 3).entrySet()) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      // refusals on stderr: stdout carries only a run's lines
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      run.out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
      run.err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      // the lookup sees only haproxy: patroni, etcd and postgres are "not on PATH"
      run.fleetBlocked =
          () ->
              io.faultline.scale.fleet.FleetCommands.missingPackagesMessage(
                  io.faultline.scale.fleet.FleetCommands.missingPackages(
                      java.util.List.of(bin.toString()), dir.resolve("no-pg")));
      Path file = Path.of("..", "examples", example.getKey());

      int code =
          new CommandLine(run)
              .execute(
                  file.toString(),
                  "--bootstrap-server",
                  "127.0.0.1:1",
                  "--data-dir",
                  dir.resolve("run").toString());

      String out = buffer.toString(StandardCharsets.UTF_8);
      assertThat(code).as(example.getKey()).isEqualTo(2);
      assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(out)
          .contains(
              "faultline run "
                  + file
                  + ": groups.local.replicas "
                  + example.getValue()
                  + " starts a local fleet, which needs the Debian"
                  + " packages patroni, etcd-server, postgresql:"
                  + " sudo apt-get install -y patroni etcd-server postgresql")
          .doesNotContain("haproxy");
      // nothing started: no data directory, no broker contacted (it would time out after 30 s)
      assertThat(dir.resolve("run")).doesNotExist();
    }
  }

  @Test
  void aBadIntervalOrTimeoutExitsTwoNamingTheOptionBeforeTheFileIsRead() {
    for (String[] option :
        new String[][] {
          {
            "--progress-every", "0s", "faultline run --progress-every 0s: must be between 1s and 1h"
          },
          {
            "--agent-timeout",
            "soon",
            "faultline run --agent-timeout 'soon': not a duration; use e.g. 500ms, 30s, 5m, 1h or"
                + " PT30S"
          }
        }) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      // refusals on stderr: stdout carries only a run's lines
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      run.out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
      run.err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      int code =
          new CommandLine(run)
              .execute(dir.resolve("absent.yaml").toString(), "--dry-run", option[0], option[1]);
      assertThat(code).as(option[0]).isEqualTo(2);
      assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(buffer.toString(StandardCharsets.UTF_8).strip()).isEqualTo(option[2]);
    }
  }

  @Test
  void aMissingFileOrADirectorySaysSoInsteadOfAnExceptionsName() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("experiments"));
    for (var file :
        java.util.Map.of(
                dir.resolve("absent.yaml"),
                "no such file",
                folder,
                "a directory: give an experiment file (YAML)")
            .entrySet()) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      // refusals on stderr: stdout carries only a run's lines
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      run.out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
      run.err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      int code = new CommandLine(run).execute(file.getKey().toString(), "--dry-run");
      assertThat(code).isEqualTo(2);
      assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(buffer.toString(StandardCharsets.UTF_8))
          .contains("faultline run: " + file.getKey() + ": 1 error(s)")
          .contains("  " + file.getValue())
          .doesNotContain("Exception");
    }
  }
}
