package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The switches retired by docs/adr/0098 keep their places in the stored state: a monitor stored by
 * the analyzer before them reads back and is written again byte for byte, and the same windows
 * judged by this version store the same bytes (so the version before reads what this one writes).
 * The files were written by the analyzer before docs/adr/0098 from {@link #run}'s windows.
 */
class RetiredSwitchesStateTest {

  /** 20 warm-up windows and 20 judged, the experimental group 1.5x from window 30. */
  static WindowJudge.Monitor run(int samplesPerWindow) {
    return run(samplesPerWindow, new WindowJudge.Monitor().denseScaleFree);
  }

  /** As {@link #run(int)}, docs/adr/0113's switch on or off. */
  static WindowJudge.Monitor run(int samplesPerWindow, boolean denseScaleFree) {
    Random random = new Random(98 + samplesPerWindow);
    Hypothesis h = Hypothesis.defaultFor("http.latency.ms");
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.denseScaleFree = denseScaleFree;
    for (int w = 0; w < 40; w++) {
      double shift = w >= 30 ? 1.5 : 1.0;
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < samplesPerWindow; i++) {
        c.add(20 * Math.exp(0.2 * random.nextGaussian()));
        e.add(20 * shift * Math.exp(0.2 * random.nextGaussian()));
      }
      long end = (w + 1) * 60_000L;
      WindowJudge.judge(m, c, e, 25, 26, h, end - 60_000, end);
    }
    return m;
  }

  static byte[] golden(int samplesPerWindow) throws IOException {
    String name = "/golden/monitor-before-0098-" + samplesPerWindow + ".bin";
    try (InputStream in = RetiredSwitchesStateTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 6, 20})
  void aMonitorStoredBeforeReadsBackAndIsWrittenAgainByteForByte(int samplesPerWindow)
      throws IOException {
    byte[] before = golden(samplesPerWindow);
    WindowJudge.Monitor m = StateSerde.monitors().deserialize("t", before);
    assertThat(m.ready).as("learned").isTrue();
    assertThat(m.tracks).as("tracks").isNotEmpty();
    assertThat(m.denseScaleFree).as("docs/adr/0113's switch, not stored: off").isFalse();
    assertThat(StateSerde.monitors().serialize("t", m)).isEqualTo(before);
  }

  /**
   * With docs/adr/0113's switch off, as the version before had it; on (the default since
   * docs/adr/0114) the bytes are those and the switch's three slots appended to the monitor's
   * block, which the versions before docs/adr/0110 skip.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 6, 20})
  void theSameWindowsStoreTheBytesTheVersionBeforeStored(int samplesPerWindow) throws IOException {
    byte[] golden = golden(samplesPerWindow);
    assertThat(StateSerde.monitors().serialize("t", run(samplesPerWindow, false)))
        .isEqualTo(golden);
    byte[] on = StateSerde.monitors().serialize("t", run(samplesPerWindow, true));
    assertThat(on).hasSize(golden.length + 3);
    assertThat(StateSerde.monitors().deserialize("t", on).denseScaleFree).isTrue();
  }
}
