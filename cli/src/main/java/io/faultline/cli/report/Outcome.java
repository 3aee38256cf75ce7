package io.faultline.cli.report;

import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.Durations;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.PipelineOutcome;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What an experiment's result means for its hypothesis, with the exit code of {@code faultline
 * run}: 0 held, 1 not held, 2 error or no verdict, 3 aborted; and the one-sentence why.
 */
public record Outcome(int exitCode, String headline, String why) {

  public static final int HELD = 0;
  public static final int NOT_HELD = 1;
  public static final int ERROR = 2;
  public static final int ABORTED = 3;

  /**
   * @param runAbort why the run itself stopped early (guard, stop condition, Ctrl-C), or null
   * @param windowMs the experiment's analysis window, the precision of a time to recover
   */
  public static Outcome of(
      ExperimentResult r, List<MetricHypothesis> hypotheses, String runAbort, long windowMs) {
    if (runAbort != null) {
      return new Outcome(ABORTED, "ABORTED", "The experiment was aborted: " + runAbort + ".");
    }
    if (r == null) {
      return new Outcome(
          ERROR, "NO VERDICT", "The analyzer published no result for this experiment.");
    }
    if (r.getAborted() || r.getVerdict() == Verdict.ABORTED) {
      return new Outcome(
          ABORTED,
          "ABORTED",
          "The analyzer aborted the experiment: "
              + (r.getAbortReason() == null ? r.getReason() : r.getAbortReason())
              + ".");
    }
    List<String> failing = failingCritical(r, hypotheses);
    if (r.getVerdict() == Verdict.DEVIATED || !failing.isEmpty()) {
      Set<String> metrics = new LinkedHashSet<>(failing);
      if (r.getPipeline() != null && r.getPipeline().getOutcome() == PipelineOutcome.DEVIATED) {
        metrics.add("its batch runs (" + String.join("; ", r.getPipeline().getReasons()) + ")");
      }
      List<String> attacks = new ArrayList<>();
      for (AttackOutcome a : r.getAttacks()) {
        if (a.getMttdMs() != null) {
          metrics.addAll(a.getDeviatingMetrics());
          attacks.add(
              a.getFault()
                  + " (detected after "
                  + Durations.format(a.getMttdMs())
                  + ", "
                  + (a.getMttrMs() == null
                      ? "not recovered"
                      : "recovered in " + Recovery.of(a.getMttrMs(), windowMs))
                  + ")");
        }
      }
      return new Outcome(
          NOT_HELD,
          "HYPOTHESIS NOT HELD",
          "The experimental group left its steady state on "
              + String.join(", ", metrics)
              + (attacks.isEmpty() ? "" : " during " + String.join(" and ", attacks))
              + ".");
    }
    if (r.getVerdict() == Verdict.STEADY) {
      return new Outcome(
          HELD,
          "HYPOTHESIS HELD",
          "The experimental group stayed within tolerance of the control group on "
              + (r.getMetrics().isEmpty() ? "every metric" : r.getMetrics().size() + " metric(s)")
              + " over "
              + r.getWindowsJudged()
              + " judged windows, through "
              + r.getAttacks().size()
              + " attack(s).");
    }
    return new Outcome(
        ERROR,
        "INCONCLUSIVE",
        "No verdict: "
            + (r.getReason().isBlank() ? "not enough data was judged" : r.getReason())
            + ".");
  }

  /** Critical metrics whose end-of-run classification goes the way the hypothesis forbids. */
  static List<String> failingCritical(ExperimentResult r, List<MetricHypothesis> hypotheses) {
    Map<String, MetricHypothesis> byMetric =
        hypotheses.stream()
            .collect(
                Collectors.toMap(MetricHypothesis::getMetric, Function.identity(), (a, b) -> a));
    List<String> out = new ArrayList<>();
    for (MetricJudgement m : r.getMetrics()) {
      MetricHypothesis h = byMetric.get(m.getMetric());
      boolean critical = m.getCritical() || (h != null && h.getCritical());
      HypothesisDirection d = h == null ? HypothesisDirection.UNKNOWN : h.getDirection();
      boolean bad =
          (m.getClassification() == Classification.HIGH && d != HypothesisDirection.DECREASE)
              || (m.getClassification() == Classification.LOW && d != HypothesisDirection.INCREASE);
      if (critical && bad) {
        out.add(m.getMetric());
      }
    }
    return out;
  }
}
