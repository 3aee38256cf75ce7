package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleSummariesTest {

  @Test
  void theExperimentRecordsDefaultWindowIsTheOneDefault() {
    // the Avro schema cannot name the constant: checked here instead
    Object avroDefault = Experiment.getClassSchema().getField("windowMs").defaultVal();
    assertThat(((Number) avroDefault).longValue())
        .isEqualTo(SampleSummaries.DEFAULT_WINDOW.toMillis());
  }

  @Test
  void theDefaultWindowReadsBackAsItselfWithinTheBounds() {
    String text = Durations.format(SampleSummaries.DEFAULT_WINDOW);
    assertThat(Durations.parse("analyzer.window", text)).isEqualTo(SampleSummaries.DEFAULT_WINDOW);
    assertThat(SampleSummaries.DEFAULT_WINDOW)
        .isBetween(SampleSummaries.MIN_WINDOW, SampleSummaries.MAX_WINDOW);
  }
}
