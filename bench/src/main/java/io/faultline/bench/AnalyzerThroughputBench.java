package io.faultline.bench;

import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.analyzer.ResultCalculator;
import io.faultline.analyzer.StateStores;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The analyzer's full topology (exactly_once_v2, its commit interval, one stream thread) on an
 * in-process broker, against a bare KafkaConsumer loop reading the same records in the same run.
 *
 * <p>Throughput: N samples (default 100,000, at least 20 per key) over K keys (default 10, 1,000,
 * 10,000; 5 metrics per experiment), at least 10 (or {@code --per-window=P}) per key and window of
 * 1 s and at most 20 windows, are produced first; then a bare consumer (read_committed) counts
 * them, then the analyzer starts on them and the time from its RUNNING state to the moment its
 * committed offsets reach the end of the metrics topic is measured. Also the CPU time of its stream
 * thread over that run, as samples per CPU second: on a machine shared with other builds it moves
 * much less with the load than the wall-clock rate does (docs/adr/0027).
 *
 * <p>Latency: one key, a sample every 10 ms stamped with the wall clock for 30 s, windows of 1 s,
 * grace 0; per WindowVerdict, the time from its window's end (the latest sample time it can hold)
 * to the verdict arriving at a read_committed consumer.
 *
 * <pre>
 * java -cp "bench/target/faultline-bench.jar:bench/target/lib/*" io.faultline.bench.AnalyzerThroughputBench \
 *   [N [KEYS,KEYS,... [--no-latency] [--shards=S] [--fleet] [--per-window=P] [--targets=T]
 *   [--summaries] [--definitions] [--history=H] [--stores=rocksdb|memory] [--threads=T]
 *   [--kafka=K=V ...] [--partitions=P]]]
 * </pre>
 *
 * <p>{@code --threads=T}: the analyzer's {@code analyzer.stream.threads}; {@code --kafka=K=V}: its
 * {@code kafka.K} (e.g. {@code --kafka=producer.batch.size=262144}, or {@code
 * --kafka=commit.interval.ms=5000} instead of the analyzer's 1 s), in the throughput and the
 * latency runs alike, so one jar measures a setting both ways in one session; {@code
 * --partitions=P}: every topic with P partitions (default 3), so that T threads can share the tasks
 * evenly. The JSON line also carries the CPU seconds of the JVM's threads by role over the run (the
 * in-process broker's among them) and the stream threads' split from Kafka Streams' own metrics
 * (docs/adr/0069).
 *
 * <p>{@code --stores=S}: the analyzer's {@code analyzer.state.stores} (default the analyzer's
 * default), so one jar measures both ways in one session (docs/adr/0063).
 *
 * <p>{@code --summaries}: the same samples, produced as the collector pre-aggregates them
 * (docs/adr/0043): one record per key, group, target and window that stands for that target's
 * samples in it. The bare consumer then reads those records; samples/s counts the samples the
 * summaries stand for, records/s the records. {@code --targets=T}: targets per group (default 16),
 * so P / (2 T) samples per target and window.
 *
 * <p>{@code --definitions}: every experiment is published on {@code experiments} first, with a
 * hypothesis per metric (increase, tolerance 10%), the judge's and the result's reads of the global
 * table then decode a real definition (docs/adr/0052). {@code --history=H}: H earlier results of
 * the bench's service (the week of the samples, one attack each with MTTD and MTTR) are published
 * on {@code results} first, so the history rollup starts from a record of H experiments; the
 * rollup's work on them and on the bench's own results is part of the run.
 */
public final class AnalyzerThroughputBench {

  /** Recent sample times: the metrics topic's 1-day retention would delete older records. */
  private static final long T0 = (System.currentTimeMillis() / 60_000) * 60_000 - 600_000;

  private AnalyzerThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int[] keyCounts =
        args.length > 1
            ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {10, 1_000, 10_000};
    List<String> flags = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
    boolean latency = !flags.contains("--no-latency");
    boolean fleet = flags.contains("--fleet");
    int shards = intFlag(flags, "--shards=", MetricShards.DEFAULT);
    int perWindow = intFlag(flags, "--per-window=", 10);
    int targets = intFlag(flags, "--targets=", 16);
    boolean summaries = flags.contains("--summaries");
    boolean definitions = flags.contains("--definitions");
    int history = intFlag(flags, "--history=", 0);
    int threads = intFlag(flags, "--threads=", 1);
    int partitions = intFlag(flags, "--partitions=", Topics.DEFAULT_PARTITIONS);
    // --kafka=K=V: the analyzer's kafka.K (a Streams, producer. or consumer. setting), repeatable
    Map<String, String> kafkaSettings = new LinkedHashMap<>();
    flags.stream()
        .filter(f -> f.startsWith("--kafka="))
        .map(f -> f.substring("--kafka=".length()).split("=", 2))
        .forEach(
            kv -> {
              if (kv.length < 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(
                    "--kafka=" + String.join("=", kv) + ": must be --kafka=KEY=VALUE");
              }
              kafkaSettings.put("kafka." + kv[0], kv[1]);
            });
    String stores =
        flags.stream()
            .filter(f -> f.startsWith("--stores="))
            .map(f -> f.substring("--stores=".length()))
            .findFirst()
            .orElse(null);
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      String bootstrap = kafka.bootstrapServers();
      System.out.println(
          summaries
              ? "| keys | shards | samples (summary records) | windows of 1 s | bare consumer,"
                  + " records/s | analyzer (exactly-once), samples/s (records/s) | ratio |"
                  + " samples per stream-thread CPU second |"
              : "| keys | shards | samples | windows of 1 s | bare consumer, samples/s | analyzer"
                  + " (exactly-once), samples/s | ratio | samples per stream-thread CPU second |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      for (int keys : keyCounts) {
        throughput(
            bootstrap,
            n,
            keys,
            shards,
            fleet,
            perWindow,
            targets,
            summaries,
            new Seeds(definitions, history),
            stores,
            threads,
            kafkaSettings,
            partitions);
      }
      if (latency) {
        latency(bootstrap, kafkaSettings);
      }
    }
  }

  /** The value of {@code --name=N} among the flags, else {@code otherwise}. */
  private static int intFlag(List<String> flags, String prefix, int otherwise) {
    return flags.stream()
        .filter(f -> f.startsWith(prefix))
        .mapToInt(f -> Integer.parseInt(f.substring(prefix.length())))
        .findFirst()
        .orElse(otherwise);
  }

  /**
   * One case: {@code keys} experiment+metric keys (5 metrics per experiment; with {@code fleet} one
   * experiment of {@code keys} metrics), samples from 16 targets per group, keyed with {@code
   * shards} shards per key (docs/adr/0032).
   */
  static void throughput(
      String bootstrap,
      int n,
      int keys,
      int shards,
      boolean fleet,
      int perWindow,
      int targets,
      boolean summaries,
      Seeds seeds,
      String stores,
      int threads,
      Map<String, String> kafkaSettings,
      int partitions)
      throws Exception {
    String prefix =
        "tp"
            + keys
            + "s"
            + shards
            + (fleet ? "f" : "")
            + (summaries ? "p" : "")
            + (seeds.definitions() ? "d" : "")
            + (seeds.history() > 0 ? "h" + seeds.history() : "")
            + "p"
            + partitions
            + ".";
    Topics topics = new Topics(prefix, partitions);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    seeds.publish(bootstrap, topics, keys, fleet);
    AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
    Random random = new Random(keys);
    // at least 10 samples per key and window (many targets behind each key), at most 20 windows:
    // with fewer samples per window the bench measures judging, not aggregating (docs/adr/0023);
    // --per-window=P asks for P (a fleet's window of 5 s holds more: docs/adr/0038)
    n = Math.max(n, 2 * perWindow * keys);
    int windows = (int) Math.max(2, Math.min(20, n / ((long) perWindow * keys)));
    long spanMs = windows * 1_000L;
    long records = 0;
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      WindowSummaries open = new WindowSummaries(producer, topics.metrics().name(), serde);
      for (int i = 0; i < n; i++) {
        int k = i % keys;
        String experiment = fleet ? "fleet" : "e" + (k / 5);
        String metric = "http.latency.ms." + (fleet ? k : k % 5);
        long ts = T0 + (long) i * spanMs / n;
        Group group = (i / keys) % 2 == 0 ? Group.CONTROL : Group.EXPERIMENTAL;
        String target = group.name().toLowerCase(Locale.ROOT) + "-" + (i / keys / 2) % targets;
        MetricSample s =
            MetricSample.newBuilder()
                .setExperimentId(experiment)
                .setMetric(metric)
                .setGroup(group)
                .setTarget(target)
                .setTimestamp(ts)
                .setValue(Math.exp(3 + 0.3 * random.nextGaussian()))
                .setUnit("ms")
                .build();
        if (summaries) {
          records += open.add(MetricShards.key(s, shards), s, 1_000);
          continue;
        }
        records++;
        producer.send(
            new ProducerRecord<>(
                topics.metrics().name(), null, ts, MetricShards.key(s, shards), serde.encode(s)));
      }
      records += open.flushBefore(Long.MAX_VALUE);
      producer.flush();
    }

    long bareStart = System.nanoTime();
    long count = 0;
    long bytes = 0;
    try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "bare-" + prefix)) {
      consumer.subscribe(List.of(topics.metrics().name()));
      while (count < records) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          count++;
          bytes += r.value().length;
        }
      }
    }
    double bareSeconds = (System.nanoTime() - bareStart) / 1e9;

    Map<String, String> settings =
        new HashMap<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "topics.prefix",
                prefix,
                "analyzer.application.id",
                "bench-" + prefix,
                MetricShards.KEY,
                Integer.toString(shards),
                "analyzer.window",
                "1s",
                "analyzer.grace",
                "0s",
                "analyzer.state.dir",
                Files.createTempDirectory("bench-analyzer").toString()));
    if (stores != null) {
      settings.put(StateStores.KEY, stores);
    }
    settings.put(AnalyzerConfig.STREAM_THREADS, Integer.toString(threads));
    settings.put(Topics.PARTITIONS_KEY, Integer.toString(partitions));
    settings.putAll(kafkaSettings);
    AnalyzerConfig config = AnalyzerConfig.fromMap(settings);
    AnalyzerApp.Running analyzer = AnalyzerApp.run(config);
    KafkaStreams streams = analyzer.streams();
    long runStart = System.nanoTime();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      Thread.sleep(20);
      runStart = System.nanoTime();
    }
    Map<String, Double> cpuBefore = ThreadCpu.byRole();
    Map<String, long[]> schedBefore = ThreadCpu.schedstat();
    StreamThreadSplit splitBefore = StreamThreadSplit.of(streams.metrics());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      List<TopicPartition> metricsPartitions = new ArrayList<>();
      for (int p = 0; p < topics.metrics().partitions(); p++) {
        metricsPartitions.add(new TopicPartition(topics.metrics().name(), p));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      metricsPartitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets("bench-" + prefix).partitionsToOffsetAndMetadata().get();
        boolean done = true;
        for (TopicPartition tp : metricsPartitions) {
          OffsetAndMetadata c = committed.get(tp);
          long end = ends.get(tp).offset();
          if (end > 0 && (c == null || c.offset() < end)) {
            done = false;
          }
        }
        if (done) {
          break;
        }
        Thread.sleep(50);
      }
    }
    double analyzerSeconds = (System.nanoTime() - runStart) / 1e9;
    double cpuSeconds = streamThreadCpuSeconds();
    Map<String, Double> cpuRun = ThreadCpu.since(cpuBefore);
    cpuRun.putAll(ThreadCpu.runQueueWait(schedBefore));
    StreamThreadSplit split = StreamThreadSplit.of(streams.metrics()).since(splitBefore);
    analyzer.close();
    System.out.printf(
        Locale.ROOT,
        "| %,d%s | %d | %s | %d | %,.0f | %s | %.3f | %,.0f |%n",
        keys,
        fleet ? " (one experiment)" : "",
        shards,
        summaries ? String.format(Locale.ROOT, "%,d (%,d)", n, records) : String.format("%,d", n),
        windows,
        records / bareSeconds,
        summaries
            ? String.format(
                Locale.ROOT, "%,.0f (%,.0f)", n / analyzerSeconds, records / analyzerSeconds)
            : String.format(Locale.ROOT, "%,.0f", n / analyzerSeconds),
        bareSeconds / analyzerSeconds,
        n / cpuSeconds);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"analyzer-throughput\",\"threads\":%d,\"partitions\":%d,\"kafka\":\"%s\",\"stores\":\"%s\",\"keys\":%d,\"fleet\":%b,\"shards\":%d,"
            + "\"summaries\":%b,\"definitions\":%b,\"history\":%d,\"samples\":%d,\"records\":%d,\"windows\":%d,"
            + "\"bare_per_s\":%.0f,"
            + "\"samples_per_s\":%.0f,\"records_per_s\":%.0f,\"ratio\":%.4f,"
            + "\"stream_thread_cpu_s\":%.3f,\"samples_per_cpu_s\":%.0f,\"bytes\":%d,"
            + "\"run_s\":%.3f,\"cpu_s_by_threads\":%s,\"stream_thread_split\":%s}%n",
        threads,
        partitions,
        kafkaSettings,
        config.stateStores().configName(),
        keys,
        fleet,
        shards,
        summaries,
        seeds.definitions(),
        seeds.history(),
        n,
        records,
        windows,
        records / bareSeconds,
        n / analyzerSeconds,
        records / analyzerSeconds,
        bareSeconds / analyzerSeconds,
        cpuSeconds,
        n / cpuSeconds,
        bytes,
        analyzerSeconds,
        ThreadCpu.json(cpuRun),
        split.json());
  }

  /**
   * What is published before the samples: the experiments' definitions ({@code --definitions}) and
   * {@code history} earlier results of the bench's service ({@code --history=H}).
   */
  record Seeds(boolean definitions, int history) {

    /** The service of the bench's experiments: the definitions' or, without them, the default. */
    String service() {
      return definitions ? "bench" : ResultCalculator.serviceOf(null);
    }

    void publish(String bootstrap, Topics topics, int keys, boolean fleet) {
      if (!definitions && history == 0) {
        return;
      }
      AvroSerde<Experiment> experiments = AvroSerde.of(Experiment.class);
      AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
      try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
        if (definitions) {
          int metrics = fleet ? keys : 5;
          List<MetricHypothesis> hypotheses = new ArrayList<>();
          for (int m = 0; m < metrics; m++) {
            hypotheses.add(
                MetricHypothesis.newBuilder()
                    .setMetric("http.latency.ms." + m)
                    .setDirection(HypothesisDirection.INCREASE)
                    .setTolerance(0.1)
                    .build());
          }
          int count = fleet ? 1 : (keys + 4) / 5;
          for (int e = 0; e < count; e++) {
            String id = fleet ? "fleet" : "e" + e;
            Experiment x =
                Experiment.newBuilder()
                    .setExperimentId(id)
                    .setName("bench " + id)
                    .setState(ExperimentState.RUNNING)
                    .setCreatedAt(T0)
                    .setWindowMs(1_000)
                    .setService(service())
                    .setHypotheses(hypotheses)
                    .build();
            producer.send(
                new ProducerRecord<>(topics.experiments().name(), id, experiments.encode(x)));
          }
        }
        Random random = new Random(history);
        for (int i = 0; i < history; i++) {
          String id = "earlier-" + i;
          long mttd = 1_000L + random.nextInt(30_000);
          ExperimentResult r =
              ExperimentResult.newBuilder()
                  .setExperimentId(id)
                  .setVerdict(i % 3 == 0 ? Verdict.DEVIATED : Verdict.STEADY)
                  .setUpdatedAt(T0)
                  .setAttacks(
                      List.of(
                          AttackOutcome.newBuilder()
                              .setAttackId(id + "-a1")
                              .setStartedAt(T0 - 60_000)
                              .setMttdMs(mttd)
                              .setMttrMs(mttd * 2)
                              .build()))
                  .setService(service())
                  .setStartedAt(T0 - 120_000)
                  .build();
          producer.send(
              new ProducerRecord<>(topics.results().name(), null, T0, id, results.encode(r)));
        }
        producer.flush();
      }
    }
  }

  /**
   * The samples of the window being generated, one accumulator per record key, group and target, as
   * the collector keeps them (docs/adr/0043); produced as summaries when a later window begins.
   */
  static final class WindowSummaries {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AvroSerde<MetricSample> serde;
    private final Map<String, SampleSummaries.Accumulator> open = new LinkedHashMap<>();
    private final Map<String, MetricSample> first = new HashMap<>();
    private final Map<String, String> keyOf = new HashMap<>();
    private long current = Long.MIN_VALUE;

    WindowSummaries(
        KafkaProducer<String, byte[]> producer, String topic, AvroSerde<MetricSample> serde) {
      this.producer = producer;
      this.topic = topic;
      this.serde = serde;
    }

    /** Adds one sample; returns the records produced (the earlier window's summaries). */
    int add(String key, MetricSample s, long windowMs) {
      long start = SampleSummaries.windowStart(s.getTimestamp(), windowMs);
      int sent = start > current ? flushBefore(start) : 0;
      current = Math.max(current, start);
      String id = key + "|" + s.getGroup() + "|" + s.getTarget();
      open.computeIfAbsent(id, k -> new SampleSummaries.Accumulator(start, windowMs))
          .add(s.getTimestamp(), s.getValue());
      first.putIfAbsent(id, s);
      keyOf.putIfAbsent(id, key);
      return sent;
    }

    /** Produces every open summary (all of them belong to windows before {@code start}). */
    int flushBefore(long start) {
      int sent = open.size();
      open.forEach(
          (id, acc) -> {
            SampleSummary summary = acc.toSummary();
            MetricSample s =
                MetricSample.newBuilder(first.get(id))
                    .setTimestamp(acc.latest())
                    .setValue(summary.getMean())
                    .setSummary(summary)
                    .build();
            producer.send(
                new ProducerRecord<>(topic, null, acc.latest(), keyOf.get(id), serde.encode(s)));
          });
      open.clear();
      first.clear();
      keyOf.clear();
      return sent;
    }
  }

  /**
   * CPU time of the analyzer's stream threads so far: on a machine shared with other work the wall
   * clock measures the load as much as the analyzer, the thread's CPU time much less so.
   */
  static double streamThreadCpuSeconds() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().contains("-StreamThread-")) {
        nanos += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
      }
    }
    return nanos / 1e9;
  }

  static void latency(String bootstrap, Map<String, String> kafkaSettings) throws Exception {
    String prefix = "lat.";
    Topics topics = Topics.named(prefix);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Map<String, String> settings =
        new HashMap<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "topics.prefix",
                prefix,
                "analyzer.application.id",
                "bench-latency",
                "analyzer.window",
                "1s",
                "analyzer.grace",
                "0s",
                "analyzer.state.dir",
                Files.createTempDirectory("bench-analyzer").toString()));
    settings.putAll(kafkaSettings);
    AnalyzerConfig config = AnalyzerConfig.fromMap(settings);
    AnalyzerApp.Running analyzer = AnalyzerApp.run(config);
    while (analyzer.streams().state() != KafkaStreams.State.RUNNING) {
      Thread.sleep(20);
    }
    AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
    AvroSerde<WindowVerdict> verdicts = AvroSerde.of(WindowVerdict.class);
    List<Long> latencies = new ArrayList<>();
    Random random = new Random(5);
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap);
        KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "lat-reader")) {
      consumer.subscribe(List.of(topics.steadyState().name()));
      consumer.poll(Duration.ofMillis(100));
      long end = System.currentTimeMillis() + 30_000;
      long next = System.currentTimeMillis();
      int i = 0;
      while (System.currentTimeMillis() < end + 3_000) {
        long now = System.currentTimeMillis();
        if (now < end && now >= next) {
          Group group = i++ % 2 == 0 ? Group.CONTROL : Group.EXPERIMENTAL;
          MetricSample s =
              MetricSample.newBuilder()
                  .setExperimentId("lat")
                  .setMetric("http.latency.ms")
                  .setGroup(group)
                  .setTarget(group.name())
                  .setTimestamp(now)
                  .setValue(20 + random.nextGaussian())
                  .build();
          producer.send(
              new ProducerRecord<>(
                  topics.metrics().name(),
                  null,
                  now,
                  Topics.metricKey("lat", "http.latency.ms"),
                  serde.encode(s)));
          next += 10;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
          WindowVerdict v = verdicts.decode(r.value());
          latencies.add(System.currentTimeMillis() - v.getWindowEnd());
        }
      }
    }
    analyzer.close();
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      System.out.println("latency: no verdict arrived");
      return;
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Window end to WindowVerdict at a read_committed consumer (kafka %s), %d verdicts: p50 %d"
            + " ms, p90 %d ms, p99 %d ms, max %d ms.%n",
        kafkaSettings,
        sorted.length,
        sorted[sorted.length / 2],
        sorted[(int) (sorted.length * 0.9)],
        sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))],
        sorted[sorted.length - 1]);
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            "bootstrap.servers", bootstrap,
            "linger.ms", "5",
            "acks", "all",
            "batch.size", "65536"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers", bootstrap,
            "group.id", group,
            "auto.offset.reset", "earliest",
            "isolation.level", "read_committed",
            "enable.auto.commit", "false"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
