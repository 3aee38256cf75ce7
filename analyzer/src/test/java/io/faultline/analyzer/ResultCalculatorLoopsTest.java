package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.MetricTrack;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The result computed with loops (docs/adr/0112) is the one the streams computed: the same record,
 * to the byte, on random timelines.
 */
class ResultCalculatorLoopsTest {

  private static final List<String> METRICS =
      List.of("http.latency.ms", "throughput", "checkout.error", "jobs.failed");

  @Test
  void theLoopsComputeTheResultTheStreamsComputedToTheByte() {
    AvroSerde<ExperimentResult> avro = AvroSerde.of(ExperimentResult.class);
    Set<Verdict> verdicts = EnumSet.noneOf(Verdict.class);
    int withMttr = 0;
    int withMtbf = 0;
    int withNoisy = 0;
    for (int seed = 0; seed < 3_000; seed++) {
      Random rnd = new Random(seed);
      ExperimentTimeline timeline = timeline(rnd);
      ResultCalculator.Settings settings =
          new ResultCalculator.Settings(
              1 + rnd.nextInt(4), rnd.nextBoolean() ? 0.98 : 0.9, 1_000L * rnd.nextInt(40));
      long now = rnd.nextLong();

      ExperimentResult loops =
          ResultCalculator.compute("e" + seed, timeline, settings, Hypothesis::defaultFor, now);
      ExperimentResult streams =
          StreamedResultCalculator.compute(
              "e" + seed, timeline, settings, Hypothesis::defaultFor, now);

      assertThat(avro.encode(loops)).as("seed %d", seed).isEqualTo(avro.encode(streams));
      assertThat(loops).as("seed %d", seed).isEqualTo(streams);
      verdicts.add(loops.getVerdict());
      withMttr += loops.getMttrMs() != null ? 1 : 0;
      withMtbf += loops.getMtbfMs() != null ? 1 : 0;
      withNoisy += loops.getMetrics().stream().anyMatch(m -> m.getNoisyAlerts() > 0) ? 1 : 0;
    }
    // the timelines reach every branch the loops replaced
    assertThat(verdicts)
        .containsExactlyInAnyOrder(
            Verdict.STEADY, Verdict.DEVIATED, Verdict.INCONCLUSIVE, Verdict.ABORTED);
    assertThat(withMttr).isGreaterThan(100);
    assertThat(withMtbf).isGreaterThan(100);
    assertThat(withNoisy).isGreaterThan(100);
  }

  /** Attacks (some ended, some not, some not started), windows, tracks with firings and means. */
  private static ExperimentTimeline timeline(Random rnd) {
    ExperimentTimeline t = new ExperimentTimeline();
    long window = 1_000L * (1 + rnd.nextInt(10));
    int windows = rnd.nextInt(60);
    int attacks = rnd.nextInt(4);
    for (int a = 0; a < attacks; a++) {
      AttackSpan span = new AttackSpan();
      span.attackId = "a" + a;
      span.fault = rnd.nextBoolean() ? "network-latency" : "pause-process";
      span.startedAt =
          rnd.nextInt(10) == 0 ? AttackSpan.NOT_STARTED : window * rnd.nextInt(windows + 1);
      span.endedAt =
          rnd.nextInt(3) == 0 ? null : span.startedAt + window * (1 + rnd.nextInt(Math.max(1, 20)));
      if (span.startedAt == AttackSpan.NOT_STARTED) {
        span.endedAt = window * rnd.nextInt(windows + 1);
      }
      t.attacks.put(span.attackId, span);
    }
    int deviateFrom = rnd.nextInt(windows + 1);
    int deviateTo = deviateFrom + rnd.nextInt(15);
    for (int i = 0; i < windows; i++) {
      WindowStatus w = new WindowStatus();
      long start = i * window;
      // now and then a window that does not end after its start (not the window's length) or
      // that is shorter: the length is the first window's that ends after its start
      int shape = rnd.nextInt(12);
      w.end = shape == 0 ? start : shape == 1 ? start + window / 2 : start + window;
      for (String m : METRICS) {
        int r = rnd.nextInt(10);
        if (i >= deviateFrom && i < deviateTo && r < 6) {
          w.deviating.add(m);
        } else if (r < 8) {
          w.steady.add(m);
        } else if (r < 9) {
          w.insufficient.add(m);
        }
      }
      t.windows.put(start, w);
    }
    int metrics = rnd.nextInt(METRICS.size() + 1);
    for (String m : METRICS.subList(0, metrics)) {
      t.metrics.put(m, track(rnd, window, windows));
    }
    t.aborted = rnd.nextInt(8) == 0;
    t.abortReason = t.aborted ? "latency beyond the abort threshold" : null;
    return t;
  }

  private static MetricTrack track(Random rnd, long window, int windows) {
    MetricTrack k = new MetricTrack();
    k.state = SteadyState.values()[rnd.nextInt(SteadyState.values().length)];
    k.windows = windows;
    k.deviatingWindows = rnd.nextInt(windows + 1);
    k.firstDeviationAt = rnd.nextBoolean() ? null : window * rnd.nextInt(windows + 1);
    k.lastEffect = rnd.nextGaussian();
    int firings = rnd.nextInt(5);
    long at = 0;
    for (int f = 0; f < firings; f++) {
      at += rnd.nextInt(3) == 0 ? 0 : window * rnd.nextInt(8); // some at one instant
      long resolved = rnd.nextInt(4) == 0 ? -1 : at + 1_000L * rnd.nextInt(60);
      k.firings.add(new long[] {at, resolved});
    }
    double level = 10 + 100 * rnd.nextDouble();
    double shift = rnd.nextInt(3) == 0 ? 1.0 + rnd.nextDouble() : 1.0;
    int warm = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(30);
    for (int i = 0; i < warm; i++) {
      k.warmControl.add(level * (1 + 0.1 * rnd.nextGaussian()));
      k.warmExperimental.add(level * (1 + 0.1 * rnd.nextGaussian()));
    }
    int judged = rnd.nextInt(40);
    for (int i = 0; i < judged; i++) {
      k.control.add(level * (1 + 0.1 * rnd.nextGaussian()));
      k.experimental.add(level * shift * (1 + 0.1 * rnd.nextGaussian()));
    }
    return k;
  }
}
