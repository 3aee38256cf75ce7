package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spark source against answers recorded from a real standalone cluster (scale-spark's
 * SparkClusterExtractionIT): Scale's extraction of 2,001 files with one executor SIGKILLed.
 */
class SparkSourceTest {

  static String recorded(String name) throws Exception {
    try (InputStream in = SparkSourceTest.class.getResourceAsStream("/spark-api/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static JsonNode json(String name) throws Exception {
    return new ObjectMapper().readTree(recorded(name));
  }

  @Test
  void readsTheKilledExecutorAndTheRetriedTasksFromARecordedRun() throws Exception {
    Map<String, Double> f =
        SparkSource.figures(
            json("jobs.json"), json("stages.json"), json("allexecutors.json"), Instant.now());

    assertThat(f.get("spark.executors.lost")).isEqualTo(1.0);
    // executor 0 lived; executor 1 was SIGKILLed (exit 137) and its replacement was not up yet
    assertThat(f.get("spark.executors.active")).isEqualTo(1.0);
    assertThat(f.get("spark.tasks.failed")).isGreaterThanOrEqualTo(1.0);
    assertThat(f.get("spark.jobs.running")).isZero();
    assertThat(f.get("spark.jobs.failed")).isZero();
    assertThat(f.get("spark.shuffle.fetch_failures")).isZero();
    assertThat(f.get("spark.job.duration.ms")).isPositive();
    // 2,001 files read over the job's duration
    assertThat(f.get("spark.records.per_s"))
        .isCloseTo(
            2001 / (f.get("spark.job.duration.ms") / 1000),
            org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void aRunningJobsDurationGrowsUntilNowAndNoJobGivesNoDuration() throws Exception {
    ObjectMapper m = new ObjectMapper();
    JsonNode running =
        m.readTree(
            "[{\"jobId\":3,\"status\":\"RUNNING\",\"submissionTime\":\"2026-12-05T13:00:00.000GMT\","
                + "\"stageIds\":[4],\"numCompletedTasks\":5,\"numFailedTasks\":2}]");
    JsonNode stages = m.readTree("[{\"stageId\":4,\"inputRecords\":600}]");
    JsonNode none = m.readTree("[]");

    Map<String, Double> f =
        SparkSource.figures(running, stages, none, Instant.parse("2026-12-05T13:00:30Z"));
    Map<String, Double> empty = SparkSource.figures(none, none, none, Instant.now());

    assertThat(f.get("spark.job.duration.ms")).isEqualTo(30_000.0);
    assertThat(f.get("spark.records.per_s")).isEqualTo(20.0);
    assertThat(f.get("spark.jobs.running")).isEqualTo(1.0);
    assertThat(f.get("spark.tasks.failed")).isEqualTo(2.0);
    assertThat(empty).doesNotContainKeys("spark.job.duration.ms", "spark.records.per_s");
    assertThat(empty.get("spark.executors.lost")).isZero();
  }

  @Test
  void collectsPerGroupOverHttpAndMarksAnUnreachableDriver() throws Exception {
    try (StubHttp server =
        new StubHttp(
            2,
            ex -> {
              String path = ex.getRequestURI().getPath();
              String body =
                  switch (path) {
                    case "/api/v1/applications" -> "[{\"id\":\"app-1\"}]";
                    case "/api/v1/applications/app-1/jobs" -> recordedOrEmpty("jobs.json");
                    case "/api/v1/applications/app-1/stages" -> recordedOrEmpty("stages.json");
                    case "/api/v1/applications/app-1/allexecutors" ->
                        recordedOrEmpty("allexecutors.json");
                    default -> null;
                  };
              if (body == null) {
                StubHttp.reply(ex, 404, "text/plain", "no");
              } else {
                StubHttp.reply(ex, 200, "application/json", body);
              }
            })) {
      SparkSource source =
          new SparkSource(
              SparkSource.Settings.fromMap(
                  new ConfigMap(
                      Map.of(
                          "spark.targets",
                          "EXPERIMENTAL=extract-exp@"
                              + server.url("")
                              + ",CONTROL=extract-ctl@http://127.0.0.1:1"))),
              new Samples("e1"));

      List<MetricSample> s = source.collect();

      MetricSample lost =
          s.stream()
              .filter(x -> x.getMetric().equals("spark.executors.lost"))
              .filter(x -> x.getGroup() == Group.EXPERIMENTAL)
              .findFirst()
              .orElseThrow();
      assertThat(lost.getValue()).isEqualTo(1.0);
      assertThat(lost.getLabels()).containsEntry("app", "app-1");
      assertThat(s.stream().filter(x -> x.getGroup() == Group.CONTROL))
          .hasSize(SparkSource.METRICS.size())
          .allSatisfy(x -> assertThat(x.getError()).isTrue());
    }
  }

  @Test
  void rejectsATargetThatIsNotHttp() {
    assertThatThrownBy(
            () ->
                SparkSource.Settings.fromMap(
                    new ConfigMap(Map.of("spark.targets", "CONTROL=c@ftp://127.0.0.1:4040"))))
        .hasMessage("spark.targets entry c: URL must be http or https");
  }

  private static String recordedOrEmpty(String name) {
    try {
      return recorded(name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
