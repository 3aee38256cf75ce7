package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.ExperimentResult;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class DerivedMetricsTest {

  static WindowVerdict verdict(SteadyState state, double effect) {
    return WindowVerdict.newBuilder()
        .setExperimentId("e1")
        .setMetric("http.latency.ms")
        .setWindowStart(10_000)
        .setWindowEnd(15_000)
        .setControl(GroupStatistics.newBuilder().build())
        .setExperimental(GroupStatistics.newBuilder().build())
        .setEffect(effect)
        .setTestStatistic(0)
        .setState(state)
        .build();
  }

  private static List<String> lines(List<MetricSample> samples) {
    return samples.stream()
        .map(
            s ->
                s.getMetric()
                    + " "
                    + s.getGroup()
                    + " "
                    + s.getTarget()
                    + " @"
                    + s.getTimestamp()
                    + " = "
                    + s.getValue()
                    + " "
                    + s.getUnit())
        .toList();
  }

  @Test
  void aWindowVerdictBecomesItsEffectAndWhetherItDeviates() {
    assertThat(lines(DerivedMetrics.of(verdict(SteadyState.DEVIATING, 0.8))))
        .containsExactly(
            "faultline.effect EXPERIMENTAL http.latency.ms @15000 = 0.8 ",
            "faultline.deviating EXPERIMENTAL http.latency.ms @15000 = 1.0 ");
    assertThat(lines(DerivedMetrics.of(verdict(SteadyState.STEADY, 0.01))))
        .contains("faultline.deviating EXPERIMENTAL http.latency.ms @15000 = 0.0 ");
    // no judgement yet: only the effect, and nothing that is not a number
    assertThat(lines(DerivedMetrics.of(verdict(SteadyState.INSUFFICIENT_DATA, Double.NaN))))
        .isEmpty();
  }

  @Test
  void aResultBecomesTheExperimentsFiguresWhereItHasThem() {
    ExperimentResult held =
        ExperimentResult.newBuilder()
            .setExperimentId("e1")
            .setVerdict(Verdict.DEVIATED)
            .setUpdatedAt(99_000)
            .setWindowsJudged(12)
            .setMttdMs(4_300L)
            .setMttrMs(8_300L)
            .setScore(62.5)
            .setAlertsFired(2)
            .setReason("")
            .build();
    assertThat(lines(DerivedMetrics.of(held)))
        .containsExactly(
            "faultline.hypothesis.held EXPERIMENTAL experiment @99000 = 0.0 ",
            "faultline.mttd.ms EXPERIMENTAL experiment @99000 = 4300.0 ms",
            "faultline.mttr.ms EXPERIMENTAL experiment @99000 = 8300.0 ms",
            "faultline.score EXPERIMENTAL experiment @99000 = 62.5 ",
            "faultline.alerts.fired EXPERIMENTAL experiment @99000 = 2.0 alerts");
    ExperimentResult running =
        ExperimentResult.newBuilder(held)
            .setVerdict(Verdict.UNKNOWN)
            .setMttdMs(null)
            .setMttrMs(null)
            .setScore(null)
            .build();
    assertThat(lines(DerivedMetrics.of(running)))
        .containsExactly("faultline.alerts.fired EXPERIMENTAL experiment @99000 = 2.0 alerts");
    assertThat(CloudWatchMetricPublisher.unit("alerts"))
        .isEqualTo(software.amazon.awssdk.services.cloudwatch.model.StandardUnit.COUNT);
  }
}
