package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertCount;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Figures;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.testsupport.ReferenceFigures;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class HistoryRollupTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final long DAY = 86_400_000L;

  /** Monday 2026-11-02 00:00 UTC, ISO week 2026-W45. */
  private static final long MONDAY = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();

  @Test
  void weeklyAndAllTimeFiguresMatchTheResultsAndAlerts() throws Exception {
    Random random = new Random(7);
    List<ExperimentResult> input = syntheticResults(random, 60);
    List<Alert> alerts = syntheticAlerts(random, 300);

    Map<String, ServiceHistory> out = run(input, alerts);

    Map<String, Expected> expected = expected(input);
    Map<String, ExpectedAlerts> expectedAlerts = expectedAlerts(alerts);
    java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
    keys.addAll(expectedAlerts.keySet());
    assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(out.keySet()).contains("checkout|all", "checkout|2026-W45", "scale|2026-W47");
    expected.forEach(
        (key, e) -> {
          ServiceHistory h = out.get(key);
          assertThat(h.getExperiments()).as(key + " experiments").isEqualTo(e.experiments);
          assertThat(h.getHeld()).as(key + " held").isEqualTo(e.held);
          assertThat(h.getNotHeld()).as(key + " not held").isEqualTo(e.notHeld);
          assertThat(h.getIncidentsBySeverity()).as(key + " incidents").isEqualTo(e.incidents);
          assertThat(h.getAlertsFired()).as(key + " alerts").isEqualTo(e.alerts);
          assertThat(h.getNoisyAlerts()).as(key + " noisy").isEqualTo(e.noisy);
          assertThat(h.getMttdMs()).as(key + " mttd").isEqualTo(e.mttd.stream().sorted().toList());
          assertThat(h.getMttrMs()).as(key + " mttr").isEqualTo(e.mttr.stream().sorted().toList());
          assertFigures(h.getMttd(), e.mttd, key + " mttd figures");
          assertFigures(h.getMttr(), e.mttr, key + " mttr figures");
        });
    expectedAlerts.forEach(
        (key, e) -> {
          ServiceHistory h = out.get(key);
          assertThat(h.getAlerts()).as(key + " alerts fired").isEqualTo(e.fired);
          assertThat(h.getAlertCounts()).as(key + " alert counts").isEqualTo(e.byName);
          assertThat(h.getTopAlerts()).as(key + " top 20").isEqualTo(e.top20());
          assertThat(h.getSelfResolvingAlerts()).as(key + " self-resolving").isEqualTo(e.noisy);
          assertThat(h.getAlertsBySev()).as(key + " alerts by SEV").isEqualTo(e.bySev);
          assertThat(h.getTimeToResolveMs())
              .as(key + " time to resolve")
              .isEqualTo(e.resolve.stream().sorted().toList());
          assertFigures(h.getTimeToResolve(), e.resolve, key + " time to resolve figures");
          assertThat(h.getMtbfMs()).as(key + " mtbf").isEqualTo(e.gaps());
          assertFigures(h.getMtbf(), e.gaps(), key + " mtbf figures");
        });
    // the synthetic alerts have more than 20 names in a week: the top 20 is a real cut
    assertThat(out.values()).anyMatch(h -> h.getAlertCounts().size() > 20);
    assertThat(out.values()).allMatch(h -> h.getTopAlerts().size() <= 20);
  }

  @Test
  void aReplayOfTheTopicsAfterARestartGivesIdenticalHistory() throws Exception {
    Random random = new Random(13);
    List<ExperimentResult> input = syntheticResults(random, 20);
    List<Alert> alerts = syntheticAlerts(random, 60);
    List<ExperimentResult> twice = new ArrayList<>(input);
    twice.addAll(input); // a restart without committed offsets reads everything again
    List<Alert> alertsTwice = new ArrayList<>(alerts);
    alertsTwice.addAll(alerts);

    assertThat(run(twice, alertsTwice)).isEqualTo(run(input, alerts));
  }

  @Test
  void aLateAlertLandsInTheWeekItFired() throws Exception {
    Alert recent = alert("a-recent", "scale", "probe.latency", MONDAY + 15 * DAY, 20_000L, false);
    Alert late = alert("a-late", "scale", "probe.error", MONDAY + 2 * DAY, 5_000L, true);

    Map<String, ServiceHistory> out = run(List.of(), List.of(recent, late));

    assertThat(out.get("scale|2026-W45").getAlertCounts()).isEqualTo(Map.of("probe.error", 1L));
    assertThat(out.get("scale|2026-W45").getSelfResolvingAlerts()).isEqualTo(1);
    assertThat(out.get("scale|2026-W47").getAlertCounts()).isEqualTo(Map.of("probe.latency", 1L));
    assertThat(out.get("scale|all").getAlerts()).isEqualTo(2);
    assertThat(out.get("scale|all").getMtbfMs()).containsExactly(13 * DAY);
  }

  @Test
  void anAlertResolvedReplacesItsFiringAndCountsOnce() throws Exception {
    Alert firing = alert("a1", "scale", "probe.latency", MONDAY, null, false);
    Alert resolved = alert("a1", "scale", "probe.latency", MONDAY, 42_000L, false);

    Map<String, ServiceHistory> out = run(List.of(), List.of(firing, resolved));

    ServiceHistory week = out.get("scale|2026-W45");
    assertThat(week.getAlerts()).isEqualTo(1);
    assertThat(week.getTimeToResolveMs()).containsExactly(42_000L);
    assertThat(week.getIncidentStartsMs()).containsExactly(MONDAY);
  }

  /**
   * The seed's catalogue, one assertion per figure, on a week whose numbers are written out here:
   * service checkout, week 2026-W45, three experiments and six alerts.
   */
  @Test
  void theSeedCatalogueIsCoveredFieldByField() throws Exception {
    long t = MONDAY + DAY; // Tuesday
    List<ExperimentResult> results =
        List.of(
            result("c1", "checkout", t, Verdict.DEVIATED, 4_000L), // SEV1 x2, SEV2 x1
            result("c2", "checkout", t + DAY, Verdict.ABORTED, 8_000L), // + SEV1 for the abort
            result("c3", "checkout", t + 2 * DAY, Verdict.STEADY, null));
    List<Alert> alerts =
        List.of(
            alert("x1", "checkout", "latency", t, 10_000L, false),
            alert("x2", "checkout", "latency", t + 60_000, 30_000L, false),
            alert("x3", "checkout", "latency", t + 180_000, 5_000L, true),
            alert("x4", "checkout", "errors", t + 600_000, 20_000L, true),
            alert("x5", "checkout", "errors", t + 1_200_000, null, false), // still firing
            alert("x6", "checkout", "saturation", t + 1_800_000, 60_000L, false));

    ServiceHistory w = run(results, alerts).get("checkout|2026-W45");

    // alerting and on-call
    assertThat(w.getAlerts()).as("alert count by service per week").isEqualTo(6);
    assertThat(w.getTimeToResolveMs())
        .as("time to resolution per service")
        .containsExactly(5_000L, 10_000L, 20_000L, 30_000L, 60_000L);
    // p90 at rank 3.6: 30 s + 0.6 x (60 s - 30 s)
    assertThat(w.getTimeToResolve()).isEqualTo(new Figures(5L, 25_000L, 20_000L, 48_000L));
    assertThat(w.getSelfResolvingAlerts()).as("noisy alerts by service per week").isEqualTo(2);
    assertThat(w.getTopAlerts())
        .as("top 20 alerts per week per service")
        .containsExactly(
            new AlertCount("latency", 3L),
            new AlertCount("errors", 2L),
            new AlertCount("saturation", 1L));
    // high-severity incidents
    assertThat(w.getIncidentsBySeverity())
        .as("SEVs per week by level (and, by the key, by service)")
        .isEqualTo(Map.of("SEV1", 5L, "SEV2", 2L));
    assertThat(w.getAlertsBySev()).isEqualTo(Map.of("SEV1", 3L, "SEV2", 3L));
    assertThat(w.getMttd())
        .as("MTTD for SEVs by service")
        .isEqualTo(new Figures(2L, 6_000L, 6_000L, 7_600L));
    assertThat(w.getMttr())
        .as("MTTR for SEVs by service")
        .isEqualTo(new Figures(2L, 18_000L, 18_000L, 22_800L));
    // firings at 0, 1, 3, 10, 20 and 30 minutes: gaps of 1, 2, 7, 10 and 10 minutes
    assertThat(w.getMtbfMs())
        .as("MTBF for SEVs by service")
        .containsExactly(60_000L, 120_000L, 420_000L, 600_000L, 600_000L);
    assertThat(w.getMtbf()).isEqualTo(new Figures(5L, 360_000L, 420_000L, 600_000L));
    assertThat(w.getExperiments()).isEqualTo(3);
    assertThat(w.getHeld()).isEqualTo(1);
    assertThat(w.getNotHeld()).isEqualTo(2);
  }

  @Test
  void theAbortLevelIsConfigurable() {
    ExperimentResult aborted = result("c2", "checkout", MONDAY, Verdict.ABORTED, 8_000L);

    Map<String, Long> incidents =
        HistoryRollup.incidents(
            aborted, new ResultCalculator.SeverityLevels("SEV1", "SEV2", "SEV0"));

    assertThat(incidents).isEqualTo(Map.of("SEV0", 1L, "SEV1", 2L, "SEV2", 1L));
  }

  @Test
  void historySeriesOnMetricsKeepAllTimeAndTheCurrentWeekOnly() throws Exception {
    AnalyzerMetrics metrics = new AnalyzerMetrics();
    ServiceHistory all =
        run(
                List.of(result("c1", "checkout", MONDAY, Verdict.DEVIATED, 4_000L)),
                List.of(alert("x1", "checkout", "latency", MONDAY, 10_000L, true)))
            .get("checkout|all");
    ServiceHistory week = ServiceHistory.newBuilder(all).setWeek("2026-W45").build();
    ServiceHistory next = ServiceHistory.newBuilder(all).setWeek("2026-W46").build();

    metrics.history("checkout|all", all, MONDAY);
    metrics.history("checkout|2026-W44", week, MONDAY); // a past week: not a series
    metrics.history("checkout|2026-W45", week, MONDAY);
    String w45 = metrics.scrape();
    metrics.history("checkout|2026-W46", next, MONDAY + 7 * DAY);
    String w46 = metrics.scrape();

    assertThat(
            metrics.value(
                AnalyzerMetrics.HISTORY_EXPERIMENTS, "service", "checkout", "week", "all"))
        .isEqualTo(1.0);
    assertThat(w45)
        .contains("faultline_history_experiments{service=\"checkout\",week=\"2026-W45\"} 1.0")
        .contains("faultline_history_sevs{service=\"checkout\",sev=\"SEV1\",week=\"all\"} 2.0")
        .contains(
            "faultline_history_mttd_seconds{service=\"checkout\",stat=\"p50\",week=\"all\"} 4.0")
        .contains(
            "faultline_history_alert_resolve_seconds{service=\"checkout\",stat=\"mean\",week=\"all\"} 10.0")
        .contains("faultline_history_alerts_self_resolving{service=\"checkout\",week=\"all\"} 1.0")
        .doesNotContain("2026-W44");
    assertThat(w46).contains("week=\"2026-W46\"").doesNotContain("2026-W45");
  }

  @Test
  void aRestartOnTheSameResultsGivesIdenticalHistory() throws Exception {
    List<ExperimentResult> input = syntheticResults(new Random(11), 40);

    Map<String, ServiceHistory> first = run(input);
    Map<String, ServiceHistory> second = run(input);

    assertThat(second).isEqualTo(first);
    assertThat(first).isNotEmpty();
  }

  @Test
  void theFoldWithoutKafkaGivesTheStreamsFigures() throws Exception {
    List<ExperimentResult> input = syntheticResults(new Random(5), 30);

    List<Alert> alerts = syntheticAlerts(new Random(6), 60);

    assertThat(HistoryRollup.fold(input, alerts, ResultCalculator.SeverityLevels.DEFAULTS))
        .isEqualTo(run(input, alerts));
  }

  @Test
  void aLateResultLandsInTheWeekItStarted() throws Exception {
    ExperimentResult early = result("e-late", "scale", MONDAY + 2 * DAY, Verdict.DEVIATED, 4_000L);
    ExperimentResult recent = result("e-recent", "scale", MONDAY + 15 * DAY, Verdict.STEADY, null);
    // the late one arrives two weeks after its start, after a result of a later week
    Map<String, ServiceHistory> out = run(List.of(recent, withUpdatedAt(early, MONDAY + 16 * DAY)));

    assertThat(ids(out.get("scale|2026-W45"))).containsExactly("e-late");
    assertThat(out.get("scale|2026-W45").getNotHeld()).isEqualTo(1);
    assertThat(out.get("scale|2026-W45").getMttdMs()).containsExactly(4_000L);
    assertThat(ids(out.get("scale|2026-W47"))).containsExactly("e-recent");
    assertThat(out.get("scale|2026-W47").getHeld()).isEqualTo(1);
    assertThat(out.get("scale|all").getExperiments()).isEqualTo(2);
  }

  @Test
  void aResultUpdatedWhileRunningCountsOnceWithItsLatestFigures() throws Exception {
    ExperimentResult running = result("e1", "scale", MONDAY, Verdict.UNKNOWN, null);
    ExperimentResult done = result("e1", "scale", MONDAY, Verdict.DEVIATED, 6_000L);

    Map<String, ServiceHistory> out = run(List.of(running, done));

    ServiceHistory week = out.get("scale|2026-W45");
    assertThat(week.getExperiments()).isEqualTo(1);
    assertThat(week.getNotHeld()).isEqualTo(1);
    assertThat(week.getMttdMs()).containsExactly(6_000L);
    // the critical latency fired twice (SEV1), the error rate once (SEV2)
    assertThat(week.getIncidentsBySeverity()).isEqualTo(Map.of("SEV1", 2L, "SEV2", 1L));
  }

  @Test
  void aWeekOfManyExperimentsNamesTheLatest20AndCountsAReplayedResultOnce() throws Exception {
    List<ExperimentResult> input = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      // one a minute, sent in a shuffled order so that the newest are not simply the last sent
      input.add(
          result(String.format("e%02d", i), "scale", MONDAY + i * 60_000L, Verdict.STEADY, null));
    }
    java.util.Collections.shuffle(input, new Random(3));
    List<ExperimentResult> replayed = new ArrayList<>(input);
    replayed.add(input.stream().filter(r -> r.getExperimentId().equals("e00")).findFirst().get());
    replayed.add(input.stream().filter(r -> r.getExperimentId().equals("e59")).findFirst().get());

    Map<String, ServiceHistory> out = run(replayed);

    ServiceHistory week = out.get("scale|2026-W45");
    assertThat(week.getExperiments()).as("the oldest and the newest replayed").isEqualTo(60);
    assertThat(week.getHeld()).isEqualTo(60);
    List<String> newest = new ArrayList<>();
    for (int i = 59; i >= 40; i--) {
      newest.add(String.format("e%02d", i));
    }
    assertThat(ids(week)).isEqualTo(newest);
    assertThat(out.get("scale|all").getExperiments()).isEqualTo(60);
    assertThat(out).isEqualTo(run(input));
    // the record is as large with 60 experiments as with 20: the cost of a result does not grow
    ServiceHistory twenty =
        run(input.stream().filter(r -> ids(week).contains(r.getExperimentId())).toList())
            .get("scale|2026-W45");
    assertThat(ids(twenty)).isEqualTo(newest);
    assertThat(encodedSize(week)).isEqualTo(encodedSize(twenty));
  }

  @Test
  void aResultWhoseFiguresWerePassedOnAlreadyAddsNoHistoryRecord() throws Exception {
    // the analyzer publishes an experiment's result at every commit it changed in, mostly with
    // figures the history already has (docs/adr/0089): those add no record, and every record
    // published is the one published without them
    Random random = new Random(89);
    List<ExperimentResult> input = syntheticResults(random, 90);
    List<ExperimentResult> withRepeats = new ArrayList<>();
    int repeats = 0;
    for (ExperimentResult r : input) {
      withRepeats.add(r);
      // again later, as a running experiment's next result: other times, the same figures
      for (int k = random.nextInt(3); k > 0; k--) {
        withRepeats.add(withUpdatedAt(r, r.getUpdatedAt() + k * 1_000L));
        repeats++;
      }
    }
    // a final result sent again after other experiments' results, and one that went back and
    // forth (final, running, final): the last two change the figures and must be passed on
    ExperimentResult last = input.get(input.size() - 1);
    withRepeats.add(withUpdatedAt(input.get(0), input.get(0).getUpdatedAt() + 9_000L));
    withRepeats.add(
        withUpdatedAt(
            result(
                last.getExperimentId(),
                last.getService(),
                last.getStartedAt(),
                Verdict.UNKNOWN,
                null),
            last.getUpdatedAt() + 1));
    withRepeats.add(withUpdatedAt(last, last.getUpdatedAt() + 2));
    repeats++;
    List<Alert> alerts = syntheticAlerts(new Random(90), 60);

    Map<String, List<ServiceHistory>> published = runAll(withRepeats, alerts);

    List<ExperimentResult> expectedInput = new ArrayList<>(input);
    expectedInput.add(withRepeats.get(withRepeats.size() - 2));
    expectedInput.add(withRepeats.get(withRepeats.size() - 1));
    assertThat(published).isEqualTo(runAll(expectedInput, alerts));
    assertThat(repeats).isGreaterThan(50);
    Map<String, ServiceHistory> latest = new TreeMap<>();
    published.forEach((key, records) -> latest.put(key, records.get(records.size() - 1)));
    latest.values().removeIf(h -> h == null);
    assertThat(latest)
        .isEqualTo(
            HistoryRollup.fold(withRepeats, alerts, ResultCalculator.SeverityLevels.DEFAULTS));
    // no two records of a key in a row are equal: nothing was published twice
    published.forEach(
        (key, records) -> {
          for (int i = 1; i < records.size(); i++) {
            assertThat(records.get(i)).as(key + " record " + i).isNotEqualTo(records.get(i - 1));
          }
        });
  }

  @Test
  void aResultAfterAnUnreadableOneOfItsExperimentCountsAgain() throws Exception {
    // an unreadable result takes the experiment's figures out, as before docs/adr/0089; its next
    // result, even with the figures last passed on, puts them back
    ExperimentResult done = result("e1", "scale", MONDAY, Verdict.DEVIATED, 6_000L);
    List<Object> input = List.of(done, new byte[] {9, 9, 9}, withUpdatedAt(done, MONDAY + 1));

    Map<String, List<ServiceHistory>> published = runRaw(input, List.of());

    List<ServiceHistory> week = published.get("scale|2026-W45");
    assertThat(week).hasSize(3);
    assertThat(week.get(0).getExperiments()).isEqualTo(1);
    assertThat(week.get(1)).as("taken out: a tombstone").isNull();
    assertThat(week.get(2)).isEqualTo(week.get(0));
  }

  private static int encodedSize(ServiceHistory h) {
    return TOPICS.history().valueSerde().serializer().serialize("history", h).length;
  }

  /** The latest history record per key, as a compacted topic would keep it. */
  private static Map<String, ServiceHistory> run(List<ExperimentResult> input) throws Exception {
    return run(input, List.of());
  }

  private static Map<String, ServiceHistory> run(List<ExperimentResult> input, List<Alert> alerts)
      throws Exception {
    Map<String, ServiceHistory> latest = new TreeMap<>();
    runAll(input, alerts)
        .forEach(
            (key, records) -> {
              ServiceHistory last = records.get(records.size() - 1);
              if (last != null) {
                latest.put(key, last);
              }
            });
    return latest;
  }

  /** Every history record per key in the order published, a tombstone as null. */
  private static Map<String, List<ServiceHistory>> runAll(
      List<ExperimentResult> input, List<Alert> alerts) throws Exception {
    return runRaw(new ArrayList<Object>(input), alerts);
  }

  /** {@link #runAll} with results given as records or as raw bytes (a record Avro cannot read). */
  private static Map<String, List<ServiceHistory>> runRaw(List<Object> input, List<Alert> alerts)
      throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.STATE_DIR_CONFIG, TopologyDriver.stateDir("history-test").toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(HistoryRollup.build(TOPICS), props)) {
      TestInputTopic<String, byte[]> results =
          driver.createInputTopic(
              TOPICS.results().name(),
              Serdes.String().serializer(),
              Serdes.ByteArray().serializer());
      String lastId = null;
      long lastAt = MONDAY;
      for (Object r : input) {
        if (r instanceof ExperimentResult result) {
          lastId = result.getExperimentId();
          lastAt = result.getUpdatedAt();
          results.pipeInput(
              lastId,
              TOPICS.results().valueSerde().serializer().serialize("results", result),
              Instant.ofEpochMilli(lastAt));
        } else {
          results.pipeInput(lastId, (byte[]) r, Instant.ofEpochMilli(lastAt));
        }
      }
      TestInputTopic<String, Alert> alertTopic =
          driver.createInputTopic(
              TOPICS.alerts().name(),
              Serdes.String().serializer(),
              TOPICS.alerts().valueSerde().serializer());
      for (Alert a : alerts) {
        alertTopic.pipeInput(
            a.getExperimentId() + "|" + a.getMetric(), a, Instant.ofEpochMilli(a.getTimestamp()));
      }
      Map<String, List<ServiceHistory>> published = new TreeMap<>();
      driver
          .createOutputTopic(
              TOPICS.history().name(),
              Serdes.String().deserializer(),
              TOPICS.history().valueSerde().deserializer())
          .readKeyValuesToList()
          .forEach(kv -> published.computeIfAbsent(kv.key, k -> new ArrayList<>()).add(kv.value));
      return published;
    }
  }

  /** Results of three services over four weeks, some updated (running, then final), shuffled. */
  private static List<ExperimentResult> syntheticResults(Random random, int n) {
    String[] services = {"checkout", "scale", "search"};
    Verdict[] verdicts = {Verdict.STEADY, Verdict.DEVIATED, Verdict.ABORTED, Verdict.INCONCLUSIVE};
    List<ExperimentResult> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String service = services[i % services.length];
      long start = MONDAY + (i % 4) * 7 * DAY + random.nextInt(7) * DAY + random.nextInt(3600_000);
      Verdict verdict = verdicts[random.nextInt(verdicts.length)];
      Long mttd = verdict == Verdict.STEADY ? null : 1_000L + random.nextInt(20_000);
      ExperimentResult r = result("e" + i, service, start, verdict, mttd);
      if (random.nextInt(3) == 0) {
        out.add(result("e" + i, service, start, Verdict.UNKNOWN, null)); // a running result first
      }
      out.add(r);
    }
    java.util.Collections.shuffle(out.subList(0, out.size() / 2), random);
    return out;
  }

  private static ExperimentResult result(
      String id, String service, long startedAt, Verdict verdict, Long mttdMs) {
    boolean deviated = mttdMs != null;
    List<MetricJudgement> metrics =
        List.of(
            metric("probe.latency", deviated ? 2 : 0, deviated ? 1 : 0, true, deviated),
            metric("probe.error", deviated ? 1 : 0, 0, false, deviated));
    List<AttackOutcome> attacks =
        List.of(
            AttackOutcome.newBuilder()
                .setAttackId(id + "-a1")
                .setStartedAt(startedAt + 60_000)
                .setMttdMs(mttdMs)
                .setMttrMs(deviated ? mttdMs * 3 : null)
                .build());
    return ExperimentResult.newBuilder()
        .setExperimentId(id)
        .setVerdict(verdict)
        .setUpdatedAt(startedAt + 600_000)
        .setMetrics(metrics)
        .setAttacks(attacks)
        .setAborted(verdict == Verdict.ABORTED)
        .setService(service)
        .setStartedAt(startedAt)
        .build();
  }

  private static MetricJudgement metric(
      String name, long fired, long noisy, boolean critical, boolean deviated) {
    return MetricJudgement.newBuilder()
        .setMetric(name)
        .setState(deviated ? SteadyState.DEVIATING : SteadyState.STEADY)
        .setFirstDeviationAt(deviated ? 1L : null)
        .setClassification(Classification.PASS)
        .setCritical(critical)
        .setAlertsFired(fired)
        .setNoisyAlerts(noisy)
        .setSeverity(critical ? "SEV1" : "SEV2")
        .build();
  }

  private static ExperimentResult withUpdatedAt(ExperimentResult r, long at) {
    return ExperimentResult.newBuilder(r).setUpdatedAt(at).build();
  }

  /**
   * Alerts of three services over four weeks from 25 names; about half resolve, a resolved one
   * following its firing (same id), some arriving weeks late (shuffled).
   */
  private static List<Alert> syntheticAlerts(Random random, int n) {
    String[] services = {"checkout", "scale", "search"};
    List<Alert> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String service = services[i % services.length];
      // a skewed choice of names, so counts differ and ties are few
      String name = "metric-" + (int) Math.floor(25 * Math.pow(random.nextDouble(), 2));
      long firedAt = MONDAY + random.nextInt(28) * DAY + random.nextInt(86_400) * 1000L;
      out.add(alert("a" + i, service, name, firedAt, null, false));
      if (random.nextBoolean()) {
        long resolve = 5_000L * (1 + random.nextInt(40));
        out.add(alert("a" + i, service, name, firedAt, resolve, random.nextInt(4) == 0));
      }
    }
    java.util.Collections.shuffle(out.subList(out.size() / 2, out.size()), random);
    // a shuffle may put a RESOLVED before its FIRING; the table keeps the last, as Kafka would:
    // order each id's records so the RESOLVED comes last, like the analyzer writes them
    List<Alert> ordered = new ArrayList<>();
    Map<String, Alert> resolved = new LinkedHashMap<>();
    for (Alert a : out) {
      if (a.getStatus() == AlertStatus.RESOLVED) {
        resolved.put(a.getAlertId(), a);
      } else {
        ordered.add(a);
      }
    }
    ordered.addAll(resolved.values());
    return ordered;
  }

  private static Alert alert(
      String id, String service, String metric, long firedAt, Long resolveMs, boolean noisy) {
    return Alert.newBuilder()
        .setAlertId(id)
        .setExperimentId("x-" + id)
        .setMetric(metric)
        .setStatus(resolveMs == null ? AlertStatus.FIRING : AlertStatus.RESOLVED)
        .setFiredAt(firedAt)
        .setTimestamp(resolveMs == null ? firedAt : firedAt + resolveMs)
        .setService(service)
        .setSev(metric.equals("latency") || metric.endsWith("1") ? "SEV1" : "SEV2")
        .setSelfResolving(noisy)
        .build();
  }

  private static String isoWeek(long epochMs) {
    LocalDate day = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC).toLocalDate();
    return day.get(WeekFields.ISO.weekBasedYear())
        + "-W"
        + (day.get(WeekFields.ISO.weekOfWeekBasedYear()) < 10 ? "0" : "")
        + day.get(WeekFields.ISO.weekOfWeekBasedYear());
  }

  /** Mean, p50 and p90 against the plain reference: interpolated around rank p(n-1). */
  private static void assertFigures(Figures actual, List<Long> values, String what) {
    if (values.isEmpty()) {
      assertThat(actual).as(what).isNull();
      return;
    }
    long[] v = values.stream().mapToLong(Long::longValue).toArray();
    assertThat(actual.getCount()).as(what + " count").isEqualTo(v.length);
    assertThat(actual.getMeanMs()).as(what + " mean").isEqualTo(ReferenceFigures.mean(v));
    assertThat(actual.getP50Ms()).as(what + " p50").isEqualTo(ReferenceFigures.percentile(v, 0.5));
    assertThat(actual.getP90Ms()).as(what + " p90").isEqualTo(ReferenceFigures.percentile(v, 0.9));
  }

  @Test
  void incidentsOpenedAtOneInstantAreOneFailureForMtbf() {
    // one attack deviates three metrics: their alerts fire at the same window end
    List<Alert> alerts =
        List.of(
            alert("m1", "scale", "probe.latency", MONDAY, 10_000L, false),
            alert("m2", "scale", "probe.error", MONDAY, 10_000L, false),
            alert("m3", "scale", "cpu", MONDAY, 10_000L, false),
            alert("n1", "scale", "probe.latency", MONDAY + 600_000, 10_000L, false));
    ServiceHistory all =
        HistoryRollup.fold(List.of(), alerts, ResultCalculator.SeverityLevels.DEFAULTS)
            .get("scale|all");
    assertThat(all.getIncidentStartsMs()).hasSize(4);
    assertThat(all.getMtbfMs()).containsExactly(600_000L);
    assertThat(all.getMtbf().getP50Ms()).isEqualTo(600_000L);
  }

  @Test
  void addLeavesItsInputUntouchedAndTakingEverythingOutLeavesNothing() {
    // add copies the record by reference and only the lists it changes (docs/adr/0052): the
    // record it was given must stay as it was, and the sorted lists must stay sorted and exact
    Random random = new Random(52);
    List<HistoryInput> inputs = checkoutInputs(random);
    ResultCalculator.SeverityLevels levels = ResultCalculator.SeverityLevels.DEFAULTS;
    ServiceHistory empty = emptyCheckout();
    ServiceHistory h = addEach(empty, inputs, +1, levels);
    List<Long> mttd = new ArrayList<>();
    inputs.stream()
        .filter(in -> in.result() != null)
        .forEach(in -> mttd.addAll(in.result().mttdMs()));
    assertThat(h.getMttdMs()).isSorted().containsExactlyInAnyOrderElementsOf(mttd);
    assertThat(h.getMttd()).isEqualTo(HistoryRollup.figures(mttd));
    assertThat(h.getMttrMs()).isSorted();
    assertThat(h.getTimeToResolveMs()).isSorted();
    assertThat(h.getIncidentStartsMs()).isSorted();
    java.util.Collections.shuffle(inputs, random);
    h = addEach(h, inputs, -1, levels);
    // every count zero, every list and map empty, every figure absent: the empty record
    assertThat(h).isEqualTo(empty);
  }

  @Test
  void aRecordStoredInTheOldLayoutIsReadAndUpdatedAsTheNewLayoutsRecord() {
    // before docs/adr/0058 the stores held Avro's one-block encoding: a restore of such a
    // changelog is read by the new serde and continues as if it had been written by it
    List<HistoryInput> inputs = checkoutInputs(new Random(58));
    int half = inputs.size() / 2;
    ResultCalculator.SeverityLevels levels = ResultCalculator.SeverityLevels.DEFAULTS;
    ServiceHistory written = addEach(emptyCheckout(), inputs.subList(0, half), +1, levels);
    byte[] oldLayout = TOPICS.history().valueSerde().serializer().serialize("h", written);
    org.apache.kafka.common.serialization.Serde<ServiceHistory> store = HistoryRollup.storeSerde();

    ServiceHistory restored = store.deserializer().deserialize("h", oldLayout);

    assertThat(restored).isEqualTo(written);
    assertThat(restored.getMttdMs()).isNotInstanceOf(ChunkedLongs.class);
    List<HistoryInput> rest = inputs.subList(half, inputs.size());
    ServiceHistory fromOld = addEach(restored, rest, +1, levels);
    ServiceHistory fromNew = addEach(written, rest, +1, levels);
    assertThat(fromOld).isEqualTo(fromNew);
    assertThat(fromOld.getMttdMs()).isInstanceOf(ChunkedLongs.class);
    // what the new layout's bytes give back (its maps may be ordered otherwise: Avro reads a map
    // as a HashMap, as before this change)
    assertThat(store.deserializer().deserialize("h", store.serializer().serialize("h", fromOld)))
        .isEqualTo(fromNew);
  }

  /** The results and alerts of the service checkout among 300 synthetic ones of each. */
  private static List<HistoryInput> checkoutInputs(Random random) {
    List<HistoryInput> inputs = new ArrayList<>();
    syntheticResults(random, 300).stream()
        .filter(r -> r.getService().equals("checkout"))
        .forEach(r -> inputs.add(HistoryInput.of(r)));
    syntheticAlerts(random, 300).stream()
        .filter(a -> a.getService().equals("checkout"))
        .forEach(a -> inputs.add(HistoryInput.of(a)));
    return inputs;
  }

  private static ServiceHistory emptyCheckout() {
    return ServiceHistory.newBuilder()
        .setService("checkout")
        .setWeek(HistoryRollup.ALL_TIME)
        .build();
  }

  /** Adds ({@code sign} +1) or takes out each input in turn, checking add left its input as is. */
  private static ServiceHistory addEach(
      ServiceHistory h,
      List<HistoryInput> inputs,
      int sign,
      ResultCalculator.SeverityLevels levels) {
    for (HistoryInput in : inputs) {
      ServiceHistory before = ServiceHistory.newBuilder(h).build(); // a deep copy
      ServiceHistory next = HistoryRollup.add(h, in, sign, levels);
      assertThat(h).isEqualTo(before);
      h = next;
    }
    return h;
  }

  @Test
  void percentilesOfTwoValuesLieBetweenThem() {
    // nearest rank gave p50 0 s for {0 s, 25 s}: an MTTR no incident had
    Figures f = HistoryRollup.figures(List.of(25_000L, 0L));
    assertThat(f.getP50Ms()).isEqualTo(12_500L);
    assertThat(f.getP90Ms()).isEqualTo(22_500L);
    assertThat(f.getMeanMs()).isEqualTo(12_500L);
    Figures one = HistoryRollup.figures(List.of(7L));
    assertThat(List.of(one.getP50Ms(), one.getP90Ms())).containsExactly(7L, 7L);
    // 1, 4, 5, 6, 9: p50 the middle value, p90 at rank 3.6 between 6 and 9
    Figures five = HistoryRollup.figures(List.of(9L, 1L, 5L, 6L, 4L));
    assertThat(List.of(five.getP50Ms(), five.getP90Ms())).containsExactly(5L, 8L);
  }

  /** The alert figures expected of a key, from the alerts without the rollup's code. */
  private static final class ExpectedAlerts {
    long fired;
    long noisy;
    final Map<String, Long> byName = new TreeMap<>();
    final Map<String, Long> bySev = new TreeMap<>();
    final List<Long> resolve = new ArrayList<>();
    final List<Long> starts = new ArrayList<>();

    List<AlertCount> top20() {
      return byName.entrySet().stream()
          .sorted(
              Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                  .thenComparing(Map.Entry::getKey))
          .limit(20)
          .map(e -> new AlertCount(e.getKey(), e.getValue()))
          .toList();
    }

    List<Long> gaps() {
      List<Long> sorted = starts.stream().sorted().toList();
      List<Long> out = new ArrayList<>();
      for (int i = 1; i < sorted.size(); i++) {
        out.add(sorted.get(i) - sorted.get(i - 1));
      }
      return out;
    }
  }

  private static Map<String, ExpectedAlerts> expectedAlerts(List<Alert> alerts) {
    Map<String, Alert> latest = new LinkedHashMap<>();
    alerts.forEach(a -> latest.put(a.getAlertId(), a));
    Map<String, ExpectedAlerts> out = new TreeMap<>();
    for (Alert a : latest.values()) {
      for (String key :
          List.of(a.getService() + "|" + isoWeek(a.getFiredAt()), a.getService() + "|all")) {
        ExpectedAlerts e = out.computeIfAbsent(key, k -> new ExpectedAlerts());
        e.fired++;
        e.byName.merge(a.getMetric(), 1L, Long::sum);
        e.bySev.merge(a.getSev(), 1L, Long::sum);
        e.starts.add(a.getFiredAt());
        if (a.getStatus() == AlertStatus.RESOLVED) {
          e.resolve.add(a.getTimestamp() - a.getFiredAt());
          if (a.getSelfResolving()) {
            e.noisy++;
          }
        }
      }
    }
    return out;
  }

  /** The expected figures, computed here from the results without the rollup's code. */
  private static final class Expected {
    long experiments;
    long held;
    long notHeld;
    long alerts;
    long noisy;
    final Map<String, Long> incidents = new TreeMap<>();
    final List<Long> mttd = new ArrayList<>();
    final List<Long> mttr = new ArrayList<>();
  }

  private static Map<String, Expected> expected(List<ExperimentResult> input) {
    Map<String, ExperimentResult> latest = new LinkedHashMap<>();
    input.forEach(r -> latest.put(r.getExperimentId(), r));
    Map<String, Expected> out = new TreeMap<>();
    for (ExperimentResult r : latest.values()) {
      LocalDate day = Instant.ofEpochMilli(r.getStartedAt()).atZone(ZoneOffset.UTC).toLocalDate();
      String week =
          day.get(WeekFields.ISO.weekBasedYear())
              + "-W"
              + (day.get(WeekFields.ISO.weekOfWeekBasedYear()) < 10 ? "0" : "")
              + day.get(WeekFields.ISO.weekOfWeekBasedYear());
      for (String key : List.of(r.getService() + "|" + week, r.getService() + "|all")) {
        Expected e = out.computeIfAbsent(key, k -> new Expected());
        e.experiments++;
        if (r.getVerdict() == Verdict.STEADY) {
          e.held++;
        }
        if (r.getVerdict() == Verdict.DEVIATED || r.getVerdict() == Verdict.ABORTED) {
          e.notHeld++;
        }
        for (MetricJudgement m : r.getMetrics()) {
          e.alerts += m.getAlertsFired();
          e.noisy += m.getNoisyAlerts();
          if (m.getFirstDeviationAt() != null) {
            e.incidents.merge(m.getSeverity(), Math.max(1, m.getAlertsFired()), Long::sum);
          }
        }
        if (r.getAborted()) {
          e.incidents.merge("SEV1", 1L, Long::sum);
        }
        for (AttackOutcome a : r.getAttacks()) {
          if (a.getMttdMs() != null) {
            e.mttd.add(a.getMttdMs());
          }
          if (a.getMttrMs() != null) {
            e.mttr.add(a.getMttrMs());
          }
        }
      }
    }
    return out;
  }

  /** The ids of a record's latest experiments, newest first. */
  static java.util.List<String> ids(ServiceHistory h) {
    return h.getRecentExperiments().stream()
        .map(io.faultline.schema.RecentExperiment::getExperimentId)
        .toList();
  }
}
