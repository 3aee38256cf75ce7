package io.faultline.analyzer;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;

/**
 * The window judgement of a failure counter (docs/adr/0035): a cumulative count of failures such as
 * {@code spark.tasks.failed} or {@code spark.executors.lost}, sampled now and then. Such a counter
 * stays constant in both groups almost always, so it has no variance to learn a baseline from, and
 * its source may report nothing for a while (a driver too busy to answer). It needs no baseline:
 * the control group's count is the reference. A window is DEVIATING when the experimental group's
 * failures beyond the control's reach a new high by more than the tolerance (in failures), STEADY
 * otherwise, including every window in which neither counter moved (no evidence of a change is no
 * reason for an inconclusive experiment). A counter keeps its last value in a window without a
 * sample; its value at the experiment's start is its lowest one in the warm-up, else 0 (a counter
 * that began with the job and reported nothing before the attack).
 */
public final class FailureCounters {

  private FailureCounters() {}

  /** What a counter carries from window to window (in its {@link WindowJudge.Monitor}). */
  public static final class State {
    public Double baseControl;
    public Double baseExperimental;
    public Double lastControl;
    public Double lastExperimental;

    /** The highest excess of experimental over control failures judged so far. */
    public double excessMax;
  }

  /** A failure counter by name, watched for a rise: {@code *.failed}, {@code *.lost}, failures. */
  static boolean applies(String metric, Hypothesis hypothesis) {
    boolean named =
        metric.endsWith(".failed")
            || metric.endsWith(".lost")
            || metric.endsWith(".failures")
            || metric.endsWith("_failures");
    return named && !hypothesis.rate() && hypothesis.policy().direction() != Direction.DECREASE;
  }

  static WindowJudge.Judged judge(
      WindowJudge.Monitor m,
      Summary control,
      Summary experimental,
      Hypothesis hypothesis,
      long windowStart,
      long windowEnd) {
    State s = m.counter == null ? (m.counter = new State()) : m.counter;
    boolean warmUp = m.learnUntil > 0 && windowEnd <= m.learnUntil;
    if (control.count() > 0) {
      s.lastControl = control.max();
      if (warmUp) {
        s.baseControl =
            s.baseControl == null ? control.min() : Math.min(s.baseControl, control.min());
      }
    }
    if (experimental.count() > 0) {
      s.lastExperimental = experimental.max();
      if (warmUp) {
        s.baseExperimental =
            s.baseExperimental == null
                ? experimental.min()
                : Math.min(s.baseExperimental, experimental.min());
      }
    }
    boolean news = control.count() > 0 || experimental.count() > 0;
    if (warmUp || !news || s.lastControl == null || s.lastExperimental == null) {
      return new WindowJudge.Judged(SteadyState.INSUFFICIENT_DATA, 0.0, 0.0, null);
    }
    double excess =
        (s.lastExperimental - orZero(s.baseExperimental)) - (s.lastControl - orZero(s.baseControl));
    double tolerance =
        hypothesis.policy().relativeTolerance() + hypothesis.policy().absoluteTolerance();
    if (excess > s.excessMax + tolerance) {
      double rise = excess - s.excessMax;
      s.excessMax = excess;
      return new WindowJudge.Judged(
          SteadyState.DEVIATING, rise, rise, 0.0, windowStart, rise, rise, rise, Statistic.MEAN);
    }
    return new WindowJudge.Judged(SteadyState.STEADY, 0.0, 0.0, 1.0);
  }

  private static double orZero(Double v) {
    return v == null ? 0.0 : v;
  }
}
