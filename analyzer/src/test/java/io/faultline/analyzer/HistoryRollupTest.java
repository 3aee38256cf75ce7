package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
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
  void weeklyAndAllTimeFiguresMatchTheResults() throws Exception {
    List<ExperimentResult> input = syntheticResults(new Random(7), 60);

    Map<String, ServiceHistory> out = run(input);

    Map<String, Expected> expected = expected(input);
    assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
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
        });
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

    assertThat(HistoryRollup.fold(input, ResultCalculator.SeverityLevels.DEFAULTS))
        .isEqualTo(run(input));
  }

  @Test
  void aLateResultLandsInTheWeekItStarted() throws Exception {
    ExperimentResult early = result("e-late", "scale", MONDAY + 2 * DAY, Verdict.DEVIATED, 4_000L);
    ExperimentResult recent = result("e-recent", "scale", MONDAY + 15 * DAY, Verdict.STEADY, null);
    // the late one arrives two weeks after its start, after a result of a later week
    Map<String, ServiceHistory> out = run(List.of(recent, withUpdatedAt(early, MONDAY + 16 * DAY)));

    assertThat(out.get("scale|2026-W45").getExperimentIds()).containsExactly("e-late");
    assertThat(out.get("scale|2026-W45").getNotHeld()).isEqualTo(1);
    assertThat(out.get("scale|2026-W45").getMttdMs()).containsExactly(4_000L);
    assertThat(out.get("scale|2026-W47").getExperimentIds()).containsExactly("e-recent");
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

  /** The latest history record per key, as a compacted topic would keep it. */
  private static Map<String, ServiceHistory> run(List<ExperimentResult> input) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("history-test").toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(HistoryRollup.build(TOPICS), props)) {
      TestInputTopic<String, ExperimentResult> results =
          driver.createInputTopic(
              TOPICS.results().name(),
              Serdes.String().serializer(),
              TOPICS.results().valueSerde().serializer());
      for (ExperimentResult r : input) {
        results.pipeInput(r.getExperimentId(), r, Instant.ofEpochMilli(r.getUpdatedAt()));
      }
      Map<String, ServiceHistory> latest = new TreeMap<>();
      driver
          .createOutputTopic(
              TOPICS.history().name(),
              Serdes.String().deserializer(),
              TOPICS.history().valueSerde().deserializer())
          .readKeyValuesToList()
          .forEach(
              kv -> {
                if (kv.value == null) {
                  latest.remove(kv.key);
                } else {
                  latest.put(kv.key, kv.value);
                }
              });
      return latest;
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
}
