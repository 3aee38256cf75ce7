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
 * <p>Opt-in ({@code -Dfaultline.test.pipeline=true}) until it has passed on a quiet machine: the
 * demo took 9–12 minutes at load 20–46 here, a third of the CI budget, and has not run in CI yet.
 */
@EnabledIfSystemProperty(named = "faultline.test.pipeline", matches = "true")
class PipelineDemoSystemIT {

  @TempDir Path dir;

  @Test
  void pipelineDemoKillsAnExecutorAndEndsWithEqualDataAndNotEnoughRuns() throws Exception {
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
    // 0 or 1 with a live verdict; 2 while the analyzer cannot judge the spark source's sparse,
    // constant counters (INCONCLUSIVE, docs/adr/0028): the batch verdict below is the answer
    assertThat(code).as(out).isIn(0, 1, 2);
    assertThat(out).doesNotContain("faultline run:", "faultline demo failed");
    assertThat(out)
        .containsPattern(
            "attack executor-kill STARTED on spark-worker-1-experimental pid=\\d+ executor"
                + " pid=\\d+ SIGKILL");
    assertThat(out).contains("VERDICT: ");
    // no song lost or written twice: the same checksum as control's, whatever the kill cost
    assertThat(out).containsPattern("run 1: job \\d+\\.\\d s vs \\d+\\.\\d s");
    assertThat(out).contains("songs 1500 vs 1500", "checksum equal");
    assertThat(out).containsPattern("executors lost 0 vs [1-9]");
    assertThat(out)
        .contains("pipeline verdict: NOT ENOUGH RUNS for the timings (1 of 5 per group)");
    // everything it started is gone
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
