package io.faultline.collector;

import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The analyzer's outputs as samples for CloudWatch (PutMetricData), so CloudWatch dashboards and
 * alarms can use faultline's derived figures beside their own metrics. Every sample is tagged
 * EXPERIMENTAL (the group these figures judge); target = the judged metric, or {@code experiment}
 * for whole-experiment figures.
 *
 * <ul>
 *   <li>per window verdict: {@code faultline.effect} (relative effect) and {@code
 *       faultline.deviating} (1 DEVIATING, 0 STEADY; INSUFFICIENT_DATA is not sent), at the
 *       window's end;
 *   <li>per result update: {@code faultline.hypothesis.held} (1 STEADY, 0 DEVIATED or ABORTED),
 *       {@code faultline.mttd.ms}, {@code faultline.mttr.ms}, {@code faultline.mtbf.ms}, {@code
 *       faultline.score}, {@code faultline.alerts.fired}, each when the result has it.
 * </ul>
 */
public final class DerivedMetrics {

  static final String EXPERIMENT_TARGET = "experiment";

  private DerivedMetrics() {}

  public static List<MetricSample> of(WindowVerdict v) {
    Samples samples = new Samples(v.getExperimentId());
    List<MetricSample> out = new ArrayList<>();
    long ts = v.getWindowEnd();
    if (Double.isFinite(v.getEffect())) {
      out.add(
          samples.of("faultline.effect", Group.EXPERIMENTAL, v.getMetric(), ts, v.getEffect(), ""));
    }
    if (v.getState() == SteadyState.DEVIATING || v.getState() == SteadyState.STEADY) {
      out.add(
          samples.of(
              "faultline.deviating",
              Group.EXPERIMENTAL,
              v.getMetric(),
              ts,
              v.getState() == SteadyState.DEVIATING ? 1 : 0,
              ""));
    }
    return out;
  }

  public static List<MetricSample> of(ExperimentResult r) {
    Samples samples = new Samples(r.getExperimentId());
    List<MetricSample> out = new ArrayList<>();
    long ts = r.getUpdatedAt();
    Verdict verdict = r.getVerdict();
    if (verdict == Verdict.STEADY || verdict == Verdict.DEVIATED || verdict == Verdict.ABORTED) {
      out.add(
          samples.of(
              "faultline.hypothesis.held",
              Group.EXPERIMENTAL,
              EXPERIMENT_TARGET,
              ts,
              verdict == Verdict.STEADY ? 1 : 0,
              ""));
    }
    add(out, samples, "faultline.mttd.ms", ts, r.getMttdMs(), "ms");
    add(out, samples, "faultline.mttr.ms", ts, r.getMttrMs(), "ms");
    add(out, samples, "faultline.mtbf.ms", ts, r.getMtbfMs(), "ms");
    add(out, samples, "faultline.score", ts, r.getScore(), "");
    add(out, samples, "faultline.alerts.fired", ts, r.getAlertsFired(), "alerts");
    return out;
  }

  private static void add(
      List<MetricSample> out, Samples samples, String metric, long ts, Number value, String unit) {
    if (value != null && Double.isFinite(value.doubleValue())) {
      out.add(
          samples.of(metric, Group.EXPERIMENTAL, EXPERIMENT_TARGET, ts, value.doubleValue(), unit));
    }
  }
}
