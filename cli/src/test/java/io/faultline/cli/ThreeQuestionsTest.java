package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.report.AttackPeriod;
import io.faultline.cli.report.ServiceOutage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreeQuestionsTest {

  private static AttackPeriod zoneOutage(ServiceOutage o) {
    return new AttackPeriod(
        "a-1",
        "zone-outage",
        List.of("zone-a"),
        1_000,
        61_000L,
        "STOPPED",
        3_000L,
        15_000L,
        2_000L,
        11_900L,
        List.of("http.error"),
        o);
  }

  @Test
  void aZoneLineHasThePromotionBesideTheWritesAndTheErrorWindow() {
    String line =
        ThreeQuestions.answer(
            zoneOutage(
                new ServiceOutage(837, 133, 700L, 13_900L, true, 700L, 11_700L, 9_100L, "db-2")),
            5_000);

    assertThat(line)
        .isEqualTo(
            "MTTD 2s, MTTR 11.9s; 133 of 837 requests failed, over 13.2s from +700ms;"
                + " database writes failed from +700ms, new primary db-2 (Patroni) at +9.1s,"
                + " writes accepted again (failover) +11.7s after the attack began");
  }

  @Test
  void withoutAnObservedPromotionTheLineSaysOnlyWhatWasMeasured() {
    String line =
        ThreeQuestions.answer(
            zoneOutage(new ServiceOutage(300, 0, null, null, true, null, null, null, null)), 5_000);

    assertThat(line)
        .isEqualTo("MTTD 2s, MTTR 11.9s; 0 of 300 requests failed; database writes never failed");
  }

  @Test
  void aRecoveryInsideTheWindowTheAttackEndedInReadsAsAtMostOneWindow() {
    AttackPeriod quick =
        new AttackPeriod(
            "a-1",
            "cpu-burn",
            List.of("p"),
            1_000,
            61_000L,
            "STOPPED",
            3_000L,
            61_000L,
            2_000L,
            0L,
            List.of("http.latency.ms"),
            null);

    assertThat(ThreeQuestions.answer(quick, 5_000)).isEqualTo("MTTD 2s, MTTR ≤ 5s");
  }
}
