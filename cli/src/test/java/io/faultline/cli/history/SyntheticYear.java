package io.faultline.cli.history;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A year of synthetic experiments: {@code services} services, {@code perWeek} experiments a week
 * each for 52 weeks from Monday 2025-12-01, about a third deviating with one to three alerts from
 * 30 metric names, resolving after 5 s to 10 min, some of them by themselves. Resilience improves
 * over the year (fewer deviations, faster detection), so the trends have a direction.
 */
record SyntheticYear(List<ExperimentResult> results, List<Alert> alerts) {

  static final long START = Instant.parse("2025-12-01T00:00:00Z").toEpochMilli();
  static final long DAY = 86_400_000L;

  static SyntheticYear of(int services, int perWeek, long seed) {
    Random random = new Random(seed);
    List<ExperimentResult> results = new ArrayList<>();
    List<Alert> alerts = new ArrayList<>();
    for (int week = 0; week < 52; week++) {
      double deviating = 0.5 - 0.3 * week / 52.0;
      for (int s = 0; s < services; s++) {
        String service = "service-" + s;
        for (int i = 0; i < perWeek; i++) {
          String id = service + "-w" + week + "-" + i;
          long start =
              START + week * 7 * DAY + random.nextInt(7) * DAY + random.nextInt(80_000_000);
          boolean deviated = random.nextDouble() < deviating;
          Long mttd = deviated ? 2_000L + random.nextInt(20_000 - week * 300) : null;
          List<MetricJudgement> metrics = new ArrayList<>();
          int fired = deviated ? 1 + random.nextInt(3) : 0;
          for (int a = 0; a < fired; a++) {
            String metric = "metric-" + (int) Math.floor(30 * Math.pow(random.nextDouble(), 2));
            long firedAt = start + 60_000 + a * 120_000L;
            boolean resolved = random.nextInt(10) > 0;
            long resolve = 5_000L + random.nextInt(600_000);
            alerts.add(
                Alert.newBuilder()
                    .setAlertId(id + "|" + metric + "|" + firedAt)
                    .setExperimentId(id)
                    .setMetric(metric)
                    .setStatus(resolved ? AlertStatus.RESOLVED : AlertStatus.FIRING)
                    .setFiredAt(firedAt)
                    .setTimestamp(resolved ? firedAt + resolve : firedAt)
                    .setService(service)
                    .setSev(a == 0 ? "SEV1" : "SEV2")
                    .setSelfResolving(resolved && resolve < 30_000)
                    .build());
            metrics.add(
                MetricJudgement.newBuilder()
                    .setMetric(metric)
                    .setState(SteadyState.DEVIATING)
                    .setFirstDeviationAt(firedAt)
                    .setCritical(a == 0)
                    .setAlertsFired(1)
                    .setSeverity(a == 0 ? "SEV1" : "SEV2")
                    .build());
          }
          results.add(
              ExperimentResult.newBuilder()
                  .setExperimentId(id)
                  .setVerdict(deviated ? Verdict.DEVIATED : Verdict.STEADY)
                  .setUpdatedAt(start + 900_000)
                  .setService(service)
                  .setStartedAt(start)
                  .setMetrics(metrics)
                  .setAttacks(
                      List.of(
                          AttackOutcome.newBuilder()
                              .setAttackId(id + "-a")
                              .setStartedAt(start + 30_000)
                              .setMttdMs(mttd)
                              .setMttrMs(deviated ? mttd * 2 : null)
                              .build()))
                  .build());
        }
      }
    }
    return new SyntheticYear(results, alerts);
  }
}
