package io.faultline.analyzer.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The verdict on a batch job (docs/adr/0028): one run is one datapoint per metric, so a timing
 * metric is judged only with as many runs per group as the rank-sum test needs to reach {@code
 * alpha} at all; with fewer the answer is {@link Outcome#NOT_ENOUGH_RUNS} and how many are needed,
 * never "no deviation". The store's content is judged without statistics: an experimental run whose
 * checksum differs from its control run's lost, duplicated or changed data, a deviation whatever
 * the timings and however few the runs.
 */
public final class BatchJudgement {

  public enum Outcome {
    /** Every run's data equal to control's and, with enough runs, every metric within tolerance. */
    STEADY,
    /** A run's data differ from control's, or a metric left its tolerance over enough runs. */
    DEVIATED,
    /** The data agree, but too few runs to judge the timing metrics. */
    NOT_ENOUGH_RUNS
  }

  /** One metric's value per run, run i of each group on the same input. */
  public record Metric(
      String name, Direction direction, double tolerance, double[] control, double[] experimental) {
    public Metric {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(direction, name + ": direction");
    }
  }

  /**
   * @param runs the fewer of the two groups' runs
   * @param runsNeeded runs per group the rank-sum test needs at this alpha
   * @param reasons one line per deviation, or why there is no verdict on the timings
   */
  public record Verdict(Outcome outcome, int runs, int runsNeeded, List<String> reasons) {}

  private BatchJudgement() {}

  /**
   * @param controlChecksums the store's checksum after each control run, in run order
   * @param experimentalChecksums the same for the experimental group
   * @param metrics the timing and counting metrics, one value per run
   * @param alpha the false-alarm rate of each metric's test, 0 &lt; alpha &lt; 1
   */
  public static Verdict judge(
      List<String> controlChecksums,
      List<String> experimentalChecksums,
      List<Metric> metrics,
      double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    List<String> deviations = new ArrayList<>();
    for (int i = 0; i < experimentalChecksums.size() && !controlChecksums.isEmpty(); i++) {
      String reference = controlChecksums.get(Math.min(i, controlChecksums.size() - 1));
      if (!reference.equals(experimentalChecksums.get(i))) {
        deviations.add(
            String.format(
                Locale.ROOT,
                "store checksum of experimental run %d differs from control's: songs lost,"
                    + " duplicated or changed",
                i + 1));
      }
    }
    int runs = Math.min(controlChecksums.size(), experimentalChecksums.size());
    int needed = 0;
    for (Metric m : metrics) {
      needed = Math.max(needed, runsNeeded(alpha, m.direction()));
    }
    for (Metric m : metrics) {
      runs = Math.min(runs, Math.min(m.control().length, m.experimental().length));
    }
    if (runs < needed) {
      if (!deviations.isEmpty()) {
        return new Verdict(Outcome.DEVIATED, runs, needed, List.copyOf(deviations));
      }
      return new Verdict(
          Outcome.NOT_ENOUGH_RUNS,
          runs,
          needed,
          List.of(
              String.format(
                  Locale.ROOT,
                  "not enough runs: %d per group, %d needed to judge %s at alpha %s",
                  runs,
                  needed,
                  String.join(", ", metrics.stream().map(Metric::name).toList()),
                  alpha)));
    }
    for (Metric m : metrics) {
      MannWhitney.Judgement j =
          MannWhitney.classify(
              m.control(), m.experimental(), m.direction(), m.tolerance(), 1 - alpha);
      if (j.classification() == MannWhitney.Classification.HIGH
          || j.classification() == MannWhitney.Classification.LOW) {
        deviations.add(
            String.format(
                Locale.ROOT,
                "%s %s by %.4g over %d runs (tolerated %.4g)",
                m.name(),
                j.classification() == MannWhitney.Classification.HIGH ? "higher" : "lower",
                j.estimate(),
                runs,
                j.allowed()));
      }
    }
    return new Verdict(
        deviations.isEmpty() ? Outcome.STEADY : Outcome.DEVIATED,
        runs,
        needed,
        List.copyOf(deviations));
  }

  /**
   * The fewest runs per group with which the exact rank-sum test can reach {@code alpha}: with n
   * runs each, the most extreme ordering has probability 1/C(2n, n) (twice that when either
   * direction counts), so below this n no outcome is significant, whatever the figures.
   */
  public static int runsNeeded(double alpha, Direction direction) {
    double sides = direction == Direction.EITHER ? 2 : 1;
    for (int n = 1; n < 60; n++) {
      if (sides / binomial(2 * n, n) <= alpha) {
        return n;
      }
    }
    throw new IllegalArgumentException("alpha " + alpha + ": too small to reach with runs");
  }

  private static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }
}
