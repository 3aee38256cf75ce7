package io.faultline.analyzer;

import io.faultline.analyzer.stats.Quantiles;
import io.faultline.schema.Alert;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The analyzer's topology:
 *
 * <pre>
 * experiments --> global table experiment-definitions (hypotheses, warm-up; read by the judge,
 *         the result processor and result-per-commit)
 * attack.events --STARTED--> attack.starts --> global store attack-starts (each experiment's
 *         STARTED times; read by the judge until a metric's anchor is placed, docs/adr/0042, 0046)
 * metrics --sample-intake (decode; poison -> dlq; error markers dropped; late samples counted;
 *         batch runs to run-by-experiment, below: one node, docs/adr/0092)--> tumbling window per
 *         experiment|metric, both groups side by side, forwarded once when it closes (window-close,
 *         store open-windows) --> WindowVerdict (judge-window, store metric-monitors, held between
 *         commits by MetricMonitorsStore) -> steadystate
 *    \--> re-key by experiment (verdicts-by-experiment) --merge attack.events--> result processor
 *         (results, store experiment-timelines, held between commits by ExperimentTimelinesStore;
 *         the key stays the experiment) --> alerts (re-keyed
 *         experiment|metric), HALT_ALL on attack.commands (abort), and a "result due" per change
 *         --> cached table results-due (in memory, the latest per experiment per commit) -->
 *         result-per-commit (reads experiment-timelines: the result computed once per commit,
 *         docs/adr/0046) --> results
 * metrics' batch runs (pipeline.* labelled run and sha256; not windowed) --re-key by experiment
 *         (runs-by-experiment) --merge--> result processor (PipelineRuns: the verdict over runs)
 * results --> HistoryRollup (per service and ISO week, per service for all time) --> history
 *
 * with topics.metrics.shards > 1 (keys experiment|metric|shard, docs/adr/0032), instead of
 * window-close: window per experiment|metric|shard --each shard's window so far, per commit-->
 * re-key to experiment|metric (partials-by-metric) --> merge-shards (store shard-windows): the
 * shards merged once the window closes --> WindowVerdict as above
 * </pre>
 *
 * Windows use the sample's observation time; samples arriving after the window's grace period are
 * dropped ({@link OpenWindows}; with sharded keys by Kafka Streams, in its {@code dropped-records}
 * metric) and counted by {@link LatenessCounter}.
 */
public final class AnalyzerTopology {

  /**
   * The cached table of the experiments whose result is due: forwarded once per commit, so each
   * experiment's result is computed once per commit (docs/adr/0046).
   */
  static final String RESULTS_DUE = "results-due";

  /** The nodes {@link SampleIntake} sends its records to. */
  static final String METRICS_DEAD_LETTERS = "metrics-raw";

  static final String RUN_BY_EXPERIMENT = "run-by-experiment";
  static final String WINDOW_CLOSE = "window-close";
  static final String WINDOW_AGGREGATE = "window-aggregate";

  private AnalyzerTopology() {}

  public static Topology build(Topics topics, AnalyzerConfig config) {
    return build(topics, config, new AnalyzerMetrics());
  }

  public static Topology build(Topics topics, AnalyzerConfig config, AnalyzerMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    // Experiment definitions (hypotheses, warm-up) for every task; a record that cannot be decoded
    // is logged and read as absent, so a bad definition never stops the analyzer.
    builder.globalTable(
        topics.experiments().name(),
        Consumed.with(Serdes.String(), new LenientSerde<>(AvroSerde.of(Experiment.class)))
            .withName("experiments-source"),
        Materialized.<String, Experiment, KeyValueStore<Bytes, byte[]>>as(Hypotheses.STORE)
            .withKeySerde(Serdes.String())
            .withValueSerde(new LenientSerde<>(AvroSerde.of(Experiment.class))));
    // When each experiment's attacks really started (the agents' STARTED events, copied from
    // attack.events below: a topic has one source per topology), for every task: the detector's
    // anchor (docs/adr/0042)
    long startsRetentionMs =
        topics.attackStarts().retention() == null
            ? 0
            : topics.attackStarts().retention().toMillis();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AttackStarts.STORE),
                Serdes.String(),
                new JsonSerde<>(AttackStarts.Starts.class))
            .withLoggingDisabled(),
        topics.attackStarts().name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("attack-starts-source"),
        () -> new AttackStarts.Recorder(startsRetentionMs));
    // every sample is decoded: read field by field, not through Avro's specific reader
    // (docs/adr/0101)
    AvroSerde<MetricSample> sampleSerde = AvroSerde.metricSamples();
    // a verdict goes to steadystate and to its repartition topic: encoded once (docs/adr/0097)
    LastEncoded<WindowVerdict> verdictSerde = new LastEncoded<>(AvroSerde.of(WindowVerdict.class));
    AvroSerde<AttackEvent> eventSerde = AvroSerde.of(AttackEvent.class);
    // a key sharded beyond this analyzer's shard count goes to the dlq whole (docs/adr/0039)
    ShardCountGuard shardGuard = new ShardCountGuard(config.metricShards(), metrics);
    long windowMs = config.window().toMillis();

    // the steps before the window in one node, each record sent to one of its children by name
    // (docs/adr/0092); the window's child is the first node of closedWindows or mergedShards
    SampleIntake.Children intakeChildren =
        new SampleIntake.Children(
            METRICS_DEAD_LETTERS,
            RUN_BY_EXPERIMENT,
            config.metricShards() > 1 ? WINDOW_AGGREGATE : WINDOW_CLOSE);
    KStream<String, Object> intake =
        builder.stream(
                topics.metrics().name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("metrics-source"))
            .processValues(
                () ->
                    new SampleIntake(
                        bytes -> validSample(sampleSerde.decode(bytes), windowMs),
                        shardGuard::mismatch,
                        new LatenessCounter(windowMs, config.grace().toMillis(), metrics),
                        intakeChildren),
                Named.as("sample-intake"));
    intake
        .map(
            (k, v) -> KeyValue.pair(DeadLetters.key(k), (byte[]) v), Named.as(METRICS_DEAD_LETTERS))
        .to(
            topics.dlq().name(),
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName("metrics-dlq-sink"));
    // the intake sends only samples to the runs' and the windows' children
    @SuppressWarnings("unchecked")
    KStream<String, MetricSample> samples =
        (KStream<String, MetricSample>) (KStream<String, ?>) intake;

    // a batch run's figures are judged over runs (PipelineRuns), not in windows (docs/adr/0035)
    KStream<String, ResultInput> runInputs =
        samples
            .selectKey((key, sample) -> sample.getExperimentId(), Named.as(RUN_BY_EXPERIMENT))
            .repartition(
                Repartitioned.with(Serdes.String(), sampleSerde)
                    .withName("runs-by-experiment")
                    .withNumberOfPartitions(topics.attackEvents().partitions()))
            .mapValues(ResultInput::ofRun, Named.as("run-input"));
    Duration window = config.window();
    int warmup = config.warmupWindows();
    // the monitors held as objects, each decoded once and written at most once per commit
    // (docs/adr/0107)
    builder.addStateStore(
        MetricMonitorsStore.builder(
            Stores.keyValueStoreBuilder(
                config.stateStores().keyValue(VerdictProcessor.STORE),
                Serdes.String(),
                StateSerde.monitors())));
    KStream<Windowed<String>, WindowPair> closed =
        config.metricShards() > 1
            ? mergedShards(samples, topics, config, sampleSerde, builder)
            : closedWindows(samples, config, builder);
    KStream<String, WindowVerdict> verdicts =
        closed.process(
            () ->
                new VerdictProcessor(
                    warmup, window.toMillis(), config.horizonWindows(), new Hypotheses(), metrics),
            Named.as("judge-window"),
            VerdictProcessor.STORE);
    verdicts.to(
        topics.steadyState().name(),
        Produced.with(Serdes.String(), verdictSerde).withName("steadystate-sink"));

    KStream<String, ResultInput> verdictInputs =
        verdicts
            .selectKey((key, v) -> v.getExperimentId(), Named.as("verdict-by-experiment"))
            .repartition(
                Repartitioned.with(Serdes.String(), verdictSerde)
                    .withName("verdicts-by-experiment")
                    .withNumberOfPartitions(topics.attackEvents().partitions()))
            .mapValues(ResultInput::of, Named.as("verdict-input"));

    KStream<String, Decoded<AttackEvent>> events =
        builder.stream(
                topics.attackEvents().name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("attack-events-source"))
            .processValues(
                () -> new DecodeOrDeadLetter<AttackEvent>(eventSerde::decode, e -> -1L),
                Named.as("decode-attack-events"));
    KStream<String, AttackEvent> validEvents = deadLetterFailures(events, topics, "attack-events");
    validEvents
        .filter((key, e) -> AttackStarts.isStart(e), Named.as("only-starts"))
        .selectKey((key, e) -> e.getExperimentId(), Named.as("start-by-experiment"))
        .to(
            topics.attackStarts().name(),
            Produced.with(Serdes.String(), eventSerde).withName("attack-starts-sink"));
    KStream<String, ResultInput> eventInputs =
        validEvents.mapValues(ResultInput::of, Named.as("event-input"));

    // the timelines held as objects, each decoded and written at most once per commit
    // (docs/adr/0100)
    builder.addStateStore(
        ExperimentTimelinesStore.builder(
            Stores.keyValueStoreBuilder(
                config.stateStores().keyValue(ResultProcessor.STORE),
                Serdes.String(),
                StateSerde.timelines())));
    // one set of terms for the result processor and the publisher behind it
    ResultTerms terms = ResultTerms.of(config, metrics);
    // processValues: the key stays the experiment, so the table of due results below is in this
    // sub-topology and needs no repartition (docs/adr/0046)
    KStream<String, Object> outputs =
        verdictInputs
            .merge(eventInputs, Named.as("result-inputs"))
            .merge(runInputs, Named.as("result-and-run-inputs"))
            .processValues(
                () -> new ResultProcessor(terms), Named.as("results"), ResultProcessor.STORE);
    AvroSerde<AttackCommand> commandSerde = AvroSerde.of(AttackCommand.class);
    String secret = config.commandSecret();
    outputs
        .filter((k, v) -> v instanceof AttackCommand, Named.as("only-halts"))
        .mapValues(
            v ->
                commandSerde.encode(
                    secret == null
                        ? (AttackCommand) v
                        : CommandSignature.signed((AttackCommand) v, secret)),
            Named.as("halt-as-avro"))
        .to(
            topics.attackCommands().name(),
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName("halt-sink"));
    outputs
        .filter((k, v) -> v instanceof Alert, Named.as("only-alerts"))
        .map(
            (k, v) -> {
              Alert alert = (Alert) v;
              return KeyValue.pair(
                  Topics.metricKey(alert.getExperimentId(), alert.getMetric()), alert);
            },
            Named.as("alert-by-metric"))
        .to(
            topics.alerts().name(),
            Produced.with(Serdes.String(), AvroSerde.of(Alert.class)).withName("alerts-sink"));
    // each experiment's result once per commit, not once per verdict: the record cache keeps the
    // latest "result due" per experiment and forwards it when flushed at commit (docs/adr/0027),
    // and only then is the result computed from the timeline (docs/adr/0046)
    outputs
        .filter((k, v) -> v instanceof ResultProcessor.ResultDue, Named.as("only-results-due"))
        .mapValues(v -> ((ResultProcessor.ResultDue) v).at(), Named.as("result-due-at"))
        .toTable(
            Named.as(RESULTS_DUE),
            Materialized.<String, Long>as(Stores.inMemoryKeyValueStore(RESULTS_DUE))
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long())
                .withCachingEnabled()
                .withLoggingDisabled())
        .toStream(Named.as("results-due-per-commit"))
        .processValues(
            () -> new ResultPublisher(terms), Named.as("result-per-commit"), ResultProcessor.STORE)
        .to(
            topics.results().name(),
            Produced.with(Serdes.String(), AvroSerde.of(ExperimentResult.class))
                .withName("results-sink"));
    HistoryRollup.addTo(builder, topics, config, metrics);
    return builder.build();
  }

  /**
   * One window per experiment|metric, aggregated and forwarded once when it closes ({@link
   * OpenWindows}, store open-windows; docs/adr/0038), each changed window written once per commit
   * ({@link OpenWindowsStore}, docs/adr/0078).
   */
  private static KStream<Windowed<String>, WindowPair> closedWindows(
      KStream<String, MetricSample> samples, AnalyzerConfig config, StreamsBuilder builder) {
    // the open windows held as objects and written once per commit, not Kafka Streams' record
    // cache in front of the store (docs/adr/0078)
    // one serde for the store and for the flush's writes past the metered store (docs/adr/0101)
    WindowPair.WindowPairSerde pairs = new WindowPair.WindowPairSerde();
    builder.addStateStore(
        OpenWindowsStore.builder(
            Stores.timestampedKeyValueStoreBuilder(
                config.stateStores().timestampedKeyValue(OpenWindows.STORE),
                Serdes.String(),
                pairs),
            pairs));
    long windowMs = config.window().toMillis();
    long graceMs = config.grace().toMillis();
    return samples.process(
        () -> new OpenWindows(windowMs, graceMs), Named.as(WINDOW_CLOSE), OpenWindows.STORE);
  }

  /**
   * Sharded keys (experiment|metric|shard, docs/adr/0032): each shard's window summary as of every
   * commit (the record cache forwards it when flushed, not per sample), re-keyed to
   * experiment|metric and merged by {@link ShardMerge} when the window closes.
   */
  private static KStream<Windowed<String>, WindowPair> mergedShards(
      KStream<String, MetricSample> samples,
      Topics topics,
      AnalyzerConfig config,
      AvroSerde<MetricSample> serde,
      StreamsBuilder builder) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                config.stateStores().keyValue(ShardMerge.STORE),
                Serdes.String(),
                new ShardPartial.ShardsSerde())
            .withCachingEnabled());
    long windowMs = config.window().toMillis();
    long graceMs = config.grace().toMillis();
    return windowSummaries(samples, config, serde)
        .toStream(Named.as("shard-windows-so-far"))
        .<String, ShardPartial>map(
            (shardWindow, pair) ->
                KeyValue.pair(
                    MetricShards.unsharded(shardWindow.key()),
                    new ShardPartial(
                        partialSlot(shardWindow.key()), shardWindow.window().start(), pair)),
            Named.as("partial-by-metric"))
        .repartition(
            Repartitioned.with(Serdes.String(), new ShardPartial.PartialSerde())
                .withName("partials-by-metric")
                .withNumberOfPartitions(topics.metrics().partitions()))
        .process(
            () -> new ShardMerge(windowMs, graceMs), Named.as("merge-shards"), ShardMerge.STORE);
  }

  /**
   * The slot of a first-step window in the merge: its shard, or -1 for an older collector's key
   * without a shard. Both are read as shard 0 by {@link MetricShards#shardOf}, but during an
   * upgrade the two keys aggregate apart, so each needs its own slot or one partial would replace
   * the other.
   */
  static int partialSlot(String key) {
    return MetricShards.unsharded(key).equals(key) ? -1 : MetricShards.shardOf(key);
  }

  /** Both groups of a key's samples per tumbling window (store window-summaries). */
  private static org.apache.kafka.streams.kstream.KTable<Windowed<String>, WindowPair>
      windowSummaries(
          KStream<String, MetricSample> samples,
          AnalyzerConfig config,
          AvroSerde<MetricSample> serde) {
    return samples
        .groupByKey(Grouped.with("samples-by-metric", Serdes.String(), serde))
        .windowedBy(TimeWindows.ofSizeAndGrace(config.window(), config.grace()))
        .aggregate(
            WindowPair::new,
            (key, sample, pair) -> pair.add(sample),
            Named.as(WINDOW_AGGREGATE),
            Materialized.<String, WindowPair, WindowStore<Bytes, byte[]>>as("window-summaries")
                .withKeySerde(Serdes.String())
                .withValueSerde(new WindowPair.WindowPairSerde())
                .withStoreType(config.stateStores().dsl()));
  }

  private static <T> KStream<String, T> deadLetterFailures(
      KStream<String, Decoded<T>> decoded, Topics topics, String name) {
    var branches =
        decoded
            .split(Named.as(name + "-"))
            .branch((k, v) -> v.isFailed(), Branched.as("poison"))
            .defaultBranch(Branched.as("valid"));
    branches
        .get(name + "-poison")
        .map((k, v) -> KeyValue.pair(DeadLetters.key(k), v.raw()), Named.as(name + "-raw"))
        .to(
            topics.dlq().name(),
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-dlq-sink"));
    Function<Decoded<T>, T> value = Decoded::value;
    return branches.get(name + "-valid").mapValues(value::apply, Named.as(name + "-decoded"));
  }

  static MetricSample validSample(MetricSample s, long windowMs) {
    if (s.getGroup() != Group.CONTROL && s.getGroup() != Group.EXPERIMENTAL) {
      throw new IllegalArgumentException(
          "MetricSample.group " + s.getGroup() + ": must be CONTROL or EXPERIMENTAL");
    }
    if (!s.getError() && (Double.isNaN(s.getValue()) || Double.isInfinite(s.getValue()))) {
      throw new IllegalArgumentException(
          "MetricSample.value " + s.getValue() + " of " + s.getMetric() + ": must be finite");
    }
    if (s.getTimestamp() <= 0) {
      throw new IllegalArgumentException(
          "MetricSample.timestamp " + s.getTimestamp() + ": must be epoch milliseconds > 0");
    }
    if (s.getSummary() != null) {
      validSummary(s, windowMs);
    }
    return s;
  }

  /**
   * A summary stands for its samples only in the analyzer's own window (docs/adr/0043): the same
   * size and alignment, its latest sample inside it, a sketch with the window's accuracy that
   * counts as many samples as the summary.
   */
  private static void validSummary(MetricSample s, long windowMs) {
    SampleSummary summary = s.getSummary();
    String of = " of " + s.getMetric() + " (" + s.getTarget() + ")";
    if (summary.getWindowMs() != windowMs) {
      throw new IllegalArgumentException(
          "MetricSample.summary.windowMs "
              + summary.getWindowMs()
              + of
              + ": must equal this analyzer's analyzer.window, "
              + windowMs
              + " ms (set collector.summary.window to the analyzer's window)");
    }
    long start = summary.getWindowStart();
    if (SampleSummaries.windowStart(start, windowMs) != start) {
      throw new IllegalArgumentException(
          "MetricSample.summary.windowStart "
              + start
              + of
              + ": must be a multiple of the window, "
              + windowMs
              + " ms");
    }
    if (SampleSummaries.windowStart(s.getTimestamp(), windowMs) != start) {
      throw new IllegalArgumentException(
          "MetricSample.timestamp "
              + s.getTimestamp()
              + of
              + ": a summary's timestamp (its latest sample) must lie in its window ["
              + start
              + ", "
              + (start + windowMs)
              + ")");
    }
    if (s.getError() || PipelineRuns.isRunSample(s)) {
      throw new IllegalArgumentException(
          "MetricSample.summary"
              + of
              + ": only windowed samples may be summarised, not error or "
              + "pipeline run samples");
    }
    if (summary.getCount() < 1) {
      throw new IllegalArgumentException(
          "MetricSample.summary.count " + summary.getCount() + of + ": must be at least 1");
    }
    for (double v :
        new double[] {
          summary.getMean(), summary.getM2(), summary.getMin(), summary.getMax(), summary.getSum()
        }) {
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            "MetricSample.summary" + of + ": mean, m2, min, max and sum must be finite");
      }
    }
    Quantiles sketch;
    try {
      sketch = SummarySketch.of(summary);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "MetricSample.summary.sketch" + of + ": not a DDSketch (" + e.getMessage() + ")", e);
    }
    if (Math.abs(sketch.relativeAccuracy() - SampleSummaries.SKETCH_ACCURACY) > 1e-9) {
      throw new IllegalArgumentException(
          "MetricSample.summary.sketch"
              + of
              + ": relative accuracy "
              + sketch.relativeAccuracy()
              + ", must be "
              + SampleSummaries.SKETCH_ACCURACY);
    }
    if (Math.round(sketch.count()) != summary.getCount()) {
      throw new IllegalArgumentException(
          "MetricSample.summary.sketch"
              + of
              + " counts "
              + Math.round(sketch.count())
              + " samples: must count summary.count, "
              + summary.getCount());
    }
  }
}
