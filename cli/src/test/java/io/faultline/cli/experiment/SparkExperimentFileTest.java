package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** examples/spark-executor-kill.yaml: the pipeline's experiment file, run by demo and run. */
class SparkExperimentFileTest {

  private static final Path FILE = Path.of("..", "examples", "spark-executor-kill.yaml");

  @Test
  void theExampleParsesIntoAPipelineOfOneRunPerGroup() {
    ExperimentDefinition d = ExperimentFileParser.read(FILE);
    var pipeline = d.groups().local().pipeline();
    assertThat(pipeline).isNotNull();
    assertThat(pipeline.songs()).isEqualTo(2000);
    assertThat(pipeline.runs()).isEqualTo(1);
    assertThat(pipeline.alpha()).isEqualTo(0.01);
    assertThat(pipeline.tolerance()).isEqualTo(0.25);
    assertThat(pipeline.attackAfter()).isEqualTo(0.25);
    assertThat(d.groups().local().jvmWarmup()).isZero();
    assertThat(d.steadyState().metrics())
        .extracting(ExperimentDefinition.MetricSpec::name)
        .containsExactly("spark.tasks.failed", "spark.executors.lost");
  }

  @Test
  void itPlansAnExecutorKillOfTheExperimentalWorkerOnly() {
    ExperimentDefinition d = ExperimentFileParser.read(FILE);
    var command = new ExperimentPlan(d, "exp-spark").start(0, false);
    assertThat(command.getFault()).isEqualTo("executor-kill");
    assertThat(command.getTarget().getKind()).isEqualTo("process");
    assertThat(command.getTarget().getNames()).containsExactly("spark-worker-1-experimental");
    assertThat(command.getTarget().getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(command.getTarget().getMode()).isEqualTo("one");
  }

  @Test
  void theDemoScenarioIsTheBundledFile() {
    assertThat(DemoExperiment.bundled("spark-executor-kill.yaml").metadata().name())
        .isEqualTo("spark-executor-kill");
  }

  @Test
  void aControlWorkerOrAnOutOfRangePipelineIsRejectedNamingTheKey() throws Exception {
    String text = Files.readString(FILE);
    assertThatThrownBy(
            () ->
                ExperimentFileParser.parse(
                    "x.yaml",
                    text.replace(
                        "names: [spark-worker-1-experimental]", "names: [spark-worker-1-control]")))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e -> assertThat(e.errors()).anyMatch(m -> m.contains("CONTROL group")));
    assertThatThrownBy(
            () -> ExperimentFileParser.parse("x.yaml", text.replace("runs: 1 ", "runs: 0 ")))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e -> assertThat(e.errors()).anyMatch(m -> m.contains("groups.local.pipeline.runs")));
  }
}
