package io.faultline.analyzer;

import io.faultline.analyzer.stats.BatchJudgement;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.PipelineOutcome;
import io.faultline.schema.PipelineVerdict;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A batch job's runs as the analyzer keeps them (in the experiment's timeline, docs/adr/0035): one
 * {@code pipeline.*} sample per figure and run, labelled {@code run} (its number) and {@code
 * sha256} (the store's checksum after it). A run is one datapoint, so runs are judged by {@link
 * BatchJudgement}, run i of one group against run i of the other, not in windows: a checksum that
 * differs is a deviation with any number of runs; the timings only with enough runs.
 */
public final class PipelineRuns {

  static final String PREFIX = "pipeline.";
  static final String RUN_LABEL = "run";
  static final String CHECKSUM_LABEL = "sha256";

  /** The figures judged over runs, each with its own hypothesis (direction, tolerance, alpha). */
  static final List<String> JUDGED = List.of("pipeline.job.duration.ms", "pipeline.tasks.failed");

  /** Run number -> run, per group. */
  public TreeMap<Integer, Run> control = new TreeMap<>();

  public TreeMap<Integer, Run> experimental = new TreeMap<>();

  /** One finished run: the store's checksum and its figures by metric. */
  public static final class Run {
    public String sha256 = "";
    public TreeMap<String, Double> figures = new TreeMap<>();
  }

  /** A run's figure: a {@code pipeline.*} sample naming its run and the store's checksum. */
  static boolean isRunSample(MetricSample s) {
    Map<String, String> labels = s.getLabels();
    return s.getMetric().startsWith(PREFIX)
        && labels != null
        && labels.containsKey(RUN_LABEL)
        && labels.containsKey(CHECKSUM_LABEL);
  }

  /**
   * Keeps the sample's figure and its run's checksum; false when both were known already (a replay)
   * or it is not a run's.
   */
  boolean add(MetricSample s) {
    if (!isRunSample(s)) {
      return false;
    }
    int number;
    try {
      number = Integer.parseInt(s.getLabels().get(RUN_LABEL));
    } catch (NumberFormatException e) {
      return false;
    }
    TreeMap<Integer, Run> runs = s.getGroup() == Group.CONTROL ? control : experimental;
    Run run = runs.computeIfAbsent(number, n -> new Run());
    String sha256 = s.getLabels().get(CHECKSUM_LABEL);
    // a checksum that moved changes the verdict (checksumsEqual) even when every figure is the same
    boolean newChecksum = !Objects.equals(run.sha256, sha256);
    Double before = run.figures.get(s.getMetric());
    boolean newFigure = before == null || before != s.getValue();
    if (!newChecksum && !newFigure) {
      // unchanged, the run left as it was: a timeline held between commits (docs/adr/0100) would
      // keep a -0.0 over a 0.0 that the store, not written, forgets
      return false;
    }
    run.sha256 = sha256;
    run.figures.put(s.getMetric(), s.getValue());
    return true;
  }

  /**
   * The verdict over the runs so far, each judged figure with {@code hypotheses}' direction and
   * tolerance, at the smallest of their alphas.
   */
  PipelineVerdict verdict(Function<String, Hypothesis> hypotheses) {
    List<BatchJudgement.Metric> metrics = new ArrayList<>();
    double alpha = 1.0;
    for (String name : JUDGED) {
      Hypothesis h = hypotheses.apply(name);
      alpha = Math.min(alpha, h.policy().alpha());
      metrics.add(
          new BatchJudgement.Metric(
              name,
              h.policy().direction(),
              h.policy().relativeTolerance(),
              figures(control, name),
              figures(experimental, name)));
    }
    List<String> controlSums = checksums(control);
    List<String> experimentalSums = checksums(experimental);
    BatchJudgement.Verdict v = BatchJudgement.judge(controlSums, experimentalSums, metrics, alpha);
    boolean equal = true;
    for (int i = 0; i < Math.min(controlSums.size(), experimentalSums.size()); i++) {
      equal &= controlSums.get(i).equals(experimentalSums.get(i));
    }
    return PipelineVerdict.newBuilder()
        .setOutcome(PipelineOutcome.valueOf(v.outcome().name()))
        .setControlRuns(control.size())
        .setExperimentalRuns(experimental.size())
        .setRunsNeeded(v.runsNeeded())
        .setChecksumsEqual(equal)
        .setReasons(v.reasons())
        .build();
  }

  /**
   * The result with the runs' verdict folded in: a deviation over runs makes the experiment
   * DEVIATED, runs that held make an experiment without a judged window STEADY, and not enough runs
   * leaves the live verdict as it is (an INCONCLUSIVE stays one, with the reason).
   */
  static ExperimentResult fold(ExperimentResult result, PipelineVerdict runs) {
    if (runs == null) {
      return result;
    }
    ExperimentResult.Builder b = ExperimentResult.newBuilder(result).setPipeline(runs);
    String says = "pipeline runs " + runs.getControlRuns() + " vs " + runs.getExperimentalRuns();
    String reasons = String.join("; ", runs.getReasons());
    Verdict live = result.getVerdict();
    switch (runs.getOutcome()) {
      case DEVIATED -> {
        if (live != Verdict.ABORTED) {
          b.setVerdict(Verdict.DEVIATED);
        }
        b.setReason(says + " deviated: " + reasons + "; live: " + result.getReason());
      }
      case STEADY -> {
        if (live == Verdict.INCONCLUSIVE || live == Verdict.UNKNOWN) {
          b.setVerdict(Verdict.STEADY);
        }
        b.setReason(
            says + " held: the same data, timings within tolerance; live: " + result.getReason());
      }
      default -> b.setReason(result.getReason() + "; " + says + ": " + reasons);
    }
    return b.build();
  }

  private static double[] figures(TreeMap<Integer, Run> runs, String metric) {
    return runs.values().stream()
        .filter(r -> r.figures.containsKey(metric))
        .mapToDouble(r -> r.figures.get(metric))
        .toArray();
  }

  private static List<String> checksums(TreeMap<Integer, Run> runs) {
    return runs.values().stream().map(r -> r.sha256).toList();
  }
}
