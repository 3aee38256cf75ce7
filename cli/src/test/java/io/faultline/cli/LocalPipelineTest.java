package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.cli.experiment.ExperimentDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's closing lines and its runs as samples, from the runs' records (no Spark here). */
class LocalPipelineTest {

  static final ExperimentDefinition.Pipeline ONE_RUN =
      new ExperimentDefinition.Pipeline(1500, 1, 50, 0.01, 0.25, 0.25);

  static JsonNode run(int run, long durationMs, long songs, String sha, int tasksFailed, int lost)
      throws Exception {
    return new ObjectMapper()
        .readTree(
            String.format(
                "{\"run\":%d,\"durationMs\":%d,\"songs\":%d,\"sha256\":\"%s\","
                    + "\"tasksFailed\":%d,\"executorsLost\":%d}",
                run, durationMs, songs, sha, tasksFailed, lost));
  }

  @Test
  void oneRunWithEqualDataSaysNotEnoughRunsWithTheFigures() throws Exception {
    List<String> lines =
        LocalPipeline.closingLines(
            List.of(run(1, 40_000, 1500, "a1b2c3d4e5f6a7b8", 0, 0)),
            List.of(run(1, 62_000, 1500, "a1b2c3d4e5f6a7b8", 3, 1)),
            ONE_RUN);
    assertThat(lines.get(1))
        .contains(
            "run 1: job 40s vs 1m2s (+55%)",
            "songs 1500 vs 1500",
            "checksum equal (a1b2c3d4e5f6)",
            "tasks failed 0 vs 3",
            "executors lost 0 vs 1");
    assertThat(lines.get(2)).contains("no executor lost during the experimental run of 1m2s");
    // the verdict over runs is the analyzer's (PipelineRunsTest), not the CLI's
    assertThat(lines).hasSize(3);
  }

  @Test
  void theReportSaysWhereInTheRunTheExecutorWasLost() throws Exception {
    JsonNode e =
        new ObjectMapper()
            .readTree(
                "{\"run\":1,\"durationMs\":29300,\"songs\":2000,\"sha256\":\"a1b2c3d4e5f6a7\","
                    + "\"tasksFailed\":1,\"executorsLost\":1,\"tasks\":41,"
                    + "\"losses\":[{\"atMs\":4200,\"tasksDone\":12}]}");
    List<String> lines =
        LocalPipeline.closingLines(
            List.of(run(1, 15_500, 2000, "a1b2c3d4e5f6a7", 0, 0)), List.of(e), ONE_RUN);
    assertThat(lines.get(2))
        .isEqualTo(
            "    executor lost mid-run: 4.2s in, 12 of 41 tasks done (29%) of the experimental run"
                + " of 29.3s");
  }

  @Test
  void theAttacksWaitUntilTheExperimentalRunHasFinishedItsShareOfTasks() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode before = json.readTree("{\"run\":1,\"startedAt\":1000,\"tasks\":0,\"tasksDone\":0}");
    JsonNode ten = json.readTree("{\"run\":1,\"startedAt\":1000,\"tasks\":41,\"tasksDone\":10}");
    JsonNode eleven = json.readTree("{\"run\":1,\"startedAt\":1000,\"tasks\":41,\"tasksDone\":11}");
    JsonNode first = json.readTree("{\"run\":1,\"startedAt\":1000,\"tasks\":41,\"tasksDone\":1}");

    assertThat(LocalPipeline.progressLine(before, 0.25, 5_000)).isEmpty();
    // 25% of 41 tasks is 10.25: the eleventh
    assertThat(LocalPipeline.progressLine(ten, 0.25, 5_000)).isEmpty();
    assertThat(LocalPipeline.progressLine(eleven, 0.25, 3_400))
        .contains("the experimental run at 11 of 41 tasks (27%), 2.4s in");
    // a share of 0 still waits for a finished task: the run is under way
    assertThat(LocalPipeline.progressLine(first, 0.0, 2_000)).isPresent();
    assertThat(LocalPipeline.progressLine(before, 0.0, 2_000)).isEmpty();
  }

  @Test
  void aDifferentChecksumIsSaidDifferent() throws Exception {
    List<String> lines =
        LocalPipeline.closingLines(
            List.of(run(1, 40_000, 1500, "a1b2c3d4e5f6a7b8", 0, 0)),
            List.of(run(1, 40_000, 1499, "ffffc3d4e5f6a7b8", 0, 0)),
            ONE_RUN);
    assertThat(lines.get(1)).contains("songs 1500 vs 1499", "checksum DIFFERENT");
    assertThat(lines.get(1)).contains("(a1b2c3d4e5f6 vs ffffc3d4e5f6)");
  }

  @Test
  void aGroupWithoutAFinishedRunIsSaidNotJudged() throws Exception {
    List<String> lines =
        LocalPipeline.closingLines(
            List.of(run(1, 40_000, 1500, "a1b2c3d4e5f6a7b8", 0, 0)), List.of(), ONE_RUN);
    assertThat(lines).last().asString().contains("NO RUN FINISHED in experimental");
  }

  @Test
  void eachRunGoesToTheMetricsTopicWithItsChecksumForBothGroups() throws Exception {
    JsonNode r =
        new ObjectMapper()
            .readTree(
                "{\"run\":2,\"endedAt\":1000,\"durationMs\":41000,\"songs\":1500,"
                    + "\"instrumentRows\":7215,\"sha256\":\"59b2af\",\"tasksFailed\":2,"
                    + "\"executorsLost\":1}");
    var samples = LocalPipeline.runSamples("exp-1", "experimental", r);
    assertThat(samples)
        .extracting(s -> s.getMetric() + "=" + s.getValue())
        .containsExactly(
            "pipeline.job.duration.ms=41000.0",
            "pipeline.store.songs=1500.0",
            "pipeline.store.instrument.rows=7215.0",
            "pipeline.tasks.failed=2.0",
            "pipeline.executors.lost=1.0");
    assertThat(samples)
        .allSatisfy(
            s -> {
              assertThat(s.getGroup()).isEqualTo(io.faultline.schema.Group.EXPERIMENTAL);
              assertThat(s.getLabels()).containsEntry("sha256", "59b2af").containsEntry("run", "2");
              assertThat(s.getTimestamp()).isEqualTo(1000L);
            });
    assertThat(LocalPipeline.runSamples("exp-1", "control", r).get(0).getGroup())
        .isEqualTo(io.faultline.schema.Group.CONTROL);
  }
}
