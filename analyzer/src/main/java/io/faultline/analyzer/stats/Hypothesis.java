package io.faultline.analyzer.stats;

import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.HypothesisStatistic;
import io.faultline.schema.MetricHypothesis;
import java.util.List;

/**
 * What "steady" means for one metric in one experiment: the declared {@link MetricHypothesis} on
 * the Experiment record, or the documented default for the metric's name.
 *
 * @param policy direction, tolerances, alpha (the experiment-wide false-alarm bound of the
 *     sequential test) and minimum samples per group and window
 * @param rate 0/1 outcomes (errors per request): judged by the sequential rate test, tolerance
 *     absolute
 * @param critical a critical metric classified HIGH or LOW at the end fails the whole run
 * @param abortThreshold relative effect beyond which the experiment is halted; NaN = never
 * @param statistics what of the distribution is watched (each its own detector, alpha split
 *     evenly); rates are judged on their rate alone
 */
public record Hypothesis(
    MetricPolicy policy,
    boolean rate,
    boolean critical,
    double abortThreshold,
    List<Statistic> statistics) {

  public Hypothesis {
    statistics =
        statistics == null || statistics.isEmpty()
            ? List.of(Statistic.MEAN)
            : List.copyOf(statistics);
  }

  /** Watching the mean only. */
  public Hypothesis(MetricPolicy policy, boolean rate, boolean critical, double abortThreshold) {
    this(policy, rate, critical, abortThreshold, List.of(Statistic.MEAN));
  }

  /** The same hypothesis watching other statistics. */
  public Hypothesis watching(List<Statistic> watched) {
    return new Hypothesis(policy, rate, critical, abortThreshold, watched);
  }

  /** Latencies watch the mean and the tail unless told otherwise; everything else the mean. */
  static List<Statistic> defaultStatistics(String metric) {
    return metric.contains("latency") || metric.endsWith(".ms")
        ? List.of(Statistic.MEAN, Statistic.P99)
        : List.of(Statistic.MEAN);
  }

  /** The experiment-wide false-alarm bound per metric when none is declared. */
  public static final double DEFAULT_ALPHA = 0.01;

  /**
   * Defaults by metric name (analyzer/README.md): {@code *.error} are 0/1 outcomes per request
   * judged as a rate, may rise 2 points; latencies ({@code *latency*}, {@code *.ms}) may rise 25% +
   * 2; {@code *.rate}/{@code *.ratio} may rise 0.02; other {@code *error*} metrics 25% + 1;
   * anything else may move 25% either way. Alpha 0.01, not critical, no abort.
   */
  public static Hypothesis defaultFor(String metric) {
    boolean rate = metric.endsWith(".error");
    MetricPolicy base = MetricPolicy.defaultFor(metric);
    MetricPolicy policy =
        new MetricPolicy(
            base.direction(),
            rate ? 0.0 : base.relativeTolerance(),
            base.absoluteTolerance(),
            DEFAULT_ALPHA,
            base.minCount());
    return new Hypothesis(
        policy,
        rate,
        false,
        Double.NaN,
        rate ? List.of(Statistic.MEAN) : defaultStatistics(metric));
  }

  /**
   * The declared hypothesis over the metric's default: direction, tolerance (relative, replacing
   * the default's relative and absolute parts; for rates the absolute rise of the rate), alpha,
   * critical, abort threshold and the statistics judged (a rate is judged on its rate alone).
   */
  public static Hypothesis of(String metric, MetricHypothesis declared) {
    Hypothesis d = defaultFor(metric);
    if (declared == null) {
      return d;
    }
    MetricPolicy p = d.policy();
    Direction direction =
        switch (declared.getDirection() == null
            ? HypothesisDirection.UNKNOWN
            : declared.getDirection()) {
          case INCREASE -> Direction.INCREASE;
          case DECREASE -> Direction.DECREASE;
          case EITHER -> Direction.EITHER;
          default -> p.direction();
        };
    Double tolerance = declared.getTolerance();
    if (tolerance != null && !(tolerance >= 0 && tolerance < 100)) {
      throw new IllegalArgumentException(
          "hypothesis of " + metric + ": tolerance " + tolerance + " must be between 0 and 100");
    }
    Double alpha = declared.getAlpha();
    if (alpha != null && !(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException(
          "hypothesis of " + metric + ": alpha " + alpha + " must be between 0 and 1");
    }
    double relative = p.relativeTolerance();
    double absolute = p.absoluteTolerance();
    if (tolerance != null) {
      if (d.rate()) {
        absolute = tolerance;
      } else {
        // a declared tolerance is the whole tolerance: the default's absolute floor (e.g. +2 ms
        // on latencies) would hide a doubling of a 2 ms service
        relative = tolerance;
        absolute = 0.0;
      }
    }
    MetricPolicy policy =
        new MetricPolicy(
            direction, relative, absolute, alpha == null ? p.alpha() : alpha, p.minCount());
    Double abort = declared.getAbortThreshold();
    return new Hypothesis(
        policy,
        d.rate(),
        declared.getCritical(),
        abort == null ? Double.NaN : Math.abs(abort),
        d.rate() ? d.statistics() : statistics(declared.getStatistics(), d.statistics()));
  }

  /** The declared statistics, in order and once each; none (or only UNKNOWN) = the default. */
  private static List<Statistic> statistics(
      List<HypothesisStatistic> declared, List<Statistic> otherwise) {
    if (declared == null) {
      return otherwise;
    }
    var out = new java.util.LinkedHashSet<Statistic>();
    for (HypothesisStatistic s : declared) {
      switch (s) {
        case MEAN -> out.add(Statistic.MEAN);
        case P99 -> out.add(Statistic.P99);
        case SPREAD -> out.add(Statistic.SPREAD);
        default -> {} // a newer writer's statistic this analyzer does not know: skipped
      }
    }
    return out.isEmpty() ? otherwise : List.copyOf(out);
  }

  /** True when an effect (relative to the expected level) is past the abort threshold. */
  public boolean abortsAt(double effect) {
    if (Double.isNaN(abortThreshold)) {
      return false;
    }
    return switch (policy.direction()) {
      case INCREASE -> effect > abortThreshold;
      case DECREASE -> effect < -abortThreshold;
      case EITHER -> Math.abs(effect) > abortThreshold;
    };
  }
}
