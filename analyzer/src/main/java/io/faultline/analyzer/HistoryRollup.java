package io.faultline.analyzer;

import io.faultline.analyzer.HistoryInput.ResultFigures;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertCount;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Figures;
import io.faultline.schema.RecentExperiment;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
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
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Rolls the {@code results} and {@code alerts} topics up into {@code history}: per service and ISO
 * week, and per service for all time ({@code service|all}). From the results, in the week of the
 * experiment's start: the experiments run, held and not held, SEVs by level, each MTTD and MTTR.
 * From the alerts, in the week each alert fired: alert counts by name and the top 20, alerts by
 * SEV, self-resolving (noisy) alerts, each time to resolve, and the MTBF of incidents (the gaps
 * between consecutive firings of the service). Values are kept as exact sorted lists (a week holds
 * tens) so that mean, p50 and p90 are exact and a subtractor can take one out.
 *
 * <pre>
 * results -> the result's figures, if changed (history-changed-figures, store
 *            history-result-figures) --(result|experimentId)--\
 *                                    merge -> repartition history-inputs -> table history-inputs-table
 * alerts  --(alert|alertId)---------/   (the latest result per experiment, latest state per alert)
 *         -> groupBy service|week  (history-by-week)    -> aggregate history-weeks    -> history
 *         -> groupBy service|all   (history-by-service) -> aggregate history-all-time -> history
 * </pre>
 *
 * <p>Each experiment's latest result replaces its earlier one, and an alert's RESOLVED its FIRING
 * (the table's subtractor takes the old figures out), so running results, a restart and a replay of
 * the topics give the same figures; the week comes from the record's own time ({@code startedAt},
 * {@code firedAt}), not from when it arrived, so a late record lands in its own week. An incident
 * of the results is a deviation episode of a metric (each alert it fired; one when it deviated
 * without firing), at the metric's SEV level; an abort is one more at the abort level.
 *
 * <p>A result enters the history as the figures of it that the history reads ({@link
 * HistoryInput.ResultFigures}), and only when they differ from those last passed on for its
 * experiment: the analyzer publishes a running experiment's result at every commit, mostly with the
 * same figures, and each of those replaced an input by an equal one, took out and put back the same
 * figures and published the record published last (docs/adr/0089).
 */
public final class HistoryRollup {

  public static final String ALL_TIME = "all";

  /** The top alerts by frequency kept in each record. */
  public static final int TOP_ALERTS = 20;

  /** The latest experiments named in each record; {@code experiments} counts them all. */
  public static final int RECENT_EXPERIMENTS = 20;

  /** Records per stream thread and store kept decoded as last written (docs/adr/0052). */
  static final int MEMO_SIZE = 64;

  static final String INPUTS_STORE = "history-inputs";
  static final String WEEKS_STORE = "history-weeks";
  static final String ALL_TIME_STORE = "history-all-time";

  /** Per experiment, the figures of its result last passed on to the history (docs/adr/0089). */
  static final String RESULT_FIGURES_STORE = "history-result-figures";

  private HistoryRollup() {}

  /** The rollup alone, for tests and tools. */
  public static Topology build(Topics topics) {
    return build(topics, ResultCalculator.SeverityLevels.DEFAULTS, new AnalyzerMetrics());
  }

  static Topology build(
      Topics topics, ResultCalculator.SeverityLevels levels, AnalyzerMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder, topics, levels, metrics);
    return builder.build();
  }

  /** Adds the rollup to a topology (the analyzer's), with its SEV levels and /metrics. */
  public static void addTo(
      StreamsBuilder builder, Topics topics, AnalyzerConfig config, AnalyzerMetrics metrics) {
    addTo(builder, topics, config.severityLevels(), metrics);
  }

  static void addTo(
      StreamsBuilder builder,
      Topics topics,
      ResultCalculator.SeverityLevels levels,
      AnalyzerMetrics metrics) {
    Serde<String> keys = Serdes.String();
    Serde<HistoryInput> inputs = HistoryInput.serde();
    Serde<ServiceHistory> histories = topics.history().valueSerde();
    // in RocksDB whatever analyzer.state.stores says, as the rest of the history: read once per
    // result, not per sample
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RESULT_FIGURES_STORE), keys, inputs)
            .withCachingEnabled());
    KStream<String, HistoryInput> results =
        builder.stream(
                topics.results().name(),
                Consumed.with(keys, new LenientSerde<>(topics.results().valueSerde()))
                    .withName("history-results-source"))
            // a result whose figures are those last passed on changes no figure of the history
            .processValues(
                ChangedFigures::new, Named.as("history-changed-figures"), RESULT_FIGURES_STORE)
            .map((id, in) -> KeyValue.pair("result|" + id, in), Named.as("history-result-input"));
    KStream<String, HistoryInput> alerts =
        builder.stream(
                topics.alerts().name(),
                Consumed.with(keys, new LenientSerde<>(topics.alerts().valueSerde()))
                    .withName("history-alerts-source"))
            .filter((k, a) -> a != null, Named.as("history-readable-alerts"))
            .map(
                (k, a) -> KeyValue.pair("alert|" + a.getAlertId(), HistoryInput.of(a)),
                Named.as("history-alert-input"));
    KTable<String, HistoryInput> latest =
        results
            .merge(alerts, Named.as("history-inputs-merge"))
            .repartition(Repartitioned.with(keys, inputs).withName(INPUTS_STORE))
            .toTable(
                Named.as("history-inputs-table"),
                Materialized.<String, HistoryInput, KeyValueStore<Bytes, byte[]>>as(INPUTS_STORE)
                    .withKeySerde(keys)
                    .withValueSerde(inputs));
    for (boolean weekly : new boolean[] {true, false}) {
      String name = weekly ? "history-by-week" : "history-by-service";
      rollup(
              latest,
              name,
              weekly ? WEEKS_STORE : ALL_TIME_STORE,
              in -> key(service(in), weekly ? week(in) : ALL_TIME),
              inputs,
              histories,
              levels)
          .toStream(Named.as(name + "-out"))
          .peek((key, h) -> metrics.history(key, h), Named.as(name + "-metrics"))
          .to(topics.history().name(), Produced.with(keys, histories).withName(name + "-sink"));
    }
  }

  /**
   * Passes on an experiment's result as its {@link HistoryInput}, unless its figures equal those
   * last passed on for the experiment (store {@link #RESULT_FIGURES_STORE}): the table would
   * replace them by equal ones, and the aggregates take out and put back the same figures, so the
   * history would publish the record it published last (docs/adr/0089). A result that cannot be
   * read (null) is passed on, as before, and forgets the experiment's figures.
   */
  static final class ChangedFigures
      implements FixedKeyProcessor<String, ExperimentResult, HistoryInput> {

    private FixedKeyProcessorContext<String, HistoryInput> context;
    private KeyValueStore<String, HistoryInput> last;

    @Override
    public void init(FixedKeyProcessorContext<String, HistoryInput> context) {
      this.context = context;
      this.last = context.getStateStore(RESULT_FIGURES_STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, ExperimentResult> record) {
      HistoryInput in = HistoryInput.of(record.value());
      String id = record.key();
      if (id != null) {
        if (in == null) {
          last.delete(id);
        } else if (in.equals(last.get(id))) {
          return;
        } else {
          last.put(id, in);
        }
      }
      context.forward(record.withValue(in));
    }
  }

  private static KTable<String, ServiceHistory> rollup(
      KTable<String, HistoryInput> latest,
      String name,
      String store,
      Function<HistoryInput, String> keyOf,
      Serde<HistoryInput> inputs,
      Serde<ServiceHistory> histories,
      ResultCalculator.SeverityLevels levels) {
    Serde<String> keys = Serdes.String();
    return latest
        .groupBy((id, in) -> KeyValue.pair(keyOf.apply(in), in), Grouped.with(name, keys, inputs))
        .aggregate(
            () -> null,
            (key, in, h) -> add(h == null ? empty(key) : h, in, +1, levels),
            (key, in, h) -> {
              ServiceHistory left = add(h == null ? empty(key) : h, in, -1, levels);
              // a tombstone: nothing left under the key
              return left.getExperiments() == 0 && left.getAlerts() == 0 ? null : left;
            },
            Named.as(name + "-aggregate"),
            Materialized.<String, ServiceHistory, KeyValueStore<Bytes, byte[]>>as(store)
                .withKeySerde(keys)
                // a service's record is read back right after it is written: not decoded again;
                // its lists are written as blocks encoded once (docs/adr/0058)
                .withValueSerde(new DecodedMemo<>(storeSerde(), MEMO_SIZE)));
  }

  /**
   * The rollup stores' value serde: Avro's single-object encoding of {@link ServiceHistory}, whose
   * long lists are written in blocks ({@link ChunkedHistoryWriter}); any reader of the schema, this
   * version's or an earlier one's, reads it.
   */
  static AvroSerde<ServiceHistory> storeSerde() {
    return AvroSerde.writingWith(ServiceHistory.class, new ChunkedHistoryWriter());
  }

  private static String service(HistoryInput in) {
    return in.result() != null ? in.result().service() : in.alert().getService();
  }

  private static String week(HistoryInput in) {
    return in.result() != null
        ? isoWeek(in.result().startedAt())
        : isoWeek(in.alert().getFiredAt());
  }

  static String key(String service, String week) {
    return service + "|" + week;
  }

  /** ISO week of the experiment's start (else of its last update), e.g. {@code 2026-W49}. */
  public static String week(ExperimentResult r) {
    return isoWeek(startedAt(r));
  }

  private static long startedAt(ExperimentResult r) {
    return r.getStartedAt() != null ? r.getStartedAt() : r.getUpdatedAt();
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
   * The history of a set of results and alerts without Kafka, the latest per experiment and per
   * alert as the stream keeps them, through the same {@link #add}: for {@code faultline demo}'s
   * history in its data directory and for tools.
   */
  public static Map<String, ServiceHistory> fold(
      Iterable<ExperimentResult> results,
      Iterable<Alert> alerts,
      ResultCalculator.SeverityLevels levels) {
    Map<String, HistoryInput> latest = new LinkedHashMap<>();
    results.forEach(r -> latest.put("result|" + r.getExperimentId(), HistoryInput.of(r)));
    alerts.forEach(a -> latest.put("alert|" + a.getAlertId(), HistoryInput.of(a)));
    Map<String, ServiceHistory> out = new TreeMap<>();
    for (HistoryInput in : latest.values()) {
      for (String key : List.of(key(service(in), week(in)), key(service(in), ALL_TIME))) {
        out.put(key, add(out.containsKey(key) ? out.get(key) : empty(key), in, +1, levels));
      }
    }
    return out;
  }

  /**
   * The figures with one input added ({@code sign} +1) or taken out (-1); a pure function. Only
   * what the input changes is rebuilt: the record is copied field by field by reference (no deep
   * copy), a changed list is copied once with the value inserted at or removed from its sorted
   * place, and only its figures are recomputed, from the list as it is kept (sorted) without
   * sorting it again (docs/adr/0052).
   */
  static ServiceHistory add(
      ServiceHistory h, HistoryInput in, int sign, ResultCalculator.SeverityLevels levels) {
    ServiceHistory out = shallowCopy(h);
    if (in.result() != null) {
      addResult(out, in.result(), sign, levels);
    } else {
      addAlert(out, in.alert(), sign);
    }
    return out;
  }

  /**
   * Every field of {@code h} by reference (h's own lists and maps are never changed), the long
   * lists as {@link ChunkedLongs}: the same lists when {@code h} came from {@code add}, chunked
   * once when it was decoded.
   */
  private static ServiceHistory shallowCopy(ServiceHistory h) {
    ServiceHistory out = new ServiceHistory();
    for (int i = 0; i < ServiceHistory.SCHEMA$.getFields().size(); i++) {
      out.put(i, h.get(i));
    }
    out.setMttdMs(ChunkedLongs.of(h.getMttdMs()));
    out.setMttrMs(ChunkedLongs.of(h.getMttrMs()));
    out.setTimeToResolveMs(ChunkedLongs.of(h.getTimeToResolveMs()));
    out.setIncidentStartsMs(ChunkedLongs.of(h.getIncidentStartsMs()));
    out.setMtbfMs(ChunkedLongs.of(h.getMtbfMs()));
    return out;
  }

  private static void addResult(
      ServiceHistory b, ResultFigures r, int sign, ResultCalculator.SeverityLevels levels) {
    b.setExperiments(b.getExperiments() + sign);
    if (r.verdict() == Verdict.STEADY) {
      b.setHeld(b.getHeld() + sign);
    } else if (r.verdict() == Verdict.DEVIATED || r.verdict() == Verdict.ABORTED) {
      b.setNotHeld(b.getNotHeld() + sign);
    }
    Map<String, Long> bySeverity = new TreeMap<>(b.getIncidentsBySeverity()); // a few levels
    for (Map.Entry<String, Long> e : incidents(r, levels).entrySet()) {
      long n = bySeverity.getOrDefault(e.getKey(), 0L) + sign * e.getValue();
      if (n == 0) {
        bySeverity.remove(e.getKey());
      } else {
        bySeverity.put(e.getKey(), n);
      }
    }
    b.setIncidentsBySeverity(bySeverity);
    b.setAlertsFired(b.getAlertsFired() + sign * r.alertsFired());
    b.setNoisyAlerts(b.getNoisyAlerts() + sign * r.noisyAlerts());
    if (!r.mttdMs().isEmpty()) {
      b.setMttdMs(merge(b.getMttdMs(), r.mttdMs(), sign));
      b.setMttd(sortedFigures(b.getMttdMs()));
    }
    if (!r.mttrMs().isEmpty()) {
      b.setMttrMs(merge(b.getMttrMs(), r.mttrMs(), sign));
      b.setMttr(sortedFigures(b.getMttrMs()));
    }
    b.setRecentExperiments(recent(b.getRecentExperiments(), r, sign));
  }

  /**
   * The latest {@link #RECENT_EXPERIMENTS} experiments with one result added or taken out: at most
   * that many entries, whatever the number of experiments, so a result costs the same in the
   * thousandth experiment of a week as in the first (docs/adr/0027). The count is {@code
   * experiments}; a replayed result is no second experiment because the {@code history-inputs}
   * table replaces it (subtractor, then adder), not because of this list.
   */
  static List<RecentExperiment> recent(List<RecentExperiment> recent, ResultFigures r, int sign) {
    List<RecentExperiment> out = new ArrayList<>(recent.size() + 1);
    for (RecentExperiment e : recent) {
      if (!e.getExperimentId().equals(r.experimentId())) {
        out.add(e);
      }
    }
    if (sign > 0) {
      out.add(new RecentExperiment(r.experimentId(), r.startedAt()));
      out.sort(NEWEST_FIRST);
      if (out.size() > RECENT_EXPERIMENTS) {
        out.remove(out.size() - 1);
      }
    }
    return out;
  }

  private static final Comparator<RecentExperiment> NEWEST_FIRST =
      Comparator.comparingLong(RecentExperiment::getStartedAt)
          .reversed()
          .thenComparing(RecentExperiment::getExperimentId);

  private static void addAlert(ServiceHistory b, Alert a, int sign) {
    b.setAlerts(b.getAlerts() + sign);
    b.setAlertCounts(count(b.getAlertCounts(), a.getMetric(), sign));
    b.setAlertsBySev(count(b.getAlertsBySev(), a.getSev() == null ? "none" : a.getSev(), sign));
    b.setTopAlerts(top(b.getAlertCounts()));
    if (a.getStatus() == AlertStatus.RESOLVED) {
      b.setTimeToResolveMs(
          merge(
              b.getTimeToResolveMs(),
              List.of(Math.max(0, a.getTimestamp() - a.getFiredAt())),
              sign));
      b.setTimeToResolve(sortedFigures(b.getTimeToResolveMs()));
      if (a.getSelfResolving()) {
        b.setSelfResolvingAlerts(b.getSelfResolvingAlerts() + sign);
      }
    }
    b.setIncidentStartsMs(merge(b.getIncidentStartsMs(), List.of(a.getFiredAt()), sign));
    List<Long> starts = b.getIncidentStartsMs();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < starts.size(); i++) {
      long gap = starts.get(i) - starts.get(i - 1);
      // incidents opened at one instant (one attack, several metrics) are one failure
      if (gap > 0) {
        gaps.add(gap);
      }
    }
    b.setMtbfMs(ChunkedLongs.of(gaps));
    b.setMtbf(figures(gaps));
  }

  private static Map<String, Long> count(Map<String, Long> counts, String name, long by) {
    Map<String, Long> out = new TreeMap<>(counts);
    long n = out.getOrDefault(name, 0L) + by;
    if (n == 0) {
      out.remove(name);
    } else {
      out.put(name, n);
    }
    return out;
  }

  /** The {@link #TOP_ALERTS} most frequent alerts, ties by name. */
  private static List<AlertCount> top(Map<String, Long> alertCounts) {
    List<AlertCount> top = new ArrayList<>();
    alertCounts.forEach((name, n) -> top.add(new AlertCount(name, n)));
    top.sort(
        Comparator.comparingLong(AlertCount::getCount)
            .reversed()
            .thenComparing(AlertCount::getName));
    return new ArrayList<>(top.subList(0, Math.min(TOP_ALERTS, top.size())));
  }

  /** Count, mean, p50 and p90 (interpolated, {@link #rank}) of some values; null without any. */
  public static Figures figures(List<Long> values) {
    return sortedFigures(values.stream().sorted().toList());
  }

  /** {@link #figures} of values already in ascending order, as the kept lists are. */
  private static Figures sortedFigures(List<Long> sorted) {
    if (sorted.isEmpty()) {
      return null;
    }
    long sum = 0;
    if (sorted instanceof ChunkedLongs chunked) {
      sum = chunked.sum();
    } else {
      for (long v : sorted) {
        sum += v;
      }
    }
    return new Figures(
        (long) sorted.size(),
        Math.round((double) sum / sorted.size()),
        rank(sorted, 0.5),
        rank(sorted, 0.9));
  }

  /**
   * The {@code q} quantile, linearly interpolated between the values around rank {@code q (n-1)}
   * (as a spreadsheet's PERCENTILE.INC), rounded to the millisecond: p50 of {0 s, 25 s} is 12.5 s,
   * where the nearest rank gave 0 s, a figure no incident had.
   */
  static long rank(List<Long> sorted, double q) {
    double at = q * (sorted.size() - 1);
    int below = (int) Math.floor(at);
    int above = Math.min(sorted.size() - 1, below + 1);
    double low = sorted.get(below);
    return Math.round(low + (at - below) * (sorted.get(above) - low));
  }

  /** One result's incidents by SEV level. */
  public static Map<String, Long> incidents(
      ExperimentResult r, ResultCalculator.SeverityLevels levels) {
    return incidents(ResultFigures.of(r), levels);
  }

  private static Map<String, Long> incidents(
      ResultFigures r, ResultCalculator.SeverityLevels levels) {
    Map<String, Long> out = new TreeMap<>();
    for (ResultFigures.Episodes e : r.episodes()) {
      out.merge(e.severity(), e.count(), Long::sum);
    }
    if (r.aborted()) {
      out.merge(levels.abort(), 1L, Long::sum);
    }
    return out;
  }

  /**
   * A sorted list with {@code values} inserted at ({@code sign} +1) or one equal value removed from
   * (-1) their sorted places: one chunk copied per value, no sort (docs/adr/0058).
   */
  private static List<Long> merge(List<Long> into, List<Long> values, int sign) {
    ChunkedLongs out = ChunkedLongs.of(into);
    for (Long v : values) {
      if (v != null) {
        out = sign > 0 ? out.withSorted(v) : out.withoutSorted(v);
      }
    }
    return out;
  }
}
