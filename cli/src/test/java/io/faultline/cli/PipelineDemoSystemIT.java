package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code demo --scenario pipeline} end to end: a real broker, per group a Spark master, worker,
 * executor JVM and driver, the agent's executor-kill on the experimental worker, the analyzer's
 * verdict and the batch verdict. A system IT: on 2 loaded cores the clusters alone take minutes. It
 * needs scale-spark packaged (the reactor's verify does it before cli).
 *
 * <p>Opt-in ({@code -Dfaultline.test.pipeline=true}): the fault lands mid-run only when a run lasts
 * longer than the 10 s from the extraction's start to the kill. It passed in 101.5 s on a quiet
 * machine (runs of 14.6 s and 26.7 s, docs/adr/0035), but in CI (quiet, faster) the 2,000-song runs
 * took 9.4 s and 9.5 s, the executor was killed after the job and "executors lost 0 vs 1" could not
 * hold. It goes back into the system profile once the kill is tied to the run (e.g. the runs start
 * so that the kill falls inside them) rather than to the clock.
 */
@EnabledIfSystemProperty(named = "faultline.test.pipeline", matches = "true")
class PipelineDemoSystemIT {

  @TempDir Path dir;

  @Test
  void pipelineDemoDetectsTheLostExecutorAndEndsWithEqualDataAndNotEnoughRuns() throws Exception {
    assumeTrue(
        Files.exists(Path.of("..", "scale-spark", "target", "classpath.txt")),
        "scale-spark not packaged (./mvnw -pl scale-spark -am package -DskipTests)");
    DemoCommand demo = new DemoCommand();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    demo.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    int code =
        new CommandLine(demo).execute("--data-dir", dir.toString(), "--scenario", "pipeline");

    String out = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(out);
    // a verdict (held or not) is 0: the executor's loss is counted live against the control's
    assertThat(code).as(out).isZero();
    assertThat(out).doesNotContain("faultline run:", "faultline demo failed");
    assertThat(out)
        .containsPattern(
            "attack executor-kill STARTED on spark-worker-1-experimental pid=\\d+ executor"
                + " pid=\\d+ SIGKILL");
    assertThat(out).contains("VERDICT: HYPOTHESIS NOT HELD", "spark.executors.lost");
    assertThat(out).containsPattern("attack executor-kill +MTTD (\\d+m)?[\\d.]+m?s");
    // the verdict over runs comes from the results topic: one run each, the same data
    assertThat(out)
        .contains(
            "pipeline verdict: NOT ENOUGH RUNS for the timings (1 of 5 per group); the same data");
    assertThat(out).containsPattern("run 1: job (\\d+m)?[\\d.]+m?s vs (\\d+m)?[\\d.]+m?s");
    assertThat(out).contains("songs 2000 vs 2000", "checksum equal");
    assertThat(out).containsPattern("executors lost 0 vs [1-9]");
    // everything it started is gone
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
