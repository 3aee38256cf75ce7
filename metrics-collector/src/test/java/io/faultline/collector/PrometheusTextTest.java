package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void parsesSamplesLabelsEscapesSpecialValuesAndTimestamps() {
    String text =
        """
        # HELP app_requests_total Requests served.
        # TYPE app_requests_total counter
        app_requests_total{group="control",code="200"} 1027
        app_requests_total{group="experimental",code="500",} 3 1395066363000
        process_cpu_seconds_total 12.47
        weird{path="a\\"b\\\\c\\nd"} -Inf
        up NaN
        big 1.5e+3
        """;
    List<PrometheusText.Series> series = PrometheusText.parse(text);
    assertThat(series).hasSize(6);
    assertThat(series.get(0).name()).isEqualTo("app_requests_total");
    assertThat(series.get(0).labels())
        .containsEntry("group", "control")
        .containsEntry("code", "200");
    assertThat(series.get(0).value()).isEqualTo(1027);
    assertThat(series.get(0).timestampMs()).isNull();
    assertThat(series.get(1).timestampMs()).isEqualTo(1395066363000L);
    assertThat(series.get(2).labels()).isEmpty();
    assertThat(series.get(2).value()).isEqualTo(12.47);
    assertThat(series.get(3).labels().get("path")).isEqualTo("a\"b\\c\nd");
    assertThat(series.get(3).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(series.get(4).value()).isNaN();
    assertThat(series.get(5).value()).isEqualTo(1500);
  }

  @Test
  void selectorMatchesByNameAndLabelSubset() {
    PrometheusText.Series selector = PrometheusText.selector("app_requests_total{code=\"500\"}");
    List<PrometheusText.Series> series =
        PrometheusText.parse(
            "app_requests_total{group=\"e\",code=\"500\"} 3\n"
                + "app_requests_total{group=\"e\",code=\"200\"} 9\n"
                + "app_errors_total{code=\"500\"} 1\n");
    assertThat(series.stream().filter(s -> s.matches(selector)).map(PrometheusText.Series::value))
        .containsExactly(3.0);
    assertThat(PrometheusText.selector("up").labels()).isEqualTo(Map.of());
  }

  @Test
  void badLinesNameTheirLineNumber() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{a=\"1\" x"))
        .hasMessageStartingWith("exposition line 2 'broken{a=\"1\" x'");
    assertThatThrownBy(() -> PrometheusText.parse("m one"))
        .hasMessageContaining("value 'one' is not a number");
    assertThatThrownBy(() -> PrometheusText.parse("9m 1"))
        .hasMessageContaining("a metric name must start with a letter");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"x} 1"))
        .hasMessageContaining("unterminated value");
  }
}
