package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One sample per group and window judged as the window's paired difference E - C (docs/adr/0061,
 * behind {@link WindowJudge.Monitor#pairedSingle}): no pooled control, the whole variance learned
 * from the paired differences, and a window with one group's sample only holds it for the other
 * group's next one instead of dropping it.
 */
class PairedSingleTest {

  /** Both groups at level 100, one sample per window, through the warm-up of 20 windows. */
  private static WindowJudge.Monitor warmedUp(boolean paired, Random r) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.pairedSingle = paired;
    for (int w = 0; w < 20; w++) {
      WindowJudge.judge(
          m,
          Summary.of(100 + 25 * r.nextGaussian()),
          Summary.of(100 + 25 * r.nextGaussian()),
          Telemetry.meanHypothesis());
    }
    return m;
  }

  @Test
  void onlySingleSampleMeanTracksArePairedAndOnlyWithTheSwitch() {
    assertThat(new WindowJudge.Monitor().pairedSingle).as("the default").isFalse();
    assertThat(warmedUp(true, new Random(1)).tracks.get(0).paired).isTrue();
    assertThat(warmedUp(false, new Random(1)).tracks.get(0).paired).isFalse();
    WindowJudge.Monitor dense = new WindowJudge.Monitor();
    dense.warmupWindows = 20;
    dense.pairedSingle = true;
    for (int w = 0; w < 20; w++) {
      WindowJudge.judge(
          dense, Summary.of(90, 110, 100), Summary.of(95, 105, 100), Telemetry.meanHypothesis());
    }
    assertThat(dense.tracks.get(0).paired).as("window means stay as they were").isFalse();
  }

  @Test
  void thePairedDatapointIsTheWindowsOwnDifferenceWithItsVarianceLearnedFromTheDifferences() {
    WindowJudge.Monitor m = warmedUp(true, new Random(2));
    WindowJudge.Track t = m.tracks.get(0);
    // log scale (positive metric, relative tolerance): log(120) - log(100) less the offset, and
    // the variance is the drift learned from the warm-up's differences alone
    double[] point =
        WindowJudge.datapoint(t, Summary.of(100), Summary.of(120), Double.NaN, Double.NaN);
    assertThat(t.log).isTrue();
    assertThat(point[2]).isCloseTo(Math.log(1.2), within(1e-12));
    assertThat(point[0]).isCloseTo(Math.log(1.2) - t.offset, within(1e-12));
    assertThat(point[1]).isCloseTo(t.driftVariance, within(1e-15));
    assertThat(t.withinVariance).as("no per-sample variance is assumed").isZero();
    // two log-normal-ish samples of sd 0.25 each: a paired difference varies by about 2 x 0.0625
    assertThat(t.driftVariance).isBetween(0.04, 0.4);
  }

  @Test
  void aWindowWithOneGroupsSampleIsHeldForTheOtherGroupsNextNotDropped() {
    WindowJudge.Monitor m = warmedUp(true, new Random(3));
    long points = m.tracks.get(0).detector.points;
    WindowJudge.Judged lone =
        WindowJudge.judge(m, new Summary(), Summary.of(130), Telemetry.meanHypothesis());
    assertThat(lone.state()).isEqualTo(SteadyState.STEADY);
    assertThat(m.heldSamples[5]).as("the experimental sample held").isEqualTo(1.0);
    assertThat(m.heldSamples[3]).isEqualTo(130.0);
    assertThat(m.tracks.get(0).detector.points).as("not judged yet").isEqualTo(points);
    WindowJudge.judge(m, Summary.of(100), new Summary(), Telemetry.meanHypothesis());
    assertThat(m.tracks.get(0).detector.points)
        .as("paired with the control's next")
        .isEqualTo(points + 1);
    assertThat(m.heldSamples[2] + m.heldSamples[5]).isZero();
    assertThat(m.tracks.get(0).detector.previousD)
        .isCloseTo(Math.log(1.3) - m.tracks.get(0).offset, within(1e-12));

    // the pooled default cannot judge either window
    WindowJudge.Monitor pooled = warmedUp(false, new Random(3));
    assertThat(
            WindowJudge.judge(pooled, new Summary(), Summary.of(130), Telemetry.meanHypothesis())
                .state())
        .isEqualTo(SteadyState.INSUFFICIENT_DATA);
  }

  @Test
  void heldSamplesSurviveTheStore() {
    WindowJudge.Monitor m = warmedUp(true, new Random(4));
    WindowJudge.judge(m, Summary.of(97), new Summary(), Telemetry.meanHypothesis());
    StateSerde<WindowJudge.Monitor> serde = StateSerde.monitors();
    WindowJudge.Monitor back = serde.deserialize("t", serde.serialize("t", m));
    assertThat(back.pairedSingle).isTrue();
    assertThat(back.tracks.get(0).paired).isTrue();
    assertThat(back.heldSamples).containsExactly(97, 0, 1, 0, 0, 0);
  }
}
