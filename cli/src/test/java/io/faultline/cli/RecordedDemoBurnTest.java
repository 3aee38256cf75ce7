package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real demo run, saved by {@code --save-samples} (resources {@code samples/demo-burn-2026-12-08},
 * its README.txt says what the run was), judged again by {@code faultline analyze} with the line
 * the run printed. Live, the analyzer declared http.latency.ms DEVIATING in the window 01:42:05-10,
 * the twelfth window from the one holding the CPU burn's STARTED event (01:41:12.233) and before
 * the kill (01:42:11.768): the cpu-burn's MTTD of 57.8 s. On that loaded machine (load 26-31) the
 * control's latency rose with the experimental's through the burn's own windows (window means 103
 * vs 99 ms), so the detection is the experimental group's slower return afterwards, not the burn's
 * rise: a hard case kept for detection changes. The bound is the live one: detection after the
 * burn's start and by its twelfth window, before the kill; a change that finds it sooner passes,
 * one that loses it or alarms in the steady state fails.
 */
class RecordedDemoBurnTest {

  private static final long WINDOW_MS = 5_000;

  /** The live analyzer's first deviating window was the twelfth from the burn's (index 11). */
  private static final int LIVE_WINDOWS_TO_DETECTION = 11;

  @Test
  void theRecordedBurnIsDetectedWithinTheWindowsTheLiveAnalyzerTook() throws Exception {
    Path saved = resource("samples/demo-burn-2026-12-08");
    List<String> attacks = Files.readAllLines(saved.resolve("attacks.csv"));
    long burnStart = Long.parseLong(attacks.get(1).split(",")[2]);
    long killStart = Long.parseLong(attacks.get(2).split(",")[2]);
    assertThat(attacks.get(1)).contains(",cpu-burn,");

    JsonNode judged = SavedRunAnalysis.analyze(SavedRunAnalysis.printedArgs(saved), 1);

    assertThat(judged.get("verdict").asText()).isEqualTo("deviation");
    long detected = Instant.parse(judged.get("detected_at").asText()).toEpochMilli();
    long windows = Math.floorDiv(detected, WINDOW_MS) - Math.floorDiv(burnStart, WINDOW_MS);
    assertThat(detected).as("no alarm before the burn").isGreaterThanOrEqualTo(burnStart);
    assertThat(windows)
        .as("windows from the burn's to the detection")
        .isBetween(0L, (long) LIVE_WINDOWS_TO_DETECTION);
    assertThat(detected).as("the burn's, not the kill's").isLessThan(killStart);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(RecordedDemoBurnTest.class.getClassLoader().getResource(name).toURI());
  }
}
