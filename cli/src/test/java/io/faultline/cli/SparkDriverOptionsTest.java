package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's driver JVMs get Spark's module options from a copy in the CLI (which carries no
 * Spark jar, docs/adr/0025); scale-spark's pom gives its test JVMs the same list, from Spark's
 * launcher. One list: this test fails when either changes alone.
 */
class SparkDriverOptionsTest {

  @Test
  void driverOptionsAreScaleSparksTestJvmOptionsWithoutTheHeap() throws Exception {
    String pom = Files.readString(Path.of("..", "scale-spark", "pom.xml"));
    Matcher argLine = Pattern.compile("<argLine>([^<]*)</argLine>").matcher(pom);
    assertThat(argLine.find()).as("argLine in scale-spark/pom.xml").isTrue();
    List<String> options =
        Arrays.stream(argLine.group(1).strip().split("\\s+"))
            .filter(o -> !o.startsWith("-Xmx"))
            .toList();
    assertThat(LocalPipeline.SPARK_DRIVER_OPTIONS).isEqualTo(options);
  }
}
