package io.faultline.analyzer.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.offline.TimeSeriesCsv.Row;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.MannWhitney;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OfflineAnalysisTest {

  private static final OfflineAnalysis.Options DEFAULTS =
      new OfflineAnalysis.Options(Direction.INCREASE, 0.25, 0.98, 0.05, null);

  /** 200 rows at 5-minute steps from start; values N(100, 5), times factor from row shiftAt on. */
  private static List<Row> series(Random random, long start, int shiftAt, double factor) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double v = (100 + 5 * random.nextGaussian()) * (i >= shiftAt ? factor : 1);
      rows.add(new Row(start + i * 300_000L, v, i + 2));
    }
    return rows;
  }

  @Test
  void detectsAFiftyPercentShiftWithinAFewRowsOfItsStart() {
    Random random = new Random(1);
    List<Long> delays = new ArrayList<>();
    for (int run = 0; run < 100; run++) {
      List<Row> control = series(random, 0, Integer.MAX_VALUE, 1);
      List<Row> experiment = series(random, 10_000_000_000L, 120, 1.5); // recorded at another time
      OfflineAnalysis.Result r = OfflineAnalysis.run(control, experiment, DEFAULTS);
      if (r.deviation()) {
        long rowsAfterShift = (r.detectedAtMs() - experiment.get(120).epochMs()) / 300_000L;
        assertThat(rowsAfterShift).as("no alarm before the shift").isGreaterThanOrEqualTo(0L);
        delays.add(rowsAfterShift);
      }
    }
    assertThat(delays.size()).isGreaterThanOrEqualTo(95);
    delays.sort(null);
    // single rows of 5% noise against a 25% tolerance: a few rows' evidence, more in the runs
    // whose warm-up looked autocorrelated (prewhitened, each row counts for less)
    assertThat(delays.get(delays.size() / 2)).isLessThanOrEqualTo(10L);
    assertThat(delays.get(delays.size() - 1)).isLessThanOrEqualTo(40L);
  }

  @Test
  void falseAlarmsStayWithinAlphaHoweverManyWindowsAreChecked() {
    Random random = new Random(2);
    int alarms = 0;
    int runs = 400;
    for (int run = 0; run < runs; run++) {
      // a 20% rise is within the 25% tolerance: no deviation
      OfflineAnalysis.Result r =
          OfflineAnalysis.run(series(random, 0, 1000, 1), series(random, 0, 100, 1.2), DEFAULTS);
      if (r.deviation()) {
        alarms++;
      }
    }
    assertThat((double) alarms / runs).isLessThanOrEqualTo(0.05);
  }

  @Test
  void decreaseIsIgnoredWhenOnlyIncreasesAreBad() {
    Random random = new Random(3);
    List<Row> control = series(random, 0, 1000, 1);
    List<Row> experiment = series(random, 0, 40, 0.4); // most of the run at 40%
    assertThat(OfflineAnalysis.run(control, experiment, DEFAULTS).deviation()).isFalse();
    OfflineAnalysis.Options either =
        new OfflineAnalysis.Options(Direction.EITHER, 0.25, 0.98, 0.05, null);
    OfflineAnalysis.Result r = OfflineAnalysis.run(control, experiment, either);
    assertThat(r.deviation()).isTrue();
    assertThat(r.classification().classification()).isEqualTo(MannWhitney.Classification.LOW);
  }

  @Test
  void windowsDefaultToTenRowIntervalsAndAlignByOffset() {
    Random random = new Random(4);
    OfflineAnalysis.Result r =
        OfflineAnalysis.run(
            series(random, 0, 1000, 1), series(random, 86_400_000L, 1000, 1), DEFAULTS);
    assertThat(r.window().toMinutes()).isEqualTo(50);
    assertThat(r.windows()).hasSize(20);
    assertThat(r.windows().get(0).control().count()).isEqualTo(10);
    assertThat(r.windows().get(0).experimental().count()).isEqualTo(10);
    assertThat(r.windows().get(0).startMs()).isEqualTo(86_400_000L);
  }

  @Test
  void emptySeriesIsNoData() {
    OfflineAnalysis.Result r =
        OfflineAnalysis.run(List.of(), series(new Random(5), 0, 1000, 1), DEFAULTS);
    assertThat(r.deviation()).isFalse();
    assertThat(r.classification().classification()).isEqualTo(MannWhitney.Classification.NODATA);
  }
}
