package io.faultline.cli.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.analyzer.ResultCalculator;
import java.awt.image.BufferedImage;
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
 * The history page of a year of synthetic experiments (five services) rendered by headless Chromium
 * from the Debian package, offline, as ReportSystemIT checks the report.
 */
class HistorySystemIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path dir;

  @Test
  void chromiumRendersTheHistoryPageWithItsTrendPlots() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "HistorySystemIT needs the Debian package chromium (/usr/bin/chromium): apt-get install chromium");
    SyntheticYear year = SyntheticYear.of(5, 10, 22);
    var rolled =
        HistoryRollup.fold(year.results(), year.alerts(), ResultCalculator.SeverityLevels.DEFAULTS);
    Path html = dir.resolve("history.html");
    Files.writeString(
        html,
        HistoryHtml.render(HistoryTable.select(rolled.values(), null, 52)),
        StandardCharsets.UTF_8);

    Path png = dir.resolve("history.png");
    run("--screenshot=" + png, "--window-size=1280,2400", html.toUri().toString());
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    int line = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (near(image.getRGB(x, y) & 0xffffff, 0x3366cc)) {
          line++;
        }
      }
    }
    System.out.printf(
        "history page %d bytes, screenshot %dx%d, %d trend-line pixels%n",
        Files.size(html), image.getWidth(), image.getHeight(), line);
    assertThat(line).as("trend line pixels in the first screen").isGreaterThan(1_000);

    String dom = run("--dump-dom", html.toUri().toString());
    assertThat(dom).contains("<h1>Resilience over time</h1>", "service-0", "service-4");
    assertThat(dom.split("<polyline", -1)).hasSize(5 * 8 + 1);
    assertThat(dom).contains("aria-label=\"MTBF p50 (ms) per week\"");
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
