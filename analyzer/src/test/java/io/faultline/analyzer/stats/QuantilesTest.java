package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.HypothesisStatistic;
import io.faultline.schema.MetricHypothesis;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantilesTest {

  @Test
  void quantilesStayWithinOnePercentAndSurviveMergeAndEncoding() {
    Random random = new Random(2);
    double[] values = new double[20_000];
    Quantiles a = new Quantiles();
    Quantiles b = new Quantiles();
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.exp(3 + random.nextGaussian());
      (i % 2 == 0 ? a : b).add(values[i]);
    }
    Quantiles merged = Quantiles.decode(a.merge(Quantiles.decode(b.encode())).encode());
    Arrays.sort(values);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double exact = values[(int) Math.ceil(q * values.length) - 1];
      assertThat(merged.quantile(q))
          .isCloseTo(exact, org.assertj.core.data.Percentage.withPercentage(1.5));
    }
    assertThat(merged.count()).isEqualTo(values.length);
    assertThat(new Quantiles().quantile(0.5)).isNaN();
  }

  @Test
  void declaredHypothesesOverrideTheDefaultsAndBadOnesAreNamed() {
    Hypothesis h =
        Hypothesis.of(
            "http.latency.ms",
            MetricHypothesis.newBuilder()
                .setMetric("http.latency.ms")
                .setDirection(HypothesisDirection.EITHER)
                .setTolerance(0.1)
                .setAlpha(0.05)
                .setAbortThreshold(-0.8)
                .build());
    assertThat(h.policy().direction()).isEqualTo(Direction.EITHER);
    assertThat(h.policy().relativeTolerance()).isEqualTo(0.1);
    assertThat(h.policy().absoluteTolerance()).as("the declared tolerance is the whole").isZero();
    assertThat(h.policy().alpha()).isEqualTo(0.05);
    assertThat(h.abortsAt(-0.9)).isTrue();
    assertThat(h.abortsAt(0.5)).isFalse();

    Hypothesis errors =
        Hypothesis.of(
            "http.error",
            MetricHypothesis.newBuilder().setMetric("http.error").setTolerance(0.05).build());
    assertThat(errors.rate()).isTrue();
    assertThat(errors.policy().absoluteTolerance()).isEqualTo(0.05);
    assertThat(errors.policy().direction()).isEqualTo(Direction.INCREASE);

    assertThatThrownBy(
            () ->
                Hypothesis.of(
                    "http.error",
                    MetricHypothesis.newBuilder().setMetric("http.error").setAlpha(5.0).build()))
        .hasMessageContaining("hypothesis of http.error: alpha 5.0 must be between 0 and 1");
    assertThat(h.statistics())
        .as("latency by default: mean and tail")
        .containsExactly(Statistic.MEAN, Statistic.P99);

    Hypothesis spread =
        Hypothesis.of(
            "cpu.usage",
            MetricHypothesis.newBuilder()
                .setMetric("cpu.usage")
                .setStatistics(
                    List.of(
                        HypothesisStatistic.SPREAD,
                        HypothesisStatistic.UNKNOWN,
                        HypothesisStatistic.P99,
                        HypothesisStatistic.SPREAD))
                .build());
    assertThat(spread.statistics())
        .as("declared, once each; a newer writer's symbol skipped")
        .containsExactly(Statistic.SPREAD, Statistic.P99);
    assertThat(
            Hypothesis.of(
                    "http.error",
                    MetricHypothesis.newBuilder()
                        .setMetric("http.error")
                        .setStatistics(List.of(HypothesisStatistic.P99))
                        .build())
                .statistics())
        .as("a rate is judged on its rate")
        .containsExactly(Statistic.MEAN);
    assertThat(Hypothesis.defaultFor("cpu.usage").policy().direction()).isEqualTo(Direction.EITHER);
    assertThat(Hypothesis.defaultFor("cpu.usage").policy().alpha()).isEqualTo(0.01);
  }
}
