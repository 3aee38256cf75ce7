package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole demo, shortened: real broker, real Scale processes, real attacks, a real verdict. */
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
                "--steady", "30s",
                "--cpu-attack", "15s",
                "--recovery", "10s");

    String out = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(code).as(out).isZero();
    assertThat(out).contains("attack cpu-burn STARTED on scale-experimental pid=");
    assertThat(out).contains("attack kill-process STARTED on scale-experimental pid=");
    assertThat(out).contains("scale-experimental restarted");
    // a killed instance always shows in the errors, on any machine
    assertThat(out)
        .containsPattern("attack kill-process +MTTD \\d[\\d.hms]*, MTTR [^(]*\\([^)]*http\\.error");
    assertThat(out).contains("VERDICT: HYPOTHESIS NOT HELD");
    assertThat(out).containsPattern("MTTD \\d[\\d.hms]*,");
    // everything it started is gone
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
