package io.faultline.cli;

import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.analyzer.AnalyzerTopology;
import io.faultline.analyzer.ScratchStateDirectory;
import io.faultline.analyzer.offline.OfflineAnalysis;
import io.faultline.analyzer.offline.TimeSeriesCsv.Row;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.HypothesisStatistic;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * {@code faultline analyze --engine stream}: the two recorded series replayed through the streaming
 * analyzer's real topology ({@link AnalyzerTopology}, in a {@link TopologyTestDriver}: no broker),
 * with windows of one row interval, the offline engine's warm-up and planned length. The verdict
 * and detection row, change point and effect interval come from the topology's WindowVerdicts; the
 * end judgement and the window table from the offline engine. The topology's state is scratch, in
 * memory where the machine allows ({@link ScratchStateDirectory}), removed when the replay ends.
 */
final class StreamReplay {

  private static final String EXPERIMENT = "analyze";

  /** The metric as the stream sees it: a neutral name, so no name-based default applies. */
  private static final String METRIC = "replayed";

  private StreamReplay() {}

  static OfflineAnalysis.Result run(
      List<Row> control, List<Row> experiment, OfflineAnalysis.Options options) {
    OfflineAnalysis.Result offline = OfflineAnalysis.run(control, experiment, options);
    if (control.isEmpty() || experiment.isEmpty()) {
      return offline;
    }
    Duration interval = offline.interval();
    if (interval.compareTo(Duration.ofSeconds(1)) < 0
        || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "--engine stream: rows "
              + interval
              + " apart; the stream's windows must be between 1s and 1h (use --engine offline)");
    }
    long size = interval.toMillis();
    Path state;
    try {
      state = ScratchStateDirectory.create("faultline-analyze-stream");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory: " + e, e);
    }
    Topics topics = new Topics("replay.", 1);
    AnalyzerConfig config =
        AnalyzerConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                "replay:9092",
                "analyzer.window",
                size + "ms",
                "analyzer.grace",
                "0s",
                "analyzer.warmup.windows",
                Integer.toString(offline.warmUpRows()),
                "analyzer.horizon.windows",
                Long.toString(offline.horizon()),
                "analyzer.state.dir",
                state.toString()));
    List<WindowVerdict> verdicts;
    try {
      verdicts = replay(topics, config, options, offline, control, experiment);
    } finally {
      ScratchStateDirectory.delete(state);
    }
    return withStreamDetection(offline, verdicts, experiment);
  }

  /** The replayed metric's verdicts: the experiment, its attack start and both series piped in. */
  private static List<WindowVerdict> replay(
      Topics topics,
      AnalyzerConfig config,
      OfflineAnalysis.Options options,
      OfflineAnalysis.Result offline,
      List<Row> control,
      List<Row> experiment) {
    long size = offline.interval().toMillis();
    List<WindowVerdict> verdicts = new ArrayList<>();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            AnalyzerTopology.build(topics, config), AnalyzerApp.streamsProperties(config))) {
      TestInputTopic<String, Experiment> experiments =
          driver.createInputTopic(
              topics.experiments().name(),
              Serdes.String().serializer(),
              AvroSerde.of(Experiment.class).serializer());
      experiments.pipeInput(EXPERIMENT, experiment(options, offline.warmUpRows() * size));
      if (options.attackStartMs() != null) {
        // the stream anchors where an attack's STARTED event says it began (docs/adr/0042)
        driver
            .createInputTopic(
                topics.attackEvents().name(),
                Serdes.String().serializer(),
                AvroSerde.of(AttackEvent.class).serializer())
            .pipeInput(
                EXPERIMENT,
                AttackEvent.newBuilder()
                    .setEventId("analyze-attack-start")
                    .setExperimentId(EXPERIMENT)
                    .setAttackId("analyze")
                    .setType(AttackEventType.STARTED)
                    .setTimestamp(options.attackStartMs())
                    .build(),
                options.attackStartMs());
      }
      TestInputTopic<String, byte[]> metrics =
          driver.createInputTopic(
              topics.metrics().name(),
              Serdes.String().serializer(),
              Serdes.ByteArray().serializer());
      TestOutputTopic<String, WindowVerdict> out =
          driver.createOutputTopic(
              topics.steadyState().name(),
              Serdes.String().deserializer(),
              AvroSerde.of(WindowVerdict.class).deserializer());
      AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
      long shift = experiment.get(0).epochMs() - control.get(0).epochMs();
      record Sample(long at, Group group, double value) {}
      List<Sample> samples = new ArrayList<>();
      control.forEach(r -> samples.add(new Sample(r.epochMs() + shift, Group.CONTROL, r.value())));
      experiment.forEach(r -> samples.add(new Sample(r.epochMs(), Group.EXPERIMENTAL, r.value())));
      samples.sort(Comparator.comparingLong(Sample::at));
      String key = Topics.metricKey(EXPERIMENT, METRIC);
      long last = Long.MIN_VALUE;
      for (Sample s : samples) {
        metrics.pipeInput(key, serde.encode(sample(METRIC, s.group(), s.at(), s.value())), s.at());
        last = Math.max(last, s.at());
      }
      // a sample of another metric two windows on closes the last window of this one
      String flush = Topics.metricKey(EXPERIMENT, "replay-end");
      long end = last + 2 * size;
      metrics.pipeInput(flush, serde.encode(sample("replay-end", Group.CONTROL, end, 0)), end);
      for (TestRecord<String, WindowVerdict> r : out.readRecordsToList()) {
        if (METRIC.equals(r.value().getMetric())) {
          verdicts.add(r.value());
        }
      }
    }
    return verdicts;
  }

  /**
   * The replayed experiment; with an attack start, its warm-up ends there (startedAt + warmupMs),
   * where the analyzer stops learning and anchors its detector, as the offline engine does.
   */
  private static Experiment experiment(OfflineAnalysis.Options options, long warmupMs) {
    HypothesisDirection direction =
        switch (options.direction()) {
          case INCREASE -> HypothesisDirection.INCREASE;
          case DECREASE -> HypothesisDirection.DECREASE;
          case EITHER -> HypothesisDirection.EITHER;
        };
    return Experiment.newBuilder()
        .setExperimentId(EXPERIMENT)
        .setName("faultline analyze --engine stream")
        .setStartedAt(options.attackStartMs() == null ? null : options.attackStartMs() - warmupMs)
        .setWarmupMs(options.attackStartMs() == null ? null : warmupMs)
        .setHypotheses(
            List.of(
                MetricHypothesis.newBuilder()
                    .setMetric(METRIC)
                    .setDirection(direction)
                    .setTolerance(options.tolerance())
                    .setAlpha(options.alpha())
                    .setStatistics(
                        options.statistics().stream()
                            .map(x -> HypothesisStatistic.valueOf(x.name()))
                            .toList())
                    .build()))
        .build();
  }

  private static MetricSample sample(String metric, Group group, long at, double value) {
    return MetricSample.newBuilder()
        .setExperimentId(EXPERIMENT)
        .setMetric(metric)
        .setGroup(group)
        .setTarget(group == Group.CONTROL ? "control" : "experiment")
        .setTimestamp(at)
        .setValue(value)
        .setUnit("")
        .build();
  }

  /** The offline result with the verdict, detection row and largest statistic of the stream. */
  private static OfflineAnalysis.Result withStreamDetection(
      OfflineAnalysis.Result offline, List<WindowVerdict> verdicts, List<Row> experiment) {
    Long detectedAt = null;
    Integer line = null;
    WindowVerdict detection = null;
    double largest = Double.NEGATIVE_INFINITY;
    for (WindowVerdict v : verdicts) {
      if (v.getState() != SteadyState.INSUFFICIENT_DATA) {
        largest = Math.max(largest, v.getTestStatistic());
      }
      if (detectedAt == null && v.getState() == SteadyState.DEVIATING) {
        for (Row r : experiment) {
          if (r.epochMs() >= v.getWindowStart() && r.epochMs() < v.getWindowEnd()) {
            detectedAt = r.epochMs();
            line = r.line();
            detection = v;
          }
        }
      }
    }
    return new OfflineAnalysis.Result(
        detectedAt != null,
        detectedAt,
        line,
        offline.classification(),
        largest,
        offline.threshold(),
        offline.warmUpRows(),
        offline.window(),
        offline.windows(),
        offline.control(),
        offline.experimental(),
        detection == null ? null : detection.getChangePointMs(),
        Double.NaN, // the verdict carries the window's effect, not the effect since the change
        detection == null || detection.getEffectLow() == null
            ? Double.NaN
            : detection.getEffectLow(),
        detection == null || detection.getEffectHigh() == null
            ? Double.NaN
            : detection.getEffectHigh(),
        offline.interval(),
        offline.horizon(),
        offline.unjudged(),
        offline.asRows());
  }
}
