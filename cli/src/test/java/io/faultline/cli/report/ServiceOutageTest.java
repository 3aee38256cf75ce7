package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceOutageTest {

  private static MetricSample sample(String metric, Group group, long at, double value) {
    return MetricSample.newBuilder()
        .setExperimentId("x")
        .setMetric(metric)
        .setGroup(group)
        .setTarget("t")
        .setTimestamp(at)
        .setValue(value)
        .setUnit("")
        .setLabels(Map.of())
        .build();
  }

  @Test
  void theErrorWindowAndTheFailoverAreMeasuredFromTheAttacksStart() {
    List<MetricSample> s = new ArrayList<>();
    long start = 100_000;
    for (long t = start - 5_000; t < start + 40_000; t += 500) {
      boolean failing = t >= start + 1_200 && t <= start + 14_700;
      s.add(sample("http.error", Group.EXPERIMENTAL, t, failing ? 1 : 0));
      s.add(sample("http.error", Group.CONTROL, t, 0));
    }
    for (long t = start - 5_000; t < start + 40_000; t += 1_000) {
      boolean down = t >= start + 1_000 && t < start + 13_000;
      s.add(sample("fleet.db.writable", Group.EXPERIMENTAL, t, down ? 0 : 1));
      s.add(sample("fleet.db.writable", Group.CONTROL, t, 1));
    }
    // a gap is no evidence either way
    MetricSample gap = sample("fleet.db.writable", Group.EXPERIMENTAL, start + 500, Double.NaN);
    gap.setError(true);
    s.add(gap);

    ServiceOutage o = ServiceOutage.of(s, start, start + 30_000);

    assertThat(o.requests()).isEqualTo(60);
    assertThat(o.errors()).isEqualTo(27); // +1.2 s .. +14.7 s every 500 ms
    assertThat(o.firstErrorMs()).isEqualTo(1_500);
    assertThat(o.errorWindowMs()).isEqualTo(13_000);
    assertThat(o.writesFailedMs()).isEqualTo(1_000);
    assertThat(o.writesAcceptedAgainMs()).isEqualTo(13_000);
    assertThat(o.dbFailoverText()).isEqualTo("13s");
    assertThat(o.errorWindowText()).isEqualTo("13s from +1.5s");
    assertThat(o.errorsText()).isEqualTo("27 of 60");
  }

  @Test
  void theFirstPromotionObservedInTheAttacksPeriodIsTheTimeToANewPrimary() {
    long start = 100_000;
    List<MetricSample> s = new ArrayList<>();
    for (long t = start; t < start + 20_000; t += 1_000) {
      s.add(
          sample(
              "fleet.db.writable",
              Group.EXPERIMENTAL,
              t,
              t >= start + 1_000 && t < start + 12_000 ? 0 : 1));
    }
    List<io.faultline.scale.fleet.FleetStatus.Promotion> seen =
        List.of(
            // an earlier attack's, and one after this period: not this attack's
            new io.faultline.scale.fleet.FleetStatus.Promotion(start - 60_000, "db-2", 2),
            new io.faultline.scale.fleet.FleetStatus.Promotion(start + 9_400, "db-1", 3),
            new io.faultline.scale.fleet.FleetStatus.Promotion(start + 25_000, "db-2", 4));

    ServiceOutage o = ServiceOutage.of(s, seen, start, start + 20_000);

    assertThat(o.promotedMs()).isEqualTo(9_400);
    assertThat(o.promotedMember()).isEqualTo("db-1");
    assertThat(o.writesAcceptedAgainMs()).isEqualTo(12_000);
    assertThat(o.dbFailoverText()).isEqualTo("12s (db-1 promoted at +9.4s)");
    // without observations (a report from the topics alone) the writes' figure stands alone
    assertThat(ServiceOutage.of(s, start, start + 20_000).dbFailoverText()).isEqualTo("12s");
    assertThat(ServiceOutage.of(s, seen, start + 30_000, start + 40_000)).isNull();
  }

  @Test
  void withoutAWriteProbeOrErrorsTheFiguresSaySo() {
    List<MetricSample> s = List.of(sample("http.error", Group.EXPERIMENTAL, 10, 0));

    ServiceOutage o = ServiceOutage.of(s, 0, 100);

    assertThat(o.errorWindowMs()).isNull();
    assertThat(o.errorWindowText()).isEqualTo("none");
    assertThat(o.dbFailoverText()).isEqualTo("not probed");
    assertThat(ServiceOutage.of(s, 100, 200)).isNull();
  }

  @Test
  void aRecordingKeepsItsSamplesThroughItsFile(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    List<MetricSample> s =
        List.of(
            sample("fleet.db.writable", Group.EXPERIMENTAL, 2_000, 0),
            sample("http.error", Group.EXPERIMENTAL, 1_000, 1));
    java.nio.file.Path file = dir.resolve("x.recording");

    new ExperimentRecording("x", null, List.of(), List.of(), List.of(), null, s).save(file);
    ExperimentRecording loaded = ExperimentRecording.load(file);

    assertThat(loaded.samples()).containsExactly(s.get(1), s.get(0)); // by time
    assertThat(loaded.isEmpty()).isFalse();
  }
}
