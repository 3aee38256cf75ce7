package io.faultline.bench;

import io.faultline.analyzer.WindowPair;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.Locale;
import java.util.Random;

/**
 * The analyzer's statistics core alone, single thread, plain harness (warm-up rounds, then the best
 * of five timed rounds): summary adds and merges, DDSketch adds and merges, the window store's
 * serde round trip, and sequential test updates per window.
 *
 * <pre>
 * java -cp "bench/target/faultline-bench.jar:bench/target/lib/*" io.faultline.bench.StatsCoreBench
 * </pre>
 */
public final class StatsCoreBench {

  private StatsCoreBench() {}

  interface Body {
    long run(int n); // returns something so the JIT keeps the work
  }

  static double perSecond(String name, int n, Body body) {
    long sink = 0;
    for (int i = 0; i < 3; i++) {
      sink += body.run(n);
    }
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t = System.nanoTime();
      sink += body.run(n);
      best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    double rate = n / best;
    // the sink's last bit is printed so the JIT cannot drop the work
    System.out.printf(Locale.ROOT, "| %s | %,.0f | %d |%n", name, rate, sink & 1);
    return rate;
  }

  public static void main(String[] args) {
    System.out.println("| operation | per second | sink bit |");
    System.out.println("|---|---|---|");
    Random random = new Random(1);
    double[] values = new double[1 << 16];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.exp(3 + 0.5 * random.nextGaussian());
    }
    Summary[] parts = new Summary[64];
    Quantiles[] sketches = new Quantiles[64];
    for (int p = 0; p < parts.length; p++) {
      parts[p] = new Summary();
      sketches[p] = new Quantiles();
      for (int i = 0; i < 200; i++) {
        parts[p].add(values[(p * 200 + i) & (values.length - 1)]);
        sketches[p].add(values[(p * 200 + i) & (values.length - 1)]);
      }
    }
    perSecond(
        "Summary.add (values)",
        5_000_000,
        n -> {
          Summary s = new Summary();
          for (int i = 0; i < n; i++) {
            s.add(values[i & (values.length - 1)]);
          }
          return s.count();
        });
    perSecond(
        "Summary.merge (summaries of 200)",
        5_000_000,
        n -> {
          Summary s = new Summary();
          for (int i = 0; i < n; i++) {
            s.merge(parts[i & 63]);
          }
          return s.count();
        });
    perSecond(
        "Quantiles.add (DDSketch, values)",
        2_000_000,
        n -> {
          Quantiles q = new Quantiles();
          for (int i = 0; i < n; i++) {
            q.add(values[i & (values.length - 1)]);
          }
          return (long) q.count();
        });
    perSecond(
        "Quantiles.merge (sketches of 200)",
        500_000,
        n -> {
          Quantiles q = new Quantiles();
          for (int i = 0; i < n; i++) {
            q.merge(sketches[i & 63]);
          }
          return (long) q.count();
        });
    WindowPair.WindowPairSerde serde = new WindowPair.WindowPairSerde();
    WindowPair pair = new WindowPair();
    for (int i = 0; i < 200; i++) {
      pair.add(sample(i % 2 == 0 ? Group.CONTROL : Group.EXPERIMENTAL, values[i]));
    }
    perSecond(
        "WindowPair store round trip (200 samples)",
        200_000,
        n -> {
          long bytes = 0;
          for (int i = 0; i < n; i++) {
            byte[] b = serde.serialize("t", pair);
            bytes += b.length + serde.deserialize("t", b).control().count();
          }
          return bytes;
        });
    perSecond(
        "EDetector.updateNormal (per window, ADR 0010)",
        200_000,
        n -> {
          EDetector detector = new EDetector(Direction.INCREASE, 0.005, 720, 27, 0.3, 0.95);
          EDetector.State state = new EDetector.State();
          long alarms = 0;
          for (int i = 0; i < n; i++) {
            if (detector.updateNormal(state, i, values[i & (values.length - 1)] - 20, 8).alarm()) {
              alarms++;
              EDetector.reset(state);
            }
          }
          return alarms;
        });
    perSecond(
        "EDetector.updateCounts (per window, ADR 0010)",
        200_000,
        n -> {
          EDetector detector = new EDetector(Direction.INCREASE, 0.005, 720, 0, 0, 0.95);
          EDetector.State state = new EDetector.State();
          long alarms = 0;
          for (int i = 0; i < n; i++) {
            if (detector.updateCounts(state, i, i % 3, 100, 0.032, 0.0, 0.01).alarm()) {
              alarms++;
              EDetector.reset(state);
            }
          }
          return alarms;
        });
    perSecond(
        "SequentialTest.updateMean (per window)",
        100_000,
        n -> {
          SequentialTest test = SequentialTest.mean(Direction.INCREASE, 0.005, 27, 15);
          SequentialTest.State state = new SequentialTest.State();
          long alarms = 0;
          for (int i = 0; i < n; i++) {
            if (test.updateMean(state, values[i & (values.length - 1)] - 20, 8).alarm()) {
              alarms++;
              test.reset(state);
            }
          }
          return alarms;
        });
    perSecond(
        "SequentialTest.updateRate (per window)",
        20_000,
        n -> {
          SequentialTest test = SequentialTest.rate(Direction.INCREASE, 0.005, 0.02);
          SequentialTest.State state = new SequentialTest.State();
          long alarms = 0;
          for (int i = 0; i < n; i++) {
            if (test.updateRate(state, i % 3, 100, 0.012, 0.008).alarm()) {
              alarms++;
              test.reset(state);
            }
          }
          return alarms;
        });
  }

  static MetricSample sample(Group group, double value) {
    return MetricSample.newBuilder()
        .setExperimentId("e")
        .setMetric("m")
        .setGroup(group)
        .setTarget("t")
        .setTimestamp(1)
        .setValue(value)
        .build();
  }
}
