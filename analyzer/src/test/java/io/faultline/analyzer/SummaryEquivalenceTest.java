package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.VerdictGoldenTest.Input;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Collector pre-aggregation (docs/adr/0043): the golden input of {@link VerdictGoldenTest} sent as
 * one summary per experiment, metric, group, target and window gives the golden verdicts, alerts
 * and results; summaries that do not fit the analyzer's window go to the dlq.
 *
 * <p>Doubles are compared to 10 significant digits, as the sharded run is: a summary is merged into
 * its window (Chan et al.) where the samples were added one by one (Welford), so a mean or a
 * variance may differ in its last bits. Counts, sketches (bin counts add exactly), states, ids and
 * times are equal.
 */
class SummaryEquivalenceTest {

  static final long WINDOW_MS = 5_000;

  /**
   * The input with every sample replaced by its window's summary, sent when the first input of a
   * later window comes (as a collector flushes at the window's end); events stay where they were.
   */
  static List<Input> summarised(List<Input> raw, long windowMs) {
    List<Input> out = new ArrayList<>();
    Map<String, MetricSample> firstOf = new LinkedHashMap<>();
    Map<String, SampleSummaries.Accumulator> open = new LinkedHashMap<>();
    long current = Long.MIN_VALUE;
    for (Input i : raw) {
      long start = SampleSummaries.windowStart(i.ts(), windowMs);
      if (start > current) {
        flush(firstOf, open, out);
        current = start;
      }
      if (i.sample() == null) {
        out.add(i);
        continue;
      }
      MetricSample s = i.sample();
      String id =
          s.getExperimentId() + "|" + s.getMetric() + "|" + s.getGroup() + "|" + s.getTarget();
      firstOf.putIfAbsent(id, s);
      open.computeIfAbsent(id, k -> new SampleSummaries.Accumulator(start, windowMs))
          .add(s.getTimestamp(), s.getValue());
    }
    flush(firstOf, open, out);
    return out;
  }

  private static void flush(
      Map<String, MetricSample> firstOf,
      Map<String, SampleSummaries.Accumulator> open,
      List<Input> out) {
    open.forEach(
        (id, acc) -> {
          SampleSummary summary = acc.toSummary();
          MetricSample s =
              MetricSample.newBuilder(firstOf.get(id))
                  .setTimestamp(acc.latest())
                  .setValue(summary.getMean())
                  .setSummary(summary)
                  .build();
          out.add(new Input(acc.latest(), s, null));
        });
    open.clear();
    firstOf.clear();
  }

  @Test
  void theGoldenSamplesAsSummariesGiveTheGoldenVerdictsAlertsAndResults() throws IOException {
    List<Input> raw = VerdictGoldenTest.input();
    List<Input> summaries = summarised(raw, WINDOW_MS);
    long samples = raw.stream().filter(i -> i.sample() != null).count();
    long records = summaries.stream().filter(i -> i.sample() != null).count();
    long stoodFor =
        summaries.stream()
            .filter(i -> i.sample() != null)
            .mapToLong(i -> i.sample().getSummary().getCount())
            .sum();
    assertThat(stoodFor).isEqualTo(samples);
    assertThat(records).isLessThan(samples / 2);

    String golden = VerdictGoldenTest.golden();
    String actual =
        VerdictGoldenTest.run(
            Map.of(), s -> Topics.metricKey(s.getExperimentId(), s.getMetric()), summaries);
    assertThat(golden).contains("DEVIATING").contains("FIRING").contains("RESOLVED");
    assertThat(VerdictGoldenTest.digits(actual, 10))
        .isEqualTo(VerdictGoldenTest.digits(golden, 10));
  }

  @Test
  void summariesOnShardedKeysMergeToTheGoldenVerdicts() throws IOException {
    List<Input> summaries = summarised(VerdictGoldenTest.input(), WINDOW_MS);
    String actual =
        VerdictGoldenTest.run(
            Map.of(MetricShards.KEY, "8"), s -> MetricShards.key(s, 8), summaries);
    assertThat(VerdictGoldenTest.digits(actual, 10))
        .isEqualTo(VerdictGoldenTest.digits(VerdictGoldenTest.golden(), 10));
  }

  @Test
  void summariesThatDoNotFitTheWindowGoToTheDlqNamingTheField() throws IOException {
    Topics topics = new Topics("s.", 1);
    AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
    long t0 = VerdictGoldenTest.T0;
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of())) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      TestOutputTopic<String, byte[]> dlq = analyzer.rawOutput(topics.dlq());
      TestOutputTopic<String, WindowVerdict> verdicts = analyzer.output(topics.steadyState());
      String key = Topics.metricKey("exp-s", "http.latency.ms");
      // a 10 s window where the analyzer's is 5 s
      metrics.pipeInput(key, serde.encode(summary(t0, 10_000, t0 + 10, Group.CONTROL)), t0 + 10);
      // a 5 s window that starts 1 s off the analyzer's alignment
      metrics.pipeInput(
          key, serde.encode(summary(t0 + 1_000, 5_000, t0 + 1_010, Group.CONTROL)), t0 + 1_010);
      // its latest sample outside its window
      metrics.pipeInput(key, serde.encode(summary(t0, 5_000, t0 + 6_000, Group.CONTROL)), t0);
      // a sketch that counts other samples than the summary
      MetricSample miscounted = summary(t0, 5_000, t0 + 10, Group.CONTROL);
      miscounted.getSummary().setCount(7);
      metrics.pipeInput(key, serde.encode(miscounted), t0 + 10);
      // fitting summaries of both groups in two windows, and one sample to close them
      for (int w = 0; w < 2; w++) {
        long start = t0 + w * WINDOW_MS;
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          metrics.pipeInput(key, serde.encode(summary(start, 5_000, start + 10, g)), start + 10);
        }
      }
      metrics.pipeInput(
          key,
          serde.encode(
              VerdictGoldenTest.sample(
                  "exp-s", "http.latency.ms", Group.CONTROL, "c", t0 + 20_000, 1)),
          t0 + 20_000);

      List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
      assertThat(dead).hasSize(4);
      assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON))
          .contains("MetricSample.summary.windowMs 10000")
          .contains("analyzer.window, 5000 ms")
          .contains("collector.summary.window");
      assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON))
          .contains("MetricSample.summary.windowStart")
          .contains("multiple of the window");
      assertThat(DeadLetters.header(dead.get(2).headers(), DeadLetters.REASON))
          .contains("MetricSample.timestamp")
          .contains("must lie in its window");
      assertThat(DeadLetters.header(dead.get(3).headers(), DeadLetters.REASON))
          .contains("counts 3 samples: must count summary.count, 7");
      List<WindowVerdict> judged = verdicts.readValuesToList();
      assertThat(judged).hasSize(2);
      assertThat(judged)
          .allSatisfy(
              v -> {
                assertThat(v.getControl().getCount()).isEqualTo(3);
                assertThat(v.getExperimental().getCount()).isEqualTo(3);
              });
    }
  }

  @Test
  void aSummaryAfterItsWindowIsNotLateWithinTheGraceAndBeyondItDropsAllItsSamples()
      throws IOException {
    Topics topics = new Topics("l.", 1);
    AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
    AnalyzerMetrics registry = new AnalyzerMetrics();
    long t0 = VerdictGoldenTest.T0;
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of(), registry)) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      String key = Topics.metricKey("exp-s", "http.latency.ms");
      // a raw sample 0.5 s into the next window: stream time past the first window's end
      metrics.pipeInput(
          key,
          serde.encode(
              VerdictGoldenTest.sample(
                  "exp-s", "http.latency.ms", Group.CONTROL, "c", t0 + 5_500, 1)),
          t0 + 5_500);
      metrics.pipeInput(key, serde.encode(summary(t0, 5_000, t0 + 10, Group.CONTROL)), t0 + 10);
      assertThat(registry.value(AnalyzerMetrics.SAMPLES_LATE, "experiment", "exp-s")).isZero();
      // stream time beyond the first window's end + grace: its summaries are dropped, 3 samples
      // each
      metrics.pipeInput(
          key,
          serde.encode(
              VerdictGoldenTest.sample(
                  "exp-s", "http.latency.ms", Group.CONTROL, "c", t0 + 6_500, 1)),
          t0 + 6_500);
      metrics.pipeInput(key, serde.encode(summary(t0, 5_000, t0 + 20, Group.CONTROL)), t0 + 20);
      assertThat(registry.value(AnalyzerMetrics.SAMPLES_DROPPED, "experiment", "exp-s"))
          .isEqualTo(3.0);
    }
  }

  /** Three samples (10, 11, 12) of one target in the window [start, start + windowMs). */
  private static MetricSample summary(long start, long windowMs, long latest, Group group) {
    SampleSummaries.Accumulator acc = new SampleSummaries.Accumulator(start, windowMs);
    acc.add(latest, 10).add(latest, 11).add(latest, 12);
    SampleSummary summary = acc.toSummary();
    return MetricSample.newBuilder(
            VerdictGoldenTest.sample("exp-s", "http.latency.ms", group, "t", latest, 11))
        .setSummary(summary)
        .build();
  }
}
