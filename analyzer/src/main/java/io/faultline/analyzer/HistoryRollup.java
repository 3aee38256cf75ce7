package io.faultline.analyzer;

import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Rolls the {@code results} topic up into {@code history}: per service and ISO week of the
 * experiment's start, and per service for all time ({@code service|all}), the experiments run, held
 * and not held, incidents by SEV level, alert counts, and each MTTD and MTTR (the exact lists,
 * sorted: a week holds few experiments).
 *
 * <pre>
 * results -> table history-results (latest result per experiment)
 *         -> groupBy service|week  (history-by-week)  -> aggregate history-weeks    -> history
 *         -> groupBy service|all   (history-by-service) -> aggregate history-all-time -> history
 * </pre>
 *
 * <p>Each experiment's latest result replaces its earlier one (the table's subtractor takes the old
 * figures out), so running results, a restart and a replay of the compacted topic give the same
 * figures; the week comes from the result's {@code startedAt}, not from when it arrived, so a late
 * result lands in its own week. An incident is a deviation episode of a metric (each alert it
 * fired; one when it deviated without firing), at the metric's SEV level; an abort is one more
 * incident at the critical level.
 */
public final class HistoryRollup {

  public static final String ALL_TIME = "all";
  static final String RESULTS_STORE = "history-results";
  static final String WEEKS_STORE = "history-weeks";
  static final String ALL_TIME_STORE = "history-all-time";

  private HistoryRollup() {}

  /** The rollup alone, for tests and tools. */
  public static Topology build(Topics topics) {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder, topics, ResultCalculator.SeverityLevels.DEFAULTS);
    return builder.build();
  }

  /** Adds the rollup to a topology (the analyzer's). */
  public static void addTo(
      StreamsBuilder builder, Topics topics, ResultCalculator.SeverityLevels levels) {
    Serde<String> keys = Serdes.String();
    Serde<ExperimentResult> results = new LenientSerde<>(topics.results().valueSerde());
    Serde<ServiceHistory> histories = topics.history().valueSerde();
    KTable<String, ExperimentResult> latest =
        builder.table(
            topics.results().name(),
            Consumed.with(keys, results).withName("history-source"),
            Materialized.<String, ExperimentResult, KeyValueStore<Bytes, byte[]>>as(RESULTS_STORE)
                .withKeySerde(keys)
                .withValueSerde(results));
    Serde<ExperimentResult> plain = topics.results().valueSerde();
    rollup(
            latest,
            "history-by-week",
            WEEKS_STORE,
            r -> key(r.getService(), week(r)),
            plain,
            histories,
            levels)
        .toStream(Named.as("history-weeks-out"))
        .to(topics.history().name(), Produced.with(keys, histories).withName("history-weeks-sink"));
    rollup(
            latest,
            "history-by-service",
            ALL_TIME_STORE,
            r -> key(r.getService(), ALL_TIME),
            plain,
            histories,
            levels)
        .toStream(Named.as("history-all-time-out"))
        .to(
            topics.history().name(),
            Produced.with(keys, histories).withName("history-all-time-sink"));
  }

  private static KTable<String, ServiceHistory> rollup(
      KTable<String, ExperimentResult> latest,
      String name,
      String store,
      Function<ExperimentResult, String> keyOf,
      Serde<ExperimentResult> results,
      Serde<ServiceHistory> histories,
      ResultCalculator.SeverityLevels levels) {
    Serde<String> keys = Serdes.String();
    return latest
        .groupBy((id, r) -> KeyValue.pair(keyOf.apply(r), r), Grouped.with(name, keys, results))
        .aggregate(
            () -> null,
            (key, r, h) -> add(h == null ? empty(key) : h, r, +1, levels),
            (key, r, h) -> {
              ServiceHistory left = add(h == null ? empty(key) : h, r, -1, levels);
              return left.getExperiments() == 0 ? null : left; // a tombstone: the key is empty
            },
            Named.as(name + "-aggregate"),
            Materialized.<String, ServiceHistory, KeyValueStore<Bytes, byte[]>>as(store)
                .withKeySerde(keys)
                .withValueSerde(histories));
  }

  static String key(String service, String week) {
    return service + "|" + week;
  }

  /** ISO week of the experiment's start (else of its last update), e.g. {@code 2026-W49}. */
  public static String week(ExperimentResult r) {
    long at = r.getStartedAt() != null ? r.getStartedAt() : r.getUpdatedAt();
    return isoWeek(at);
  }

  public static String isoWeek(long epochMs) {
    ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC);
    return String.format(
        "%d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
  }

  private static ServiceHistory empty(String key) {
    int bar = key.lastIndexOf('|');
    return ServiceHistory.newBuilder()
        .setService(key.substring(0, bar))
        .setWeek(key.substring(bar + 1))
        .build();
  }

  /**
   * The history of a set of results without Kafka, the latest per experiment as the stream keeps
   * them, through the same {@link #add}: for {@code faultline demo}'s history in its data
   * directory.
   */
  public static Map<String, ServiceHistory> fold(
      Iterable<ExperimentResult> results, ResultCalculator.SeverityLevels levels) {
    Map<String, ExperimentResult> latest = new java.util.LinkedHashMap<>();
    results.forEach(r -> latest.put(r.getExperimentId(), r));
    Map<String, ServiceHistory> out = new TreeMap<>();
    for (ExperimentResult r : latest.values()) {
      for (String key : List.of(key(r.getService(), week(r)), key(r.getService(), ALL_TIME))) {
        out.put(key, add(out.containsKey(key) ? out.get(key) : empty(key), r, +1, levels));
      }
    }
    return out;
  }

  /** The figures with one result added ({@code sign} +1) or taken out (-1); a pure function. */
  static ServiceHistory add(
      ServiceHistory h, ExperimentResult r, int sign, ResultCalculator.SeverityLevels levels) {
    ServiceHistory.Builder b = ServiceHistory.newBuilder(h);
    b.setExperiments(h.getExperiments() + sign);
    if (r.getVerdict() == Verdict.STEADY) {
      b.setHeld(h.getHeld() + sign);
    } else if (r.getVerdict() == Verdict.DEVIATED || r.getVerdict() == Verdict.ABORTED) {
      b.setNotHeld(h.getNotHeld() + sign);
    }
    Map<String, Long> incidents = new TreeMap<>(h.getIncidentsBySeverity());
    for (Map.Entry<String, Long> e : incidents(r, levels).entrySet()) {
      long n = incidents.getOrDefault(e.getKey(), 0L) + sign * e.getValue();
      if (n == 0) {
        incidents.remove(e.getKey());
      } else {
        incidents.put(e.getKey(), n);
      }
    }
    b.setIncidentsBySeverity(incidents);
    long fired = 0;
    long noisy = 0;
    for (MetricJudgement m : r.getMetrics()) {
      fired += m.getAlertsFired();
      noisy += m.getNoisyAlerts();
    }
    b.setAlertsFired(h.getAlertsFired() + sign * fired);
    b.setNoisyAlerts(h.getNoisyAlerts() + sign * noisy);
    b.setMttdMs(
        merge(h.getMttdMs(), r.getAttacks().stream().map(AttackOutcome::getMttdMs).toList(), sign));
    b.setMttrMs(
        merge(h.getMttrMs(), r.getAttacks().stream().map(AttackOutcome::getMttrMs).toList(), sign));
    List<String> ids = new ArrayList<>(h.getExperimentIds());
    if (sign > 0) {
      ids.add(r.getExperimentId());
    } else {
      ids.remove(r.getExperimentId());
    }
    Collections.sort(ids);
    b.setExperimentIds(ids);
    return b.build();
  }

  /** One result's incidents by SEV level. */
  public static Map<String, Long> incidents(
      ExperimentResult r, ResultCalculator.SeverityLevels levels) {
    Map<String, Long> out = new TreeMap<>();
    for (MetricJudgement m : r.getMetrics()) {
      long episodes = Math.max(m.getAlertsFired(), m.getFirstDeviationAt() != null ? 1 : 0);
      if (episodes > 0) {
        out.merge(m.getSeverity(), episodes, Long::sum);
      }
    }
    if (r.getAborted()) {
      out.merge(levels.critical(), 1L, Long::sum);
    }
    return out;
  }

  private static List<Long> merge(List<Long> into, List<Long> values, int sign) {
    List<Long> out = new ArrayList<>(into);
    for (Long v : values) {
      if (v == null) {
        continue;
      }
      if (sign > 0) {
        out.add(v);
      } else {
        out.remove(v);
      }
    }
    Collections.sort(out);
    return out;
  }
}
