package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.testsupport.HeadlessChromium;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a recorded run (RunIT's local experiment: a SIGKILL of the experimental Scale
 * instance) rendered by a real browser, headless Chromium from the Debian package, offline.
 */
class ReportSystemIT {

  @TempDir Path dir;

  @Test
  void chromiumRendersTheReportWithItsPlots() throws Exception {
    assumeTrue(HeadlessChromium.installed(), HeadlessChromium.missing("ReportSystemIT"));
    HeadlessChromium chromium = new HeadlessChromium(dir);
    ExperimentRecording rec;
    try (InputStream in = getClass().getResourceAsStream("/recordings/local-run.recording")) {
      Path file = dir.resolve("local-run.recording");
      Files.write(file, in.readAllBytes());
      rec = ExperimentRecording.load(file);
    }
    Path html = dir.resolve("report.html");
    Files.writeString(html, HtmlReport.render(ExperimentReport.of(rec)), StandardCharsets.UTF_8);

    BufferedImage image = chromium.screenshot(html, 1280, 2000);
    assertThat(image.getWidth()).isEqualTo(1280);
    // The plots sit below the verdict, figures and timeline: count pixels of the two group lines.
    int control = HeadlessChromium.pixels(image, HeadlessChromium.near(0x2f6fdb));
    int experimental = HeadlessChromium.pixels(image, HeadlessChromium.near(0xe4572e));
    int nonWhite = HeadlessChromium.pixels(image, rgb -> rgb != 0xffffff);
    System.out.printf(
        "screenshot: %dx%d, %d non-white pixels, control line %d px, experimental line %d px, html %d bytes%n",
        image.getWidth(), image.getHeight(), nonWhite, control, experimental, Files.size(html));
    assertThat(nonWhite).isGreaterThan(20_000);
    assertThat(control).as("control line pixels").isGreaterThan(300);
    assertThat(experimental).as("experimental line pixels").isGreaterThan(300);

    String dom = chromium.dom(html);
    assertThat(dom)
        .contains("<polyline class=\"control\"")
        .contains("<polyline class=\"experimental\"");
    assertThat(dom)
        .contains("data-metric=\"http.error\"")
        .contains("data-metric=\"http.latency.ms\"");
    assertThat(dom).contains("class=\"first-deviation\"");
    assertThat(dom).contains("HYPOTHESIS NOT HELD");
  }
}
