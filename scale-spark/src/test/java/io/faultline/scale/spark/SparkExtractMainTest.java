package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command's configuration errors: exit 2 and the key named, before any Spark starts. */
class SparkExtractMainTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env) {
    return SparkExtractMain.run(
        env,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void namesTheMissingCorpus() {
    assertThat(run(Map.of())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("SCALE_CORPUS: required");
  }

  @Test
  void namesAnUnknownMasterAndABadTaskSize() {
    assertThat(run(Map.of("SCALE_CORPUS", "/tmp/x", "SCALE_SPARK_MASTER", "yarn"))).isEqualTo(2);
    assertThat(run(Map.of("SCALE_CORPUS", "/tmp/x", "SCALE_SPARK_FILES_PER_TASK", "0")))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("SCALE_SPARK_MASTER 'yarn': use local[N]")
        .contains("SCALE_SPARK_FILES_PER_TASK '0': must be a whole number from 1 to 100000");
  }

  @Test
  void leavesScaleKeysToScaleConfig() {
    assertThat(run(Map.of("SCALE_CORPUS", "/tmp/x", "SCALE_GROUP", "purple"))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("SCALE_GROUP 'purple'");
  }
}
