package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultCalculatorTest {

  @Test
  void attributesServiceStartAndEachMetricsSeverity() {
    ExperimentResult r =
        ExperimentResult.newBuilder()
            .setExperimentId("e")
            .setMetrics(
                List.of(
                    MetricJudgement.newBuilder().setMetric("a").setCritical(true).build(),
                    MetricJudgement.newBuilder().setMetric("b").build(),
                    MetricJudgement.newBuilder().setMetric("c").setCritical(true).build()))
            .setAttacks(
                List.of(
                    AttackOutcome.newBuilder().setAttackId("x").setStartedAt(9_000L).build(),
                    AttackOutcome.newBuilder().setAttackId("y").setStartedAt(7_000L).build()))
            .build();
    Experiment declared =
        Experiment.newBuilder()
            .setExperimentId("e")
            .setLabels(Map.of("service", "checkout"))
            .setHypotheses(
                List.of(MetricHypothesis.newBuilder().setMetric("c").setSeverity("SEV3").build()))
            .build();

    ExperimentResult out =
        ResultCalculator.attribute(r, declared, ResultCalculator.SeverityLevels.DEFAULTS);
    ExperimentResult unknown =
        ResultCalculator.attribute(
            r, null, new ResultCalculator.SeverityLevels("SEV0", "SEV4", "SEV0"));

    assertThat(out.getService()).isEqualTo("checkout"); // from labels.service
    assertThat(out.getStartedAt()).isEqualTo(7_000L); // no experiment start: the first attack's
    assertThat(out.getMetrics().stream().map(MetricJudgement::getSeverity))
        .containsExactly("SEV1", "SEV2", "SEV3");
    assertThat(unknown.getService()).isEqualTo("system");
    assertThat(unknown.getMetrics().stream().map(MetricJudgement::getSeverity))
        .containsExactly("SEV0", "SEV4", "SEV0");

    // the publisher's way, on a result of its own: the same record, to the byte
    AvroSerde<ExperimentResult> avro = AvroSerde.of(ExperimentResult.class);
    byte[] before = avro.encode(r);
    for (Experiment e : java.util.Arrays.asList(declared, null)) {
      ExperimentResult own = ExperimentResult.newBuilder(r).build();
      ResultCalculator.attributeInPlace(own, e, ResultCalculator.SeverityLevels.DEFAULTS);
      ExperimentResult copied =
          ResultCalculator.attribute(r, e, ResultCalculator.SeverityLevels.DEFAULTS);
      assertThat(own).isEqualTo(copied);
      assertThat(avro.encode(own)).isEqualTo(avro.encode(copied));
    }
    assertThat(avro.encode(r)).as("attribute leaves its input as it was").isEqualTo(before);
  }

  private static ExperimentTimeline timeline(String pattern, long attackStart, Long attackEnd) {
    // one character per 5 s window from t=0: D deviating, S steady, ? insufficient
    ExperimentTimeline t = new ExperimentTimeline();
    for (int i = 0; i < pattern.length(); i++) {
      WindowStatus w = new WindowStatus();
      w.end = (i + 1) * 5000L;
      switch (pattern.charAt(i)) {
        case 'D' -> w.deviating.add("http.latency.ms");
        case 'S' -> w.steady.add("http.latency.ms");
        default -> w.insufficient.add("http.latency.ms");
      }
      t.windows.put(i * 5000L, w);
    }
    AttackSpan a = new AttackSpan();
    a.attackId = "a1";
    a.fault = "cpu-burn";
    a.startedAt = attackStart;
    a.endedAt = attackEnd;
    t.attacks.put("a1", a);
    return t;
  }

  private static AttackSpan notStarted(String id, long endedAt) {
    AttackSpan a = new AttackSpan();
    a.attackId = id;
    a.fault = "cpu-burn";
    a.startedAt = AttackSpan.NOT_STARTED;
    a.endedAt = endedAt;
    return a;
  }

  @Test
  void anAttackWhoseEndCameBeforeItsStartCountsInNoResultFigure() {
    // the same windows as a detected attack, but only the attack's end is known so far
    ExperimentTimeline t = timeline("SSDDDDSSSS", 12_000, 27_000L);
    t.attacks.put("a1", notStarted("a1", 27_000L));
    ExperimentResult r = ResultCalculator.compute("e", t, 3, 0);
    assertThat(r.getAttacks()).isEmpty();
    assertThat(r.getMttdMs()).isNull();
    assertThat(r.getMttrMs()).isNull();

    // beside a started attack, only the started one is an outcome and sets MTTD
    t = timeline("SSDDDDSSSS", 12_000, 27_000L);
    t.attacks.put("a0", notStarted("a0", 9_000L));
    r = ResultCalculator.compute("e", t, 3, 0);
    assertThat(r.getAttacks()).extracting(AttackOutcome::getAttackId).containsExactly("a1");
    assertThat(r.getMttdMs()).isEqualTo(3_000L);
  }

  @Test
  void anAttackNotStartedHasNoRecoverySpan() {
    AttackSpan started = timeline("S", 12_000, 27_000L).attacks.get("a1");
    List<long[]> spans =
        ResultCalculator.recoveries(List.of(notStarted("a0", 9_000L), started), 3, 5_000);
    assertThat(spans).hasSize(1);
    assertThat(spans.get(0)).containsExactly(12_000L, 27_000L + 3 * 5_000L);
  }

  @Test
  void anAttackNotStartedIsNeverTheOneAnAlertFiresIn() {
    ExperimentTimeline t = new ExperimentTimeline();
    t.attacks.put("a0", notStarted("a0", 27_000L));
    assertThat(t.attackActiveIn(10_000, 15_000)).as("no attack started").isNull();
    assertThat(t.attackActiveIn(30_000, 35_000)).isNull();

    AttackSpan later = timeline("S", 40_000, null).attacks.get("a1");
    t.attacks.put("a1", later);
    assertThat(t.attackActiveIn(45_000, 50_000)).isSameAs(later);
    assertThat(t.attackActiveIn(10_000, 15_000)).isNull();
    assertThat(notStarted("a0", 1L).started()).isFalse();
    assertThat(later.started()).isTrue();
  }

  @Test
  void mttdIsEndOfFirstDeviatingWindowMinusAttackStart() {
    // attack from 12 s to 27 s; windows 10-15 and 15-20 deviate
    ExperimentResult r =
        ResultCalculator.compute("e", timeline("SSDDDDSSSS", 12_000, 27_000L), 3, 0);
    assertThat(r.getVerdict()).isEqualTo(Verdict.DEVIATED);
    assertThat(r.getAttacks().get(0).getDetectedAt()).isEqualTo(15_000L);
    assertThat(r.getMttdMs()).isEqualTo(3_000L);
  }

  @Test
  void mttrRunsFromAttackEndToFirstOfThreeSteadyWindows() {
    // deviation continues after the attack ended at 27 s; steady from 30 s on
    ExperimentResult r =
        ResultCalculator.compute("e", timeline("SSDDDDSSSS", 12_000, 27_000L), 3, 0);
    assertThat(r.getAttacks().get(0).getRecoveredAt()).isEqualTo(30_000L);
    assertThat(r.getMttrMs()).isEqualTo(3_000L);
  }

  @Test
  void aSingleSteadyWindowBetweenDeviationsIsNotRecovery() {
    ExperimentResult r =
        ResultCalculator.compute("e", timeline("SSDDSDSSSS", 12_000, 20_000L), 3, 0);
    assertThat(r.getAttacks().get(0).getRecoveredAt()).isEqualTo(30_000L);
    assertThat(r.getMttrMs()).isEqualTo(10_000L); // from the attack's end at 20 s
  }

  @Test
  void insufficientWindowsBreakTheSteadyRun() {
    ExperimentResult r =
        ResultCalculator.compute("e", timeline("SSDDSS?SSS", 12_000, 20_000L), 3, 0);
    assertThat(r.getAttacks().get(0).getRecoveredAt()).isEqualTo(35_000L);
  }

  @Test
  void noDeviationMeansTheHypothesisHeld() {
    ExperimentResult r = ResultCalculator.compute("e", timeline("SSSSSSSS", 12_000, 27_000L), 3, 0);
    assertThat(r.getVerdict()).isEqualTo(Verdict.STEADY);
    assertThat(r.getMttdMs()).isNull();
    assertThat(r.getMttrMs()).isNull();
    assertThat(r.getReason()).contains("cpu-burn: no deviation");
  }

  @Test
  void runningAttackHasNoRecoveryYet() {
    ExperimentResult r = ResultCalculator.compute("e", timeline("SSDD", 12_000, null), 3, 0);
    assertThat(r.getMttdMs()).isEqualTo(3_000L);
    assertThat(r.getMttrMs()).isNull();
    assertThat(r.getReason()).contains("attack still running");
  }
}
