package io.faultline.cli.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.analyzer.ResultCalculator;
import io.faultline.testsupport.HeadlessChromium;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history page of a year of synthetic experiments (five services) rendered by headless Chromium
 * from the Debian package, offline, as ReportSystemIT checks the report.
 */
class HistorySystemIT {

  @TempDir Path dir;

  @Test
  void chromiumRendersTheHistoryPageWithItsTrendPlots() throws Exception {
    assumeTrue(HeadlessChromium.installed(), HeadlessChromium.missing("HistorySystemIT"));
    HeadlessChromium chromium = new HeadlessChromium(dir);
    SyntheticYear year = SyntheticYear.of(5, 10, 22);
    var rolled =
        HistoryRollup.fold(year.results(), year.alerts(), ResultCalculator.SeverityLevels.DEFAULTS);
    Path html = dir.resolve("history.html");
    Files.writeString(
        html,
        HistoryHtml.render(HistoryTable.select(rolled.values(), null, 52)),
        StandardCharsets.UTF_8);

    BufferedImage image = chromium.screenshot(html, 1280, 2400);
    assertThat(image.getWidth()).isEqualTo(1280);
    int line = HeadlessChromium.pixels(image, HeadlessChromium.near(0x3366cc));
    System.out.printf(
        "history page %d bytes, screenshot %dx%d, %d trend-line pixels%n",
        Files.size(html), image.getWidth(), image.getHeight(), line);
    assertThat(line).as("trend line pixels in the first screen").isGreaterThan(1_000);

    String dom = chromium.dom(html);
    assertThat(dom).contains("<h1>Resilience over time</h1>", "service-0", "service-4");
    assertThat(dom.split("<polyline", -1)).hasSize(5 * 8 + 1);
    assertThat(dom).contains("aria-label=\"MTBF p50 (ms) per week\"");
  }
}
