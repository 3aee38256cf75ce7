package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.cli.history.DemoHistory;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import io.faultline.testsupport.ReferenceFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three demo runs (service scale: a SIGKILL of the experimental Scale instance, as the demo does),
 * kept in the demo's data directory; {@code faultline history --demo-dir} shows per-week figures
 * that this test computes itself from the three results and their alerts.
 */
class HistoryCommandDemoTest {

  @TempDir Path dir;

  @Test
  void aDemoDirThatDoesNotExistExitsTwoNamingItRatherThanAnEmptyHistory() {
    HistoryCommand command = new HistoryCommand();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    command.err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Path absent = dir.resolve("no-demo");
    int code = new CommandLine(command).execute("--demo-dir", absent.toString());
    assertThat(code).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "faultline history: --demo-dir "
                + absent
                + ": no such directory; give the demo's --data-dir (default .faultline/demo)");
  }

  @Test
  void threeDemoRunsGiveThePerWeekFiguresTheirResultsSay() throws Exception {
    // two runs on Tuesday and Wednesday of 2026-W45, one on the Tuesday after (2026-W46)
    run("demo-1", "2026-11-03T09:00:00Z", Verdict.DEVIATED, 5_500L, 12_000L, 25_000L, false);
    run("demo-2", "2026-11-04T09:00:00Z", Verdict.DEVIATED, 1_900L, 8_000L, 4_000L, true);
    run("demo-3", "2026-11-10T09:00:00Z", Verdict.STEADY, null, null, null, false);
    DemoHistory kept = new DemoHistory(dir.resolve("history"));
    for (ExperimentResult r : this.results) {
      kept.add(
          r,
          this.alerts.stream()
              .filter(a -> a.getExperimentId().equals(r.getExperimentId()))
              .toList());
    }

    HistoryCommand command = new HistoryCommand();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    command.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(command)
            .execute("--demo-dir", dir.toString(), "--service", "scale", "--output", "json");
    assertThat(code).as(bytes.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode scale = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8)).get(0);

    assertThat(scale.get("service").asText()).isEqualTo("scale");
    List<String> weeks = new ArrayList<>();
    scale.get("weeks").forEach(w -> weeks.add(w.get("week").asText()));
    assertThat(weeks).containsExactly("2026-W45", "2026-W46");
    for (JsonNode w : scale.get("weeks")) {
      String week = w.get("week").asText();
      List<ExperimentResult> in =
          results.stream().filter(r -> week(r.getStartedAt()).equals(week)).toList();
      List<Alert> fired = alerts.stream().filter(a -> week(a.getFiredAt()).equals(week)).toList();
      assertThat(w.get("experiments").asLong()).as(week).isEqualTo(in.size());
      assertThat(w.get("held").asLong())
          .as(week + " held")
          .isEqualTo(in.stream().filter(r -> r.getVerdict() == Verdict.STEADY).count());
      assertThat(w.get("notHeld").asLong())
          .as(week + " not held")
          .isEqualTo(in.stream().filter(r -> r.getVerdict() == Verdict.DEVIATED).count());
      Map<String, Long> sevs = new TreeMap<>();
      for (ExperimentResult r : in) {
        for (MetricJudgement m : r.getMetrics()) {
          if (m.getFirstDeviationAt() != null) {
            sevs.merge(m.getSeverity(), Math.max(1, m.getAlertsFired()), Long::sum);
          }
        }
      }
      assertThat(new ObjectMapper().convertValue(w.get("incidentsBySeverity"), Map.class))
          .as(week + " SEVs")
          .isEqualTo(toIntMap(sevs));
      assertThat(w.get("alertsFired").asLong()).as(week + " alerts").isEqualTo(fired.size());
      assertThat(w.get("noisyAlerts").asLong())
          .as(week + " noisy")
          .isEqualTo(fired.stream().filter(Alert::getSelfResolving).count());
      List<Long> mttd = new ArrayList<>();
      List<Long> mttr = new ArrayList<>();
      for (ExperimentResult r : in) {
        for (AttackOutcome o : r.getAttacks()) {
          if (o.getMttdMs() != null) {
            mttd.add(o.getMttdMs());
          }
          if (o.getMttrMs() != null) {
            mttr.add(o.getMttrMs());
          }
        }
      }
      List<Long> resolve =
          fired.stream()
              .filter(a -> a.getStatus() == AlertStatus.RESOLVED)
              .map(a -> a.getTimestamp() - a.getFiredAt())
              .toList();
      assertFigures(w.get("mttdMs"), mttd, week + " MTTD");
      assertFigures(w.get("mttrMs"), mttr, week + " MTTR");
      assertFigures(w.get("timeToResolveMs"), resolve, week + " time to resolve");
    }
    // W45 by hand: two runs, both not held, MTTD {1.9 s, 5.5 s}: mean 3.7 s, p50 3.7 s, p90 5.14 s
    JsonNode w45 = scale.get("weeks").get(0);
    assertThat(w45.get("mttdMs").get("mean").asLong()).isEqualTo(3_700L);
    assertThat(w45.get("mttdMs").get("p50").asLong()).isEqualTo(3_700L);
    assertThat(w45.get("mttdMs").get("p90").asLong()).isEqualTo(5_140L);
    assertThat(w45.get("alertsFired").asLong()).isEqualTo(2);
    assertThat(w45.get("topAlerts").get(0).get("name").asText()).isEqualTo("probe.latency");
    assertThat(w45.get("topAlerts").get(0).get("count").asLong()).isEqualTo(2);
    assertThat(scale.get("allTime").get("experiments").asLong()).isEqualTo(3);
  }

  private final List<ExperimentResult> results = new ArrayList<>();
  private final List<Alert> alerts = new ArrayList<>();

  /** One demo run: the kill of the experimental instance and, when it deviated, its alert. */
  private void run(
      String id,
      String startedAt,
      Verdict verdict,
      Long mttd,
      Long mttr,
      Long resolveMs,
      boolean selfResolving) {
    long start = Instant.parse(startedAt).toEpochMilli();
    boolean deviated = mttd != null;
    results.add(
        ExperimentResult.newBuilder()
            .setExperimentId(id)
            .setVerdict(verdict)
            .setUpdatedAt(start + 120_000)
            .setService("scale")
            .setStartedAt(start)
            .setMetrics(
                List.of(
                    MetricJudgement.newBuilder()
                        .setMetric("probe.latency")
                        .setState(deviated ? SteadyState.DEVIATING : SteadyState.STEADY)
                        .setFirstDeviationAt(deviated ? start + 35_000 : null)
                        .setCritical(true)
                        .setAlertsFired(deviated ? 1 : 0)
                        .setSeverity("SEV1")
                        .build()))
            .setAttacks(
                List.of(
                    AttackOutcome.newBuilder()
                        .setAttackId(id + "-kill")
                        .setFault("process-kill")
                        .setStartedAt(start + 30_000)
                        .setMttdMs(mttd)
                        .setMttrMs(mttr)
                        .build()))
            .build());
    if (deviated) {
      long firedAt = start + 35_000;
      alerts.add(
          Alert.newBuilder()
              .setAlertId(id + "|probe.latency|" + firedAt)
              .setExperimentId(id)
              .setMetric("probe.latency")
              .setStatus(AlertStatus.RESOLVED)
              .setFiredAt(firedAt)
              .setTimestamp(firedAt + resolveMs)
              .setService("scale")
              .setSev("SEV1")
              .setSelfResolving(selfResolving)
              .build());
    }
  }

  private static Map<String, Integer> toIntMap(Map<String, Long> m) {
    Map<String, Integer> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.intValue()));
    return out;
  }

  private static String week(long epochMs) {
    LocalDate day = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC).toLocalDate();
    return String.format(
        "%d-W%02d",
        day.get(WeekFields.ISO.weekBasedYear()), day.get(WeekFields.ISO.weekOfWeekBasedYear()));
  }

  /** count, mean, p50, p90 (interpolated between the values around rank p(n-1)) computed here. */
  private static void assertFigures(JsonNode actual, List<Long> values, String what) {
    assertThat(actual.get("count").asInt()).as(what + " count").isEqualTo(values.size());
    if (values.isEmpty()) {
      assertThat(actual.get("p50").isNull()).as(what + " p50").isTrue();
      return;
    }
    long[] v = values.stream().mapToLong(Long::longValue).toArray();
    assertThat(actual.get("mean").asLong()).as(what + " mean").isEqualTo(ReferenceFigures.mean(v));
    assertThat(actual.get("p50").asLong())
        .as(what + " p50")
        .isEqualTo(ReferenceFigures.percentile(v, 0.5));
    assertThat(actual.get("p90").asLong())
        .as(what + " p90")
        .isEqualTo(ReferenceFigures.percentile(v, 0.9));
  }
}
