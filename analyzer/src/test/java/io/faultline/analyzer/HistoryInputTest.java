package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class HistoryInputTest {

  private final Serde<HistoryInput> serde = HistoryInput.serde();

  @Test
  void aResultsFiguresReadBackEqualToThoseOfTheResult() {
    Random random = new Random(89);
    for (int i = 0; i < 2_000; i++) {
      ExperimentResult r = randomResult(random, i);
      HistoryInput in = HistoryInput.of(r);

      HistoryInput back = roundTrip(in);

      assertThat(back).isEqualTo(in);
      assertThat(back.result().startedAt())
          .isEqualTo(r.getStartedAt() != null ? r.getStartedAt() : r.getUpdatedAt());
      assertThat(back.result().mttdMs())
          .containsExactlyElementsOf(
              r.getAttacks().stream()
                  .map(AttackOutcome::getMttdMs)
                  .filter(v -> v != null)
                  .toList());
    }
  }

  @Test
  void aWholeResultStoredBeforeIsReadAsItsFigures() {
    // the layout written before docs/adr/0089 (tag 0, the result's Avro single-object encoding):
    // what a history-inputs changelog or repartition topic still holds at an upgrade
    AvroSerde<ExperimentResult> avro = AvroSerde.of(ExperimentResult.class);
    Random random = new Random(46);
    for (int i = 0; i < 200; i++) {
      ExperimentResult r = randomResult(random, i);
      byte[] body = avro.encode(r);
      byte[] old = new byte[body.length + 1];
      System.arraycopy(body, 0, old, 1, body.length);

      HistoryInput read = serde.deserializer().deserialize("t", old);

      assertThat(read).isEqualTo(HistoryInput.of(r));
      assertThat(read.alert()).isNull();
    }
  }

  @Test
  void anAlertKeepsItsLayout() {
    Alert a =
        Alert.newBuilder()
            .setAlertId("e1|p99|5")
            .setExperimentId("e1")
            .setMetric("p99")
            .setStatus(AlertStatus.RESOLVED)
            .setReason("r")
            .setFiredAt(5L)
            .setTimestamp(9L)
            .setSelfResolving(true)
            .build();
    byte[] bytes = serde.serializer().serialize("t", HistoryInput.of(a));

    assertThat(bytes[0]).isEqualTo((byte) 1);
    assertThat(
            AvroSerde.of(Alert.class).decode(java.util.Arrays.copyOfRange(bytes, 1, bytes.length)))
        .isEqualTo(a);
    assertThat(roundTrip(HistoryInput.of(a))).isEqualTo(HistoryInput.of(a));
  }

  @Test
  void twoResultsTheHistoryCannotTellApartAreEqualInputs() {
    ExperimentResult r =
        ExperimentResult.newBuilder(randomResult(new Random(1), 3))
            .setStartedAt(1_800_000_000_000L)
            .build();
    ExperimentResult later =
        ExperimentResult.newBuilder(r)
            .setUpdatedAt(r.getUpdatedAt() + 1_000)
            .setAlertsFired(r.getAlertsFired() + 1) // the history sums the metrics', not this
            .setScore(42.0)
            .build();
    ExperimentResult otherVerdict =
        ExperimentResult.newBuilder(r)
            .setVerdict(r.getVerdict() == Verdict.STEADY ? Verdict.DEVIATED : Verdict.STEADY)
            .build();

    // without a start the update's time is the week's: then a later update is another input
    ExperimentResult noStart = ExperimentResult.newBuilder(r).setStartedAt(null).build();
    ExperimentResult noStartLater = ExperimentResult.newBuilder(later).setStartedAt(null).build();

    assertThat(HistoryInput.of(later)).isEqualTo(HistoryInput.of(r));
    assertThat(HistoryInput.of(otherVerdict)).isNotEqualTo(HistoryInput.of(r));
    assertThat(HistoryInput.of(noStartLater)).isNotEqualTo(HistoryInput.of(noStart));
  }

  @Test
  void anUnknownTagNamesItself() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {7, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown tag 7");
  }

  private HistoryInput roundTrip(HistoryInput in) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", in));
  }

  /** Any shape: no metrics or several, attacks with and without MTTD/MTTR, start absent. */
  static ExperimentResult randomResult(Random random, int i) {
    Verdict[] verdicts = Verdict.values();
    String[] levels = {"SEV1", "SEV2", "SEV3", "sév-\uD83D\uDE80"};
    List<MetricJudgement> metrics = new ArrayList<>();
    for (int m = random.nextInt(4); m > 0; m--) {
      boolean deviated = random.nextBoolean();
      metrics.add(
          MetricJudgement.newBuilder()
              .setMetric("m" + m)
              .setState(deviated ? SteadyState.DEVIATING : SteadyState.STEADY)
              .setFirstDeviationAt(deviated ? (long) random.nextInt(1000) : null)
              .setClassification(Classification.PASS)
              .setCritical(random.nextBoolean())
              .setAlertsFired(random.nextInt(3))
              .setNoisyAlerts(random.nextInt(2))
              .setSeverity(levels[random.nextInt(levels.length)])
              .build());
    }
    List<AttackOutcome> attacks = new ArrayList<>();
    for (int a = random.nextInt(3); a > 0; a--) {
      attacks.add(
          AttackOutcome.newBuilder()
              .setAttackId("a" + a)
              .setStartedAt(random.nextInt(1000))
              .setMttdMs(random.nextBoolean() ? (long) random.nextInt(60_000) : null)
              .setMttrMs(random.nextBoolean() ? (long) random.nextInt(60_000) : null)
              .build());
    }
    return ExperimentResult.newBuilder()
        .setExperimentId("e-" + i + (i % 7 == 0 ? "-\u00e9\uD83D\uDE80" : ""))
        .setVerdict(verdicts[random.nextInt(verdicts.length)])
        .setUpdatedAt(1_800_000_000_000L + random.nextInt(1_000_000))
        .setMetrics(metrics)
        .setAttacks(attacks)
        .setAborted(random.nextInt(5) == 0)
        .setService(random.nextBoolean() ? "checkout" : "search")
        .setStartedAt(random.nextBoolean() ? 1_800_000_000_000L - random.nextInt(1_000_000) : null)
        .build();
  }
}
