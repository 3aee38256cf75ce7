package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The verdicts, alerts and results of a fixed input, recorded from the topology as it was before
 * the throughput work (issue 18) in {@code golden/verdicts.txt}: any change to how samples are
 * aggregated must reproduce them. Three experiments, two targets per group, 20 windows of 5 s; one
 * experiment's latency and error ratio shift during its attack, one metric is sparse. Small on
 * purpose: the test driver commits, and writes a checkpoint, after every record.
 *
 * <p>Results are published once per commit (docs/adr/0027); the test driver commits after every
 * record, the repartitioned verdicts included, so it still sees one result per verdict and event.
 *
 * <p>Regenerate only for an intended change of the judgement: {@code
 * -Dgolden.write=analyzer/src/test/resources/golden/verdicts.txt}.
 */
class VerdictGoldenTest {

  static final long T0 = 1_700_000_000_000L; // a multiple of 5 s
  static final int WINDOWS = 20;
  static final String GOLDEN = "/golden/verdicts.txt";

  /** One input record: a sample on {@code metrics} or an event on {@code attack.events}. */
  record Input(long ts, MetricSample sample, AttackEvent event) {}

  /** The fixed input, in the order it is piped. */
  static List<Input> input() {
    Random random = new Random(18);
    List<Input> in = new ArrayList<>();
    Map<String, List<String>> metricsOf = new LinkedHashMap<>();
    metricsOf.put("exp-a", List.of("http.latency.ms", "http.errors.ratio"));
    metricsOf.put("exp-b", List.of("http.latency.ms"));
    metricsOf.put("exp-c", List.of("http.latency.ms"));
    for (int w = 0; w < WINDOWS; w++) {
      long start = T0 + w * 5_000L;
      if (w == 8) {
        in.add(new Input(start, null, event("exp-a", AttackEventType.STARTED, start)));
        in.add(new Input(start, null, event("exp-b", AttackEventType.STARTED, start)));
      }
      if (w == 13) {
        in.add(new Input(start, null, event("exp-a", AttackEventType.ROLLED_BACK, start)));
        in.add(new Input(start, null, event("exp-b", AttackEventType.ROLLED_BACK, start)));
      }
      for (int i = 0; i < 6; i++) {
        long ts = start + i * 800L;
        for (var em : metricsOf.entrySet()) {
          String e = em.getKey();
          if (e.equals("exp-c") && i % 3 != 0) {
            continue; // sparse: two samples per group and window
          }
          for (String m : em.getValue()) {
            for (int t = 0; t < 2; t++) {
              for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
                double base = m.startsWith("http.latency") ? 20 + 2 * t : 0.01;
                boolean shifted = e.equals("exp-a") && g == Group.EXPERIMENTAL && w >= 9 && w < 13;
                double value = base * (shifted ? 2.5 : 1) * Math.exp(0.1 * random.nextGaussian());
                String target = (g == Group.CONTROL ? "control-" : "experimental-") + t;
                in.add(new Input(ts + t, sample(e, m, g, target, ts + t, value), null));
              }
            }
          }
        }
      }
    }
    return in;
  }

  static MetricSample sample(
      String experiment, String metric, Group group, String target, long ts, double value) {
    return MetricSample.newBuilder()
        .setExperimentId(experiment)
        .setMetric(metric)
        .setGroup(group)
        .setTarget(target)
        .setTimestamp(ts)
        .setValue(value)
        .setUnit("ms")
        .build();
  }

  static AttackEvent event(String experiment, AttackEventType type, long ts) {
    return AttackEvent.newBuilder()
        .setEventId(experiment + "-" + type + "-" + ts)
        .setExperimentId(experiment)
        .setAttackId(experiment + "-attack")
        .setType(type)
        .setFault("network-latency")
        .setTimestamp(ts)
        .build();
  }

  /**
   * Runs the input through the topology built from {@code config} and returns its outputs in a
   * canonical text: per topic, per key in key order, the records in the order they came out.
   * Doubles are written with 12 significant digits, so a merge of partial summaries that adds in
   * another order (the last bits of a mean) reads the same.
   */
  static String run(Map<String, String> settings) throws IOException {
    return run(settings, s -> Topics.metricKey(s.getExperimentId(), s.getMetric()));
  }

  /** As {@link #run(Map)}, each sample keyed by {@code key}. */
  static String run(Map<String, String> settings, Function<MetricSample, String> key)
      throws IOException {
    return run(settings, key, input());
  }

  /** As {@link #run(Map, Function)}, with another input (e.g. the same samples as summaries). */
  static String run(
      Map<String, String> settings, Function<MetricSample, String> key, List<Input> inputs)
      throws IOException {
    Topics topics = new Topics("g.", 1);
    AvroSerde<MetricSample> sampleSerde = AvroSerde.of(MetricSample.class);
    try (TopologyDriver analyzer = TopologyDriver.start(topics, settings)) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      TestInputTopic<String, AttackEvent> events = analyzer.input(topics.attackEvents());
      for (Input i : inputs) {
        if (i.sample() != null) {
          MetricSample s = i.sample();
          metrics.pipeInput(key.apply(s), sampleSerde.encode(s), i.ts());
        } else {
          events.pipeInput(i.event().getExperimentId(), i.event(), i.ts());
        }
      }
      StringBuilder out = new StringBuilder();
      section(out, "steadystate", analyzer.output(topics.steadyState()).readRecordsToList());
      section(out, "alerts", analyzer.output(topics.alerts()).readRecordsToList());
      section(out, "results", analyzer.output(topics.results()).readRecordsToList());
      return out.toString();
    }
  }

  private static final Pattern DOUBLE = Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?");

  private static <V> void section(StringBuilder out, String name, List<TestRecord<String, V>> rs) {
    Map<String, List<String>> byKey = new TreeMap<>();
    for (TestRecord<String, V> r : rs) {
      byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(canonical(r.value().toString()));
    }
    out.append("## ").append(name).append(' ').append(rs.size()).append('\n');
    byKey.forEach(
        (k, values) -> values.forEach(v -> out.append(k).append('\t').append(v).append('\n')));
  }

  static String canonical(String json) {
    Matcher m = DOUBLE.matcher(json);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      double d = Double.parseDouble(m.group());
      m.appendReplacement(b, String.format(Locale.ROOT, "%.12g", d));
    }
    m.appendTail(b);
    return b.toString();
  }

  static String golden() throws IOException {
    try (InputStream in = VerdictGoldenTest.class.getResourceAsStream(GOLDEN)) {
      assertThat(in).as(GOLDEN + " on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theTopologyReproducesTheRecordedVerdictsAlertsAndResults() throws IOException {
    String actual = run(Map.of());
    String write = System.getProperty("golden.write");
    if (write != null) {
      Files.writeString(Path.of(write), actual);
    }
    String expected = golden();
    assertThat(expected).contains("DEVIATING").contains("FIRING").contains("RESOLVED");
    assertThat(actual).isEqualTo(expected);
  }

  /**
   * The canonical text with doubles to {@code significant} digits. The merge of the shards adds in
   * another order than one window did, and a small difference of two means (an effect near zero)
   * then differs in its 12th digit; every count, state, id and time must still be equal.
   */
  static String digits(String canonical, int significant) {
    Matcher m = DOUBLE.matcher(canonical);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      double d = Double.parseDouble(m.group());
      m.appendReplacement(b, String.format(Locale.ROOT, "%." + significant + "g", d));
    }
    m.appendTail(b);
    return b.toString();
  }

  /**
   * Eight shards merged give the golden verdicts, alerts and results, also with an older
   * collector's records (no shard) beside sharded ones, as during an upgrade. One run covers both
   * (each run of the input takes minutes on a loaded machine): targets ending in -0 keep the old
   * key, the others are sharded, and one of them is forced onto shard 0, so the old key and {@code
   * |0} meet in one window and must not replace each other.
   */
  @Test
  void eightShardsMergedWithOldUnshardedKeysGiveTheSameVerdictsAlertsAndResults()
      throws IOException {
    // the sharded targets spread over several shards of every metric, so the merge is exercised
    Map<String, java.util.Set<Integer>> shardsOfMetric = new TreeMap<>();
    for (Input i : input()) {
      if (i.sample() != null) {
        shardsOfMetric
            .computeIfAbsent(
                Topics.metricKey(i.sample().getExperimentId(), i.sample().getMetric()),
                k -> new java.util.TreeSet<>())
            .add(MetricShards.shard(i.sample(), 8));
      }
    }
    assertThat(shardsOfMetric)
        .hasSize(4)
        .allSatisfy((k, shards) -> assertThat(shards).hasSizeGreaterThan(2));

    String mixed =
        run(
            Map.of(MetricShards.KEY, "8"),
            s -> {
              String unsharded = Topics.metricKey(s.getExperimentId(), s.getMetric());
              if (s.getTarget().endsWith("-0")) {
                return unsharded;
              }
              return s.getTarget().startsWith("control")
                  ? unsharded + "|0"
                  : MetricShards.key(s, 8);
            });
    assertThat(digits(mixed, 10)).isEqualTo(digits(golden(), 10));
  }

  /**
   * The hot stores on the heap (docs/adr/0063) give what RocksDB gives: the golden text, which the
   * first test checks RocksDB against, to the last digit unsharded and to 10 digits with 8 shards
   * merged.
   */
  @Test
  void inMemoryStoresGiveRocksDbsVerdictsAlertsAndResults() throws IOException {
    String memory = StateStores.MEMORY.configName();
    assertThat(run(Map.of(StateStores.KEY, memory))).isEqualTo(golden());
    String sharded =
        run(Map.of(StateStores.KEY, memory, MetricShards.KEY, "8"), s -> MetricShards.key(s, 8));
    assertThat(digits(sharded, 10)).isEqualTo(digits(golden(), 10));
  }

  @Test
  void anOlderCollectorsKeyHasASlotOfItsOwnBesideShardZero() {
    assertThat(AnalyzerTopology.partialSlot("exp|http.latency.ms")).isEqualTo(-1);
    assertThat(AnalyzerTopology.partialSlot("exp|http.latency.ms|0")).isZero();
    assertThat(AnalyzerTopology.partialSlot("exp|http.latency.ms|7")).isEqualTo(7);
  }

  @Test
  void oneShardKeepsTodaysTopologyAndMoreAddOneRepartitionTopic() throws IOException {
    String unsharded =
        AnalyzerTopology.build(new Topics("g.", 1), TopologyDriver.config(Map.of()))
            .describe()
            .toString();
    String sharded =
        AnalyzerTopology.build(
                new Topics("g.", 1), TopologyDriver.config(Map.of(MetricShards.KEY, "8")))
            .describe()
            .toString();
    assertThat(unsharded).contains("window-close").doesNotContain("partials-by-metric");
    assertThat(sharded)
        .contains("partials-by-metric", "merge-shards", ShardMerge.STORE)
        .doesNotContain("window-close");
  }
}
