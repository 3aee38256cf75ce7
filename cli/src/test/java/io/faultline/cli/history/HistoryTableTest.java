package io.faultline.cli.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.analyzer.HistoryRollup;
import io.faultline.schema.Figures;
import io.faultline.schema.ServiceHistory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryTableTest {

  private static ServiceHistory week(
      String service, String week, long runs, long held, long sev1, List<Long> mttd) {
    return ServiceHistory.newBuilder()
        .setService(service)
        .setWeek(week)
        .setExperiments(runs)
        .setHeld(held)
        .setNotHeld(runs - held)
        .setIncidentsBySeverity(sev1 == 0 ? Map.of() : Map.of("SEV1", sev1))
        .setAlertsFired(sev1 * 2)
        .setMttdMs(mttd)
        .setMttrMs(List.of())
        .build();
  }

  private static final List<ServiceHistory> RECORDS =
      List.of(
          week("scale", "2026-W47", 3, 1, 2, List.of(4_000L, 6_000L)),
          week("scale", "2026-W45", 2, 0, 3, List.of(9_000L, 1_000L, 5_000L)),
          week("scale", "2026-W46", 2, 2, 0, List.of()),
          week("scale", "all", 7, 3, 5, List.of(1_000L, 4_000L, 5_000L, 6_000L, 9_000L)),
          week("checkout", "2026-W46", 1, 1, 0, List.of()));

  @Test
  void weeksAreOldestFirstAndTheLastNArekept() {
    var rows = HistoryTable.select(RECORDS, null, 2);

    assertThat(rows)
        .extracting(HistoryTable.ServiceRows::service)
        .containsExactly("checkout", "scale");
    var scale = rows.get(1);
    assertThat(scale.weeks()).extracting(WeekFigures::week).containsExactly("2026-W46", "2026-W47");
    assertThat(scale.allTime().experiments()).isEqualTo(7);
    assertThat(HistoryTable.select(RECORDS, "checkout", 8)).hasSize(1);
  }

  @Test
  void summariesAreTheRollupsFigures() {
    WeekFigures all = WeekFigures.of(RECORDS.get(3));
    // no Figures on this record: the rollup's of its list; 1, 4, 5, 6, 9 s: mean 5 s, p50 the
    // 3rd value, p90 at rank 3.6, between 6 s and 9 s
    assertThat(all.mttd()).isEqualTo(new WeekFigures.Summary(5, 5_000L, 5_000L, 7_800L));
    assertThat(WeekFigures.of(RECORDS.get(2)).mttd().p50Ms()).isNull();
    // with Figures, the record's are shown as they are, not computed again from the list
    ServiceHistory carried =
        ServiceHistory.newBuilder(RECORDS.get(3))
            .setMttd(new Figures(5L, 5_000L, 4_321L, 8_765L))
            .build();
    assertThat(WeekFigures.of(carried).mttd())
        .isEqualTo(new WeekFigures.Summary(5, 5_000L, 4_321L, 8_765L));
  }

  @Test
  void anMttrOfZeroAndTwentyFiveSecondsDoesNotPrintP50ZeroMs() {
    ServiceHistory w =
        ServiceHistory.newBuilder(week("scale", "2026-W48", 2, 0, 2, List.of()))
            .setMttrMs(List.of(0L, 25_000L))
            .build();
    ServiceHistory folded =
        ServiceHistory.newBuilder(w).setMttr(HistoryRollup.figures(w.getMttrMs())).build();
    for (ServiceHistory h : List.of(w, folded)) {
      assertThat(WeekFigures.of(h).mttr().p50Ms()).isEqualTo(12_500L);
      String text = print(false, HistoryTable.select(List.of(h), "scale", 8));
      assertThat(line(text, "2026-W48")).contains("12.5s").doesNotContain(" 0ms");
    }
  }

  @Test
  void trendArrowsCompareWithThePreviousWeek() {
    assertThat(HistoryTable.trend(2, 3)).isEqualTo("↑");
    assertThat(HistoryTable.trend(3, 2)).isEqualTo("↓");
    assertThat(HistoryTable.trend(2L, 2L)).isEqualTo("→");
    assertThat(HistoryTable.trend(null, 2L)).isEqualTo(" ");

    String text = print(false, HistoryTable.select(RECORDS, "scale", 8));
    // W45 -> W46: runs 2 -> 2, held 0% -> 100%, incidents 3 -> 0; W46 -> W47: runs 2 -> 3
    assertThat(text).contains("service scale");
    String w46 = line(text, "2026-W46");
    String w47 = line(text, "2026-W47");
    assertThat(w46).contains("2→", "100%↑", "0↓");
    assertThat(w47).contains("3↑", "33%↓", "2↑");
    assertThat(line(text, "2026-W45")).doesNotContain("↑", "↓", "→");
  }

  @Test
  void jsonHasTheFiguresAndTrendsPerWeek() throws Exception {
    JsonNode root =
        new ObjectMapper().readTree(print(true, HistoryTable.select(RECORDS, "scale", 8)));

    JsonNode weeks = root.get(0).get("weeks");
    assertThat(weeks).hasSize(3);
    assertThat(weeks.get(0).get("mttdMs").get("p50").asLong()).isEqualTo(5_000L);
    assertThat(weeks.get(0).has("trend")).isFalse();
    assertThat(weeks.get(1).get("trend").get("incidents").asText()).isEqualTo("↓");
    assertThat(weeks.get(2).get("incidentsBySeverity").get("SEV1").asLong()).isEqualTo(2);
    assertThat(root.get(0).get("allTime").get("experiments").asLong()).isEqualTo(7);
  }

  @Test
  void htmlHasATrendPlotPerFigureWithAPointPerWeek() {
    String html =
        HistoryHtml.render(
            HistoryTable.select(
                List.of(
                    RECORDS.get(0),
                    RECORDS.get(1),
                    RECORDS.get(2),
                    week("<b>", "2026-W46", 1, 1, 0, List.of())),
                null,
                8));

    assertThat(html).contains("<h2>scale</h2>", "&lt;b&gt;").doesNotContain("<h2><b>");
    assertThat(html.split("<svg class=\"trend\"", -1)).hasSize(1 + 2 * 8);
    // scale's held share over W45, W46, W47: 0, 100, 33 -> three points, the highest at the top
    String scale = html.substring(html.indexOf("<h2>scale</h2>"));
    String held = scale.substring(scale.indexOf("points=\"") + 8);
    held = held.substring(0, held.indexOf('"'));
    assertThat(held.split(" ")).hasSize(3);
    assertThat(held.split(" ")[1]).endsWith(",10.0");
  }

  private static String line(String text, String week) {
    return text.lines().filter(l -> l.trim().startsWith(week)).findFirst().orElseThrow();
  }

  private static String print(boolean json, List<HistoryTable.ServiceRows> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try {
      if (json) {
        HistoryTable.printJson(rows, out);
      } else {
        HistoryTable.printText(rows, out);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
