package io.faultline.bench;

import io.faultline.analyzer.WindowJudge;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import java.util.Locale;
import java.util.Random;

/**
 * The e-detector's path through one run of {@link DetectionBench}'s data, window by window: what
 * the warm-up learned per track (offset, variances, drift, phi, theta0) and per judged window the
 * mean track's difference, its variance, the log statistic and the state. A diagnostic for rows
 * that detect less than the data allow.
 *
 * <pre>
 * java -cp "bench/target/faultline-bench.jar:bench/target/lib/*" io.faultline.bench.DetectionTrace
 *     samples process level start [seeds]
 * </pre>
 */
public final class DetectionTrace {

  private DetectionTrace() {}

  public static void main(String[] args) {
    int samples = Integer.parseInt(args[0]);
    DetectionBench.Process p = DetectionBench.Process.valueOf(args[1]);
    double level = Double.parseDouble(args[2]);
    int start = Integer.parseInt(args[3]);
    int seeds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    DetectionBench.Fault fault = new DetectionBench.Fault("trace", level, 1, Double.NaN);
    boolean summary = Boolean.getBoolean("faultline.trace.summary");
    for (int seed = 1; seed <= seeds; seed++) {
      trace(new Random(seed), samples, p, fault, start, seed, summary);
    }
  }

  static void trace(
      Random r,
      int samples,
      DetectionBench.Process p,
      DetectionBench.Fault fault,
      int start,
      int seed,
      boolean summary) {
    DetectionBench.Source control = new DetectionBench.Source(p, r);
    DetectionBench.Source experimental = new DetectionBench.Source(p, r);
    Hypothesis h = DetectionBench.continuous();
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = DetectionBench.WARMUP;
    m.horizon = DetectionBench.WINDOWS;
    m.attackAt = DetectionBench.attackAt(start);
    double[] c = new double[samples];
    double[] e = new double[samples];
    if (!summary) {
      System.out.printf(Locale.ROOT, "seed %d%n", seed);
    }
    int detected = -1;
    double largest = Double.NEGATIVE_INFINITY;
    for (int w = -DetectionBench.WARMUP; w < DetectionBench.WINDOWS; w++) {
      DetectionBench.Fault f = start >= 0 && w >= start ? fault : DetectionBench.CLEAN;
      for (int i = 0; i < samples; i++) {
        c[i] = control.sample(r, DetectionBench.CLEAN);
        e[i] = experimental.sample(r, f);
      }
      Summary cs = Summary.of(c);
      Summary es = Summary.of(e);
      WindowJudge.Judged j =
          WindowJudge.judge(
              m,
              cs,
              es,
              DetectionBench.p99(c),
              DetectionBench.p99(e),
              h,
              w * 60_000L,
              (w + 1) * 60_000L);
      if (w >= 0) {
        largest = Math.max(largest, j.statistic());
        if (detected < 0 && j.state() == io.faultline.schema.SteadyState.DEVIATING) {
          detected = w;
        }
      }
      if (summary) {
        if (w == DetectionBench.WINDOWS - 1) {
          WindowJudge.Track t = m.tracks.get(0);
          System.out.printf(
              Locale.ROOT,
              "seed %3d phi=%.3f drift=%.4f vE=%.4f largest=%.2f detected=%d%n",
              seed,
              t.phi,
              t.driftVariance,
              t.sampleVarianceE,
              largest,
              detected < 0 ? -1 : detected - start + 1);
        }
        continue;
      }
      if (w == -1) {
        for (WindowJudge.Track t : m.tracks) {
          System.out.printf(
              Locale.ROOT,
              "  %s log=%b offset=%.4f vC=%.5f vE=%.5f drift=%.5f phi=%.3f theta0=%.4f sigma=%.4f"
                  + " span=%d%n",
              t.statistic,
              t.log,
              t.offset,
              t.sampleVarianceC,
              t.sampleVarianceE,
              t.driftVariance,
              t.phi,
              t.theta0,
              t.detector.sigma,
              m.controlSpan);
        }
      }
      if (w >= 0) {
        WindowJudge.Track t = m.tracks.get(0);
        System.out.printf(
            Locale.ROOT,
            "  w%2d %s e=%.1f c=%.1f stat=%.2f %s cp=%s%n",
            w,
            w >= start && start >= 0 ? "F" : " ",
            es.mean(),
            cs.mean(),
            j.statistic(),
            j.state(),
            j.changePointMs() == null ? "-" : String.valueOf(j.changePointMs() / 60_000));
      }
    }
  }
}
