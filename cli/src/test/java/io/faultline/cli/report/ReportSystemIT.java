package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a recorded run (RunIT's local experiment: a SIGKILL of the experimental Scale
 * instance) rendered by a real browser, headless Chromium from the Debian package, offline.
 */
class ReportSystemIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path dir;

  @Test
  void chromiumRendersTheReportWithItsPlots() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "ReportSystemIT needs the Debian package chromium (/usr/bin/chromium): apt-get install chromium");
    ExperimentRecording rec;
    try (InputStream in = getClass().getResourceAsStream("/recordings/local-run.recording")) {
      Path file = dir.resolve("local-run.recording");
      Files.write(file, in.readAllBytes());
      rec = ExperimentRecording.load(file);
    }
    Path html = dir.resolve("report.html");
    Files.writeString(html, HtmlReport.render(ExperimentReport.of(rec)), StandardCharsets.UTF_8);

    Path png = dir.resolve("report.png");
    run("--screenshot=" + png, "--window-size=1280,2000", html.toUri().toString());
    assertThat(png).exists();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    // The plots sit below the verdict, figures and timeline: count pixels of the two group lines.
    int control = 0;
    int experimental = 0;
    int nonWhite = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        if (rgb != 0xffffff) {
          nonWhite++;
        }
        if (near(rgb, 0x2f6fdb)) {
          control++;
        } else if (near(rgb, 0xe4572e)) {
          experimental++;
        }
      }
    }
    System.out.printf(
        "screenshot %s: %dx%d, %d non-white pixels, control line %d px, experimental line %d px, html %d bytes%n",
        png,
        image.getWidth(),
        image.getHeight(),
        nonWhite,
        control,
        experimental,
        Files.size(html));
    assertThat(nonWhite).isGreaterThan(20_000);
    assertThat(control).as("control line pixels").isGreaterThan(300);
    assertThat(experimental).as("experimental line pixels").isGreaterThan(300);

    String dom = run("--dump-dom", html.toUri().toString());
    assertThat(dom)
        .contains("<polyline class=\"control\"")
        .contains("<polyline class=\"experimental\"");
    assertThat(dom)
        .contains("data-metric=\"http.error\"")
        .contains("data-metric=\"http.latency.ms\"");
    assertThat(dom).contains("class=\"first-deviation\"");
    assertThat(dom).contains("HYPOTHESIS NOT HELD");
  }

  private static boolean near(int rgb, int target) {
    int dr = Math.abs(((rgb >> 16) & 0xff) - ((target >> 16) & 0xff));
    int dg = Math.abs(((rgb >> 8) & 0xff) - ((target >> 8) & 0xff));
    int db = Math.abs((rgb & 0xff) - (target & 0xff));
    return dr + dg + db < 40;
  }

  private String run(String... args) throws Exception {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path stdout = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish within 120 s: " + cmd);
    }
    assertThat(p.exitValue()).as("chromium exit code").isZero();
    return Files.readString(stdout);
  }
}
