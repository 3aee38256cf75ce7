package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An anchor set after the fact ({@link EDetector#anchorSince}, docs/adr/0042) holds what the anchor
 * set in time holds, and is refused when its candidate cannot be told apart.
 */
class EDetectorLateAnchorTest {

  private static EDetector detector() {
    return new EDetector(Direction.INCREASE, 0.05, 60, 0.5, 0.0, 0.95);
  }

  @Test
  void aLateAnchorGivesTheStatisticOfAnAnchorSetInTime() {
    Random r = new Random(5);
    double[] x = new double[30];
    for (int t = 0; t < x.length; t++) {
      x[t] = r.nextGaussian() + (t >= 6 ? 1.5 : 0);
    }
    EDetector.State inTime = primed();
    EDetector.State late = primed();
    EDetector.anchorPending(inTime);
    EDetector.anchorPending(late);
    for (int t = 0; t < x.length; t++) {
      if (t == 6) {
        EDetector.anchorNext(inTime);
      }
      if (t == 10) {
        assertThat(EDetector.anchorSince(late, 6 * 5000L)).isTrue();
      }
      double a = detector().updateNormal(inTime, t * 5000L, x[t], 1).logStatistic();
      double b = detector().updateNormal(late, t * 5000L, x[t], 1).logStatistic();
      if (t < 6 || t >= 10) {
        assertThat(b).as("datapoint %d", t).isCloseTo(a, within(1e-9));
      }
    }
    assertThat(late.anchor).isEqualTo(inTime.anchor).isEqualTo(7L);
  }

  @Test
  void aLateAnchorOfARateComparesWithTheControlSinceItsCandidate() {
    EDetector d = new EDetector(Direction.INCREASE, 0.05, 60, 0.02, 0.0, 0.95);
    EDetector.State inTime = new EDetector.State();
    EDetector.State late = new EDetector.State();
    double[] errors = {1, 0, 2, 1};
    double[] requests = {100, 100, 100, 100};
    d.primeControl(inTime, errors, requests, 0.01 * 0.99);
    d.primeControl(late, errors, requests, 0.01 * 0.99);
    EDetector.anchorPending(inTime);
    EDetector.anchorPending(late);
    Random r = new Random(9);
    for (int t = 0; t < 20; t++) {
      if (t == 4) {
        EDetector.anchorNext(inTime);
      }
      if (t == 8) {
        assertThat(EDetector.anchorSince(late, 4 * 5000L)).isTrue();
        assertThat(late.anchorLevelInfo).isCloseTo(inTime.anchorLevelInfo, within(1e-9));
        assertThat(late.anchorLevelScore).isCloseTo(inTime.anchorLevelScore, within(1e-9));
      }
      // the control's errors rise too from datapoint 4: a shared cause
      double controlErrors = t >= 4 ? 3 + r.nextInt(3) : r.nextInt(3);
      double experimentalErrors = t >= 4 ? 4 + r.nextInt(3) : r.nextInt(3);
      EDetector.RateWindow w =
          new EDetector.RateWindow(experimentalErrors, 100, controlErrors, 100, 0.01 * 0.99);
      double a =
          d.updateRate(inTime, t * 5000L, experimentalErrors / 100, 0.02 * 0.98 / 100, w)
              .logStatistic();
      double b =
          d.updateRate(late, t * 5000L, experimentalErrors / 100, 0.02 * 0.98 / 100, w)
              .logStatistic();
      if (t < 4 || t >= 8) {
        assertThat(b).as("window %d", t).isCloseTo(a, within(1e-9));
      }
    }
  }

  @Test
  void noLateAnchorWhenItsCandidateIsGoneOrAnAnchorIsSet() {
    EDetector.State s = primed();
    EDetector.anchorPending(s);
    for (int t = 0; t < 80; t++) {
      detector().updateNormal(s, t * 5000L, 0.0, 1);
    }
    // datapoint 3 (time 3 * 5000) is 76 datapoints old: thinned, and its successor kept cannot
    // be told to be the first at or after it
    assertThat(EDetector.anchorSince(s, 3 * 5000L + 1)).isFalse();
    assertThat(s.anchor).isEqualTo(EDetector.PENDING);
    // within the latest 32 every candidate is kept
    assertThat(EDetector.anchorSince(s, 60 * 5000L)).isTrue();
    assertThat(s.anchor).isEqualTo(61L);
    // set once: a later start does not move it
    assertThat(EDetector.anchorSince(s, 70 * 5000L)).isFalse();
    assertThat(s.anchor).isEqualTo(61L);
    // spent after a reset
    EDetector.reset(s);
    EDetector.anchorPending(s);
    assertThat(s.anchor).isEqualTo(-1L);
  }

  private static EDetector.State primed() {
    EDetector.State s = new EDetector.State();
    Random r = new Random(1);
    double[] warm = new double[20];
    double[] v = new double[20];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = r.nextGaussian();
      v[i] = 1;
    }
    detector().prime(s, warm, v);
    return s;
  }
}
