package io.faultline.bench;

import io.faultline.analyzer.WindowJudge;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Detection delay and false alarms on simulated windows, three judges on the same data in the same
 * run: the analyzer's sequential test ({@link WindowJudge}), a fixed mean + 3 sigma rule on the
 * experimental group (sigma from the warm-up windows, the usual control-chart threshold), and the
 * end-of-run Mann-Whitney classification (Kayenta style; it can only speak at the end, so its delay
 * is the rest of the run).
 *
 * <p>Each run: 4 warm-up windows, then 60 judged windows; a fault starts at judged window 20 and
 * lasts to the end. 100 samples per group and window. Latency N(100, 20) per sample, hypothesis:
 * increase, tolerance 25% + 2, alpha 0.01. Errors: 0/1 per request at 1%, hypothesis: increase,
 * tolerance 0.5 points, alpha 0.01.
 *
 * <pre>
 * java -cp "bench/target/faultline-bench.jar:bench/target/lib/*" io.faultline.bench.DetectionBench [runs]
 * </pre>
 */
public final class DetectionBench {

  static final int WARMUP = 4;
  static final int WINDOWS = 60;
  static final int FAULT_AT = 20;
  static final int SAMPLES = 100;

  private DetectionBench() {}

  interface Scenario {
    /** The experimental group's value of one sample in judged window w (negative = warm-up). */
    double experimental(Random r, int w);

    double control(Random r);
  }

  record Outcome(List<Integer> sequential, List<Integer> shewhart, List<Integer> mannWhitney) {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Hypothesis latency =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.25, 2.0, 0.01, 5), false, false, Double.NaN);
    Hypothesis errors =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.0, 0.005, 0.01, 5), true, false, Double.NaN);
    System.out.printf(
        Locale.ROOT,
        "%d runs per scenario; %d warm-up + %d judged windows of %d samples per group; fault from"
            + " judged window %d.%n%n",
        runs,
        WARMUP,
        WINDOWS,
        SAMPLES,
        FAULT_AT);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s |%n",
        "scenario",
        "sequential: det% med p90 FA%",
        "mean+3sigma: det% med p90 FA%",
        "Mann-Whitney end: det% FA%");
    System.out.println("|---|---|---|---|");
    report("no fault (latency)", runs, latency, gaussian(0.0), true);
    report("+20% latency (in tolerance)", runs, latency, gaussian(0.2), true);
    report("+50% latency", runs, latency, gaussian(0.5), false);
    report("+100% latency", runs, latency, gaussian(1.0), false);
    report("no fault (errors 1%)", runs, errors, bernoulli(0.01, 0.01), true);
    report("errors 1% -> 3%", runs, errors, bernoulli(0.01, 0.03), false);
    report("outage (errors 1% -> 100%)", runs, errors, bernoulli(0.01, 1.0), false);
  }

  static Scenario gaussian(double shift) {
    return new Scenario() {
      @Override
      public double experimental(Random r, int w) {
        return (w >= FAULT_AT ? 100 * (1 + shift) : 100) + 20 * r.nextGaussian();
      }

      @Override
      public double control(Random r) {
        return 100 + 20 * r.nextGaussian();
      }
    };
  }

  static Scenario bernoulli(double base, double faulty) {
    return new Scenario() {
      @Override
      public double experimental(Random r, int w) {
        return r.nextDouble() < (w >= FAULT_AT ? faulty : base) ? 1 : 0;
      }

      @Override
      public double control(Random r) {
        return r.nextDouble() < base ? 1 : 0;
      }
    };
  }

  /**
   * @param faultFree the scenario is within the hypothesis: any alarm is a false alarm
   */
  static void report(String name, int runs, Hypothesis h, Scenario s, boolean faultFree) {
    Random random = new Random(name.hashCode());
    List<Integer> seq = new ArrayList<>();
    List<Integer> shew = new ArrayList<>();
    int seqAlarms = 0;
    int shewAlarms = 0;
    int mwAlarms = 0;
    for (int run = 0; run < runs; run++) {
      WindowJudge.Monitor m = new WindowJudge.Monitor();
      m.warmupWindows = WARMUP;
      Summary warmMeans = new Summary();
      double warmWithin = 0;
      int seqAt = -1;
      int shewAt = -1;
      double[] controlMeans = new double[WINDOWS];
      double[] experimentalMeans = new double[WINDOWS];
      double warmC = 0;
      double warmE = 0;
      for (int w = -WARMUP; w < WINDOWS; w++) {
        Summary c = new Summary();
        Summary e = new Summary();
        for (int i = 0; i < SAMPLES; i++) {
          c.add(s.control(random));
          e.add(s.experimental(random, w));
        }
        SteadyState state = WindowJudge.judge(m, c, e, h).state();
        if (w < 0) {
          warmMeans.add(e.mean());
          warmWithin += e.variance() / e.count() / WARMUP;
          warmC += c.mean() / WARMUP;
          warmE += e.mean() / WARMUP;
          continue;
        }
        controlMeans[w] = c.mean();
        experimentalMeans[w] = e.mean();
        if (seqAt < 0 && state == SteadyState.DEVIATING) {
          seqAt = w;
        }
        double sigma = Math.sqrt(Math.max(warmMeans.variance(), warmWithin));
        if (shewAt < 0 && e.mean() > warmMeans.mean() + 3 * sigma) {
          shewAt = w;
        }
      }
      // Mann-Whitney over the judged windows' means, control shifted by the warm-up difference
      double gap = warmE - warmC;
      double[] shifted = Arrays.stream(controlMeans).map(v -> v + gap).toArray();
      double level = Math.abs(MannWhitney.mean(shifted));
      double tolerance =
          h.policy().relativeTolerance() + (level > 0 ? h.policy().absoluteTolerance() / level : 0);
      boolean mw =
          MannWhitney.classify(shifted, experimentalMeans, Direction.INCREASE, tolerance, 0.98)
                  .classification()
              == MannWhitney.Classification.HIGH;
      if (faultFree) {
        seqAlarms += seqAt >= 0 ? 1 : 0;
        shewAlarms += shewAt >= 0 ? 1 : 0;
        mwAlarms += mw ? 1 : 0;
      } else {
        // alarms before the fault are false alarms; detection counts from the fault's window
        seqAlarms += seqAt >= 0 && seqAt < FAULT_AT ? 1 : 0;
        shewAlarms += shewAt >= 0 && shewAt < FAULT_AT ? 1 : 0;
        if (seqAt >= FAULT_AT) {
          seq.add(seqAt - FAULT_AT + 1);
        }
        if (shewAt >= FAULT_AT) {
          shew.add(shewAt - FAULT_AT + 1);
        }
        mwAlarms += mw ? 1 : 0;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s |%n",
        name,
        cell(seq, seqAlarms, runs, faultFree),
        cell(shew, shewAlarms, runs, faultFree),
        faultFree
            ? String.format(Locale.ROOT, "- FA %.1f%%", 100.0 * mwAlarms / runs)
            : String.format(
                Locale.ROOT,
                "%.0f%% at end (%d windows)",
                100.0 * mwAlarms / runs,
                WINDOWS - FAULT_AT));
  }

  static String cell(List<Integer> delays, int falseAlarms, int runs, boolean faultFree) {
    if (faultFree) {
      return String.format(Locale.ROOT, "- FA %.1f%%", 100.0 * falseAlarms / runs);
    }
    if (delays.isEmpty()) {
      return String.format(Locale.ROOT, "0%% - - FA %.1f%%", 100.0 * falseAlarms / runs);
    }
    int[] d = delays.stream().mapToInt(Integer::intValue).sorted().toArray();
    return String.format(
        Locale.ROOT,
        "%.0f%% %d %d FA %.1f%%",
        100.0 * d.length / runs,
        d[d.length / 2],
        d[Math.min(d.length - 1, (int) Math.ceil(0.9 * d.length) - 1)],
        100.0 * falseAlarms / runs);
  }
}
