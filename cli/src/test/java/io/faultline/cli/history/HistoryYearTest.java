package io.faultline.cli.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.analyzer.ResultCalculator;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ServiceHistory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A year of synthetic experiments of five services through the analyzer's rollup function and the
 * HTML page; prints the sizes and times (a measurement, not an assertion).
 */
class HistoryYearTest {

  @Test
  void aYearOfFiveServicesRollsUpAndRendersEveryWeek() {
    SyntheticYear year = SyntheticYear.of(5, 10, 22);

    long t0 = System.nanoTime();
    Map<String, ServiceHistory> rolled =
        HistoryRollup.fold(year.results(), year.alerts(), ResultCalculator.SeverityLevels.DEFAULTS);
    long t1 = System.nanoTime();
    String html = HistoryHtml.render(HistoryTable.select(rolled.values(), null, 52));
    long t2 = System.nanoTime();

    // 5 services x (52 weeks + all time)
    assertThat(rolled).hasSize(5 * 53);
    ServiceHistory all = rolled.get("service-0|all");
    assertThat(all.getExperiments()).isEqualTo(52 * 10);
    long alerts = year.alerts().stream().filter(a -> a.getService().equals("service-0")).count();
    assertThat(all.getAlerts()).isEqualTo(alerts);
    assertThat(all.getTopAlerts()).hasSize(20);
    assertThat(all.getMtbfMs()).hasSize((int) alerts - 1);
    // every service: 8 trend plots, one polyline each
    assertThat(html.split("<polyline", -1)).hasSize(5 * 8 + 1);
    assertThat(html).contains("service-4", "2026-W47");
    int allTimeBytes = AvroSerde.of(ServiceHistory.class).encode(all).length;
    assertThat(allTimeBytes).isLessThan(1_000_000); // one record on the topic
    System.out.printf(
        "a year: %d results, %d alerts, 5 services; rollup %d ms, %d records, largest (all time)"
            + " %d bytes; HTML %d bytes in %d ms%n",
        year.results().size(),
        year.alerts().size(),
        (t1 - t0) / 1_000_000,
        rolled.size(),
        allTimeBytes,
        html.length(),
        (t2 - t1) / 1_000_000);
  }
}
