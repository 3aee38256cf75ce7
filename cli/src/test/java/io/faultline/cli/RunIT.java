package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code faultline run} end to end against a broker started like {@code faultline demo
 * --broker-only}: the file starts Scale x2, the agent, the analyzer and the probe; a real kill of
 * the experimental instance; a real verdict and exit code.
 */
class RunIT {

  @TempDir Path dir;

  static final String SHORT_EXPERIMENT =
      """
      apiVersion: faultline.io/v1
      kind: Experiment
      metadata: {name: run-it, owner: tests, description: a kill must show in the error rate}
      groups:
        platform: local
        control: {processes: [scale-control]}
        experimental: {processes: [scale-experimental]}
        local: {start: true, jvmWarmup: 5s, rps: 20}
      steadyState:
        warmup: 20s
        window: 5s
        recoveryWindows: 2
        metrics:
          - {name: http.latency.ms, source: http-probe, direction: increase, tolerance: 0.5, critical: false}
          - {name: http.error, source: http-probe, direction: increase, tolerance: 0.01, critical: true}
          - {name: process.alive, source: host, direction: decrease, critical: false}
        sources:   # beside the platform's own probe: a collector runs these from the experiment
          - type: host
            interval: 1s
            control: {processes: ["cmd:ScaleMain web --name scale-control( |$)"]}
            experimental: {processes: ["cmd:ScaleMain web --name scale-experimental( |$)"]}
      method:
        - {name: shutdown, fault: kill-process, selector: {kind: process, names: [scale-experimental], mode: all}, start: 0s, duration: 1s}
      guards: {maxDuration: 3m, blastRadius: {maxTargets: 1}}
      recovery: {observe: 20s}
      """;

  @Test
  void runsAnExperimentFileEndToEndAndExitsNotHeldWhenTheKillShows() throws Exception {
    Path file = dir.resolve("short.yaml");
    Files.writeString(file, SHORT_EXPERIMENT);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), true)) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      run.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      int code =
          new CommandLine(run)
              .execute(
                  file.toString(),
                  "--bootstrap-server",
                  kafka.bootstrapServers(),
                  "--experiment-id",
                  "run-it-1",
                  "--data-dir",
                  dir.resolve("run").toString());
      String out = buffer.toString(StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(out).contains("experiment run-it-1 RUNNING (planned 41s)");
      assertThat(out).contains("attack kill-process STARTED on scale-experimental pid=");
      assertThat(out).contains("scale-experimental restarted");
      assertThat(out).containsPattern("\\| http.error C \\d+\\.\\d+ E \\d+\\.\\d+ ");
      // the experiment's own host source, run by the collector that follows the experiments
      assertThat(out)
          .contains("collector started: it runs the sources the experiment names (host)");
      assertThat(out).containsPattern("\\| process\\.alive C 1\\.0+ E [01]\\.\\d+ ");
      assertThat(out)
          .contains(
              "VERDICT: HYPOTHESIS NOT HELD - The experimental group left its steady state on");
      assertThat(out).containsPattern("attack kill-process +MTTD \\d[\\d.hms]*,");
      assertThat(code).as(out).isEqualTo(1);
      assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count())
          .isZero();

      // The report, from the topics alone, after the run
      Path recording = Path.of("target", "run-it.recording");
      ByteArrayOutputStream reportOut = new ByteArrayOutputStream();
      ReportCommand report = new ReportCommand();
      report.out = new PrintStream(reportOut, true, StandardCharsets.UTF_8);
      int reportCode =
          new CommandLine(report)
              .execute(
                  "run-it-1",
                  "--bootstrap-server",
                  kafka.bootstrapServers(),
                  "--html",
                  dir.resolve("report.html").toString(),
                  "--json",
                  dir.resolve("report.json").toString(),
                  "--markdown",
                  dir.resolve("report.md").toString(),
                  "--save-recording",
                  recording.toString());
      String reportText = reportOut.toString(StandardCharsets.UTF_8);
      assertThat(reportCode).as(reportText).isZero();
      String html = Files.readString(dir.resolve("report.html"));
      assertThat(html).contains("data-metric=\"http.error\"").contains("HYPOTHESIS NOT HELD");
      assertThat(html).contains("kill-process").contains("scale-experimental");
      assertThat(Files.readString(dir.resolve("report.json"))).contains("\"exitCode\" : 1");
      assertThat(Files.readString(dir.resolve("report.md")))
          .startsWith("### faultline: run-it — HYPOTHESIS NOT HELD");
      assertThat(io.faultline.cli.report.ExperimentRecording.load(recording).verdicts())
          .isNotEmpty();

      ByteArrayOutputStream statusOut = new ByteArrayOutputStream();
      StatusCommand status = new StatusCommand();
      status.out = new PrintStream(statusOut, true, StandardCharsets.UTF_8);
      int statusCode =
          new CommandLine(status).execute("--bootstrap-server", kafka.bootstrapServers());
      String statusText = statusOut.toString(StandardCharsets.UTF_8);
      System.out.println(statusText);
      assertThat(statusCode).as(statusText).isZero();
      assertThat(statusText)
          .contains("experiments: 0 active of 1 known")
          .contains("active attacks: 0")
          .contains("agents seen on attack.events: 1")
          .contains("faultline-run-agent");
    }
  }
}
