package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.schema.SteadyState;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WelchWindowTestTest {

  private static final MetricPolicy LATENCY = MetricPolicy.defaultFor("http.latency.ms");

  @Test
  void welchStatisticMatchesHandComputedValue() {
    // control mean 10, var 2.5 (n=5); experimental mean 20, var 2.5 (n=5); zero tolerance:
    // t = (20 - 10) / sqrt(2.5/5 + 2.5/5) = 10, df = 8.
    MetricPolicy exact = new MetricPolicy(Direction.INCREASE, 0, 0, 0.01, 3);
    WindowJudgement j =
        WelchWindowTest.judge(Summary.of(8, 9, 10, 11, 12), Summary.of(18, 19, 20, 21, 22), exact);
    assertThat(j.statistic()).isCloseTo(10.0, within(1e-9));
    assertThat(j.pValue()).isLessThan(1e-5);
    assertThat(j.effect()).isCloseTo(1.0, within(1e-12));
    assertThat(j.state()).isEqualTo(SteadyState.DEVIATING);
  }

  @Test
  void degreesOfFreedomFollowWelchSatterthwaite() {
    // equal variances and sizes: df = 2(n - 1)
    assertThat(WelchWindowTest.welchDegreesOfFreedom(0.5, 5, 0.5, 5)).isCloseTo(8.0, within(1e-9));
  }

  @Test
  void sameDistributionIsSteadyInNearlyEveryWindow() {
    Random random = new Random(7);
    int deviating = 0;
    for (int window = 0; window < 2000; window++) {
      Summary control = new Summary();
      Summary experimental = new Summary();
      for (int i = 0; i < 50; i++) {
        control.add(20 + 5 * random.nextGaussian());
        experimental.add(20 + 5 * random.nextGaussian());
      }
      if (WelchWindowTest.judge(control, experimental, LATENCY).state() == SteadyState.DEVIATING) {
        deviating++;
      }
    }
    assertThat(deviating).isLessThanOrEqualTo(2); // alpha 0.001 before tolerance: expect ~0
  }

  @Test
  void doubledLatencyDeviates() {
    Random random = new Random(11);
    Summary control = new Summary();
    Summary experimental = new Summary();
    for (int i = 0; i < 50; i++) {
      control.add(20 + 5 * random.nextGaussian());
      experimental.add(40 + 10 * random.nextGaussian());
    }
    assertThat(WelchWindowTest.judge(control, experimental, LATENCY).state())
        .isEqualTo(SteadyState.DEVIATING);
  }

  @Test
  void riseWithinToleranceIsSteady() {
    Random random = new Random(3);
    Summary control = new Summary();
    Summary experimental = new Summary();
    for (int i = 0; i < 200; i++) {
      control.add(20 + random.nextGaussian());
      experimental.add(23 + random.nextGaussian()); // +15%, tolerance is 25% + 2 ms
    }
    assertThat(WelchWindowTest.judge(control, experimental, LATENCY).state())
        .isEqualTo(SteadyState.STEADY);
  }

  @Test
  void deadTargetErrorRateAgainstHealthyControlDeviates() {
    MetricPolicy rate = MetricPolicy.defaultFor("http.error.rate");
    WindowJudgement j =
        WelchWindowTest.judge(Summary.of(0, 0, 0, 0, 0), Summary.of(1, 1, 1, 1, 1), rate);
    assertThat(j.state()).isEqualTo(SteadyState.DEVIATING);
    assertThat(
            WelchWindowTest.judge(Summary.of(0, 0, 0, 0, 0), Summary.of(0, 0, 0, 0, 0), rate)
                .state())
        .isEqualTo(SteadyState.STEADY);
  }

  @Test
  void perRequestErrorOutcomesUseTheRatePolicy() {
    MetricPolicy perRequest = MetricPolicy.defaultFor("http.error");
    assertThat(perRequest.absoluteTolerance()).isEqualTo(0.02);
    Summary control = new Summary();
    Summary experimental = new Summary();
    for (int i = 0; i < 100; i++) {
      control.add(0);
      experimental.add(i < 20 ? 1 : 0); // 1 s of a dead target in a 5 s window at 20 rps
    }
    assertThat(WelchWindowTest.judge(control, experimental, perRequest).state())
        .isEqualTo(SteadyState.DEVIATING);
  }

  @Test
  void baselineRatioFromWarmUpAbsorbsAStandingDifference() {
    Summary warmControl = Summary.of(10, 11, 9, 10, 10, 11, 9, 10);
    Summary warmExperimental = Summary.of(20, 22, 18, 20, 20, 22, 18, 20);
    Baseline baseline = Baseline.learn(warmControl, warmExperimental, LATENCY);
    assertThat(baseline.scale()).isCloseTo(2.0, within(1e-9));
    Summary control = Summary.of(10, 11, 9, 10, 10, 11, 9, 10);
    assertThat(
            WelchWindowTest.judge(
                    control, Summary.of(20, 21, 19, 20, 20, 21, 19, 20), LATENCY, baseline)
                .state())
        .isEqualTo(SteadyState.STEADY);
    assertThat(
            WelchWindowTest.judge(
                    control, Summary.of(40, 42, 38, 40, 40, 42, 38, 40), LATENCY, baseline)
                .state())
        .isEqualTo(SteadyState.DEVIATING);
  }

  @Test
  void rateBaselineIsADifferenceNotARatio() {
    MetricPolicy rate = MetricPolicy.defaultFor("http.error");
    Baseline baseline = Baseline.learn(Summary.of(0, 0, 0, 0), Summary.of(0, 0, 0, 1), rate);
    assertThat(baseline.scale()).isEqualTo(1.0);
    assertThat(baseline.offset()).isEqualTo(0.25);
  }

  @Test
  void tooFewSamplesIsInsufficientData() {
    MetricPolicy fivePerGroup = new MetricPolicy(Direction.INCREASE, 0.25, 2.0, 0.001, 5);
    assertThat(
            WelchWindowTest.judge(Summary.of(1, 2, 3, 4, 5), Summary.of(1, 2), fivePerGroup)
                .state())
        .isEqualTo(SteadyState.INSUFFICIENT_DATA);
    // a variance needs two samples, whatever the policy
    assertThat(WelchWindowTest.judge(Summary.of(1, 2, 3), Summary.of(1), LATENCY).state())
        .isEqualTo(SteadyState.INSUFFICIENT_DATA);
  }

  @Test
  void decreaseDirectionIgnoresRises() {
    MetricPolicy throughput = new MetricPolicy(Direction.DECREASE, 0.1, 0, 0.01, 3);
    assertThat(
            WelchWindowTest.judge(
                    Summary.of(10, 11, 10, 11), Summary.of(50, 51, 50, 51), throughput)
                .state())
        .isEqualTo(SteadyState.STEADY);
    assertThat(
            WelchWindowTest.judge(Summary.of(10, 11, 10, 11), Summary.of(2, 3, 2, 3), throughput)
                .state())
        .isEqualTo(SteadyState.DEVIATING);
  }
}
