package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlertFiguresTest {

  @Test
  void aShortAlertResolvingWhenItsAttackEndsIsNotNoisy() {
    // attack 20 s - 30 s, recovery allowance 3 windows of 5 s: up to 45 s
    List<long[]> recoveries = List.<long[]>of(new long[] {20_000, 45_000});
    List<long[]> firings =
        List.of(
            new long[] {25_000, 30_000}, // fired during the attack, resolved at its end
            new long[] {40_000, 45_000}, // resolved within the recovery allowance
            new long[] {60_000, 65_000}, // long after: noise
            new long[] {70_000, -1}); // still firing
    var figures = ResultCalculator.AlertFigures.of(firings, 10_000, recoveries);
    assertThat(figures.noisy()).isEqualTo(1);
    assertThat(ResultCalculator.AlertFigures.of(firings, 10_000).noisy()).isEqualTo(3);
  }

  @Test
  void alertsFiredAtOneInstantAreOneFailureForMtbf() {
    // one attack deviates three metrics in one window: their alerts fire at its end, together
    assertThat(ResultCalculator.AlertFigures.meanGap(List.of(20_000L, 20_000L, 20_000L))).isNull();
    // a second failure 30 s later: one gap of 30 s, not 30 s over three gaps
    assertThat(ResultCalculator.AlertFigures.meanGap(List.of(20_000L, 20_000L, 20_000L, 50_000L)))
        .isEqualTo(30_000L);
    assertThat(ResultCalculator.AlertFigures.meanGap(List.of(0L, 10_000L, 30_000L)))
        .isEqualTo(15_000L);
  }
}
