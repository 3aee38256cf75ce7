package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.MetricHypothesis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo runs examples/local-demo.yaml itself, so the two cannot disagree again. */
class DemoExperimentTest {

  @Test
  void theBundledDemoIsTheExampleFile() throws Exception {
    assertThat(DemoExperiment.text())
        .isEqualTo(Files.readString(Path.of("..", "examples", "local-demo.yaml")));
  }

  @Test
  void itDeclaresTheHypothesesTheDemoIsKnownFor() {
    Experiment e =
        new ExperimentPlan(DemoExperiment.definition(), "demo-1")
            .experiment(ExperimentState.RUNNING, 1L, 1L, null);
    MetricHypothesis latency = e.getHypotheses().get(0);
    MetricHypothesis errors = e.getHypotheses().get(1);
    assertThat(latency.getMetric()).isEqualTo("http.latency.ms");
    assertThat(latency.getTolerance()).isEqualTo(0.25);
    assertThat(latency.getAlpha()).isEqualTo(0.01);
    assertThat(errors.getMetric()).isEqualTo("http.error");
    assertThat(errors.getTolerance()).isEqualTo(0.02);
    assertThat(errors.getAlpha()).isEqualTo(0.01);
    var attacks = DemoExperiment.definition().method().attacks();
    assertThat(attacks.get(0).fault()).isEqualTo("cpu-burn");
    assertThat(attacks.get(0).parameters()).containsEntry("cores", "8");
    assertThat(attacks.get(1).fault()).isEqualTo("kill-process");
    assertThat(attacks.get(1).start().minus(attacks.get(0).end()))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theDemosOptionsDefaultToTheFile() {
    io.faultline.cli.DemoCommandDefaults d = new io.faultline.cli.DemoCommandDefaults();
    assertThat(d.values())
        .containsExactly("1m40s", "30s", "30s", "15s", "1m", "20", "5s", "0", "1");
  }
}
