package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole demo, shortened: real broker, real Scale processes, real attacks, a real verdict, exit
 * 0. What it shares with {@code run} (the kill applied, the instance restarted, the runner's
 * verdict) {@link RunIT} proves, with the same 5 s JVM warm-up and 20 s steady state; this test
 * keeps what only the demo does: its own broker and bundled file, both attacks, the kill's MTTD and
 * MTTR in the summary, and everything it started stopped.
 */
class DemoIT {

  @TempDir Path dir;

  @Test
  void demoRunsAnExperimentEndToEndAndPrintsAVerdict() {
    DemoCommand demo = new DemoCommand();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    demo.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    int code =
        new CommandLine(demo)
            .execute(
                "--data-dir", dir.toString(),
                "--jvm-warmup", "5s",
                "--steady", "20s",
                "--cpu-attack", "10s",
                "--recovery", "10s");

    String out = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(code).as(out).isZero();
    // the burn ran on the experimental instance's CPU for its whole duration and was undone; that
    // it is *detected* is not asserted: at a load average of 14-43 (CI's, shared) neither this test
    // nor the full demo found it, both groups' latency being the machine's (docs/adr/0053)
    assertThat(out)
        .containsPattern(
            "attack cpu-burn STARTED on scale-experimental pid=\\d+ burner pid=\\d+ threads=8"
                + " percent=100 cpus=1")
        .containsPattern(
            "attack cpu-burn ROLLED_BACK on burner pid=\\d+ stopped \\(duration elapsed\\)")
        .containsPattern("attack cpu-burn +MTTD ");
    // a killed instance always shows in the errors, on any machine
    assertThat(out)
        .containsPattern("attack kill-process +MTTD \\d[\\d.hms]*, MTTR [^(]*\\([^)]*http\\.error");
    assertThat(out).contains("VERDICT: HYPOTHESIS NOT HELD");
    // everything it started is gone
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
