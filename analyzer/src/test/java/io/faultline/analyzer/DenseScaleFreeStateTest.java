package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dense track judged with its scale unknown (docs/adr/0113, the default since docs/adr/0114) held
 * across a restart: the monitor stored and read back mid-run judges every later window as the one
 * that stayed in memory, and a monitor stored without the switch (off, or by the version before)
 * reads back off and judges as it did.
 */
class DenseScaleFreeStateTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int SAMPLES = 100;

  /**
   * The windows of one run: 100 samples a group, the experimental 1.6x from judged window 30 (the
   * tolerance 25%).
   */
  private static List<Summary[]> windows(long seed) {
    Random random = new Random(seed);
    List<Summary[]> out = new ArrayList<>();
    for (int w = 0; w < WARMUP + WINDOWS; w++) {
      double shift = w >= WARMUP + 30 ? 1.6 : 1.0;
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < SAMPLES; i++) {
        c.add(100 + 25 * random.nextGaussian());
        e.add(shift * (100 + 25 * random.nextGaussian()));
      }
      out.add(new Summary[] {c, e});
    }
    return out;
  }

  private static WindowJudge.Judged judge(WindowJudge.Monitor m, Summary[] groups, int w) {
    Hypothesis h = Hypothesis.defaultFor("http.latency.ms");
    long end = (w + 1) * 60_000L;
    return WindowJudge.judge(m, groups[0], groups[1], 160, 160, h, end - 60_000, end);
  }

  private static WindowJudge.Monitor restored(WindowJudge.Monitor m) {
    return StateSerde.monitors().deserialize("t", StateSerde.monitors().serialize("t", m));
  }

  private static WindowJudge.Monitor monitor(boolean scaleFree) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.denseScaleFree = scaleFree;
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {WARMUP - 1, WARMUP, WARMUP + 10, WARMUP + 31, WARMUP + 50})
  void aMonitorHeldWithTheScaleUnknownJudgesAsTheOneInMemoryAfterARestart(int restartAt) {
    assertThat(new WindowJudge.Monitor().denseScaleFree).as("the default").isTrue();
    List<Summary[]> windows = windows(114);
    WindowJudge.Monitor memory = monitor(true);
    WindowJudge.Monitor held = null;
    List<String> deviating = new ArrayList<>();
    for (int w = 0; w < windows.size(); w++) {
      WindowJudge.Judged expected = judge(memory, windows.get(w), w);
      if (held != null) {
        assertThat(judge(held, windows.get(w), w)).as("window %d", w).isEqualTo(expected);
      }
      if (w == restartAt) {
        held = restored(memory);
        assertThat(held.denseScaleFree).as("the switch read back").isTrue();
      }
      if (expected.state() == SteadyState.DEVIATING) {
        deviating.add("w" + w);
      }
    }
    EDetector.State detector = memory.tracks.get(0).detector;
    assertThat(memory.tracks.get(0).lag1Series).as("a dense track").isNotEmpty();
    assertThat(detector.primedCount).as("primed with the scale's sums").isEqualTo(WARMUP);
    assertThat(deviating).as("the shift is found: the t-type evidence was exercised").isNotEmpty();
    StateSerdeTest.assertSame("Monitor", memory, held);
  }

  @ParameterizedTest
  @ValueSource(ints = {WARMUP - 1, WARMUP + 10, WARMUP + 31})
  void aMonitorStoredWithoutTheSwitchReadsBackOffAndJudgesAsItDid(int restartAt) {
    List<Summary[]> windows = windows(115);
    WindowJudge.Monitor memory = monitor(false);
    WindowJudge.Monitor scaleFree = monitor(true);
    WindowJudge.Monitor held = null;
    int differing = 0;
    for (int w = 0; w < windows.size(); w++) {
      WindowJudge.Judged expected = judge(memory, windows.get(w), w);
      if (!judge(scaleFree, windows.get(w), w).equals(expected)) {
        differing++;
      }
      if (held != null) {
        assertThat(judge(held, windows.get(w), w)).as("window %d", w).isEqualTo(expected);
      }
      if (w == restartAt) {
        byte[] bytes = StateSerde.monitors().serialize("t", memory);
        held = StateSerde.monitors().deserialize("t", bytes);
        assertThat(held.denseScaleFree).as("no switch stored: off").isFalse();
        assertThat(StateSerde.monitors().serialize("t", held)).as("written again").isEqualTo(bytes);
      }
    }
    assertThat(memory.tracks.get(0).detector.levelCount).as("no sums kept off").isZero();
    assertThat(differing).as("the switch changes the verdicts these windows get").isPositive();
  }
}
