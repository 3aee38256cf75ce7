package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image's entry point turns a Spark pod's arguments and environment into Spark's own. */
class SparkPodMainTest {

  @Test
  void aDriverPodRunsSparkSubmitInClientModeBoundToItsPodAddress() {
    String[] args =
        SparkPodMain.driverArgs(
            Map.of("SPARK_DRIVER_BIND_ADDRESS", "10.1.2.3"),
            new String[] {
              "--properties-file", "/opt/spark/conf/spark.properties",
              "--class", "io.faultline.scale.spark.SparkExtractMain",
              "local:///app/libs/spark-kubernetes_2.13-4.2.0.jar"
            });
    assertThat(args)
        .containsExactly(
            "--conf",
            "spark.driver.bindAddress=10.1.2.3",
            "--conf",
            "spark.executorEnv.SPARK_DRIVER_POD_IP=10.1.2.3",
            "--deploy-mode",
            "client",
            "--properties-file",
            "/opt/spark/conf/spark.properties",
            "--class",
            "io.faultline.scale.spark.SparkExtractMain",
            "local:///app/libs/spark-kubernetes_2.13-4.2.0.jar");
  }

  @Test
  void anExecutorPodRegistersWithTheDriverItsEnvironmentNames() {
    Map<String, String> env =
        Map.of(
            "SPARK_DRIVER_URL", "spark://CoarseGrainedScheduler@driver-svc:7078",
            "SPARK_EXECUTOR_ID", "2",
            "SPARK_EXECUTOR_CORES", "1",
            "SPARK_APPLICATION_ID", "spark-abc",
            "SPARK_EXECUTOR_POD_IP", "10.1.2.4",
            "SPARK_EXECUTOR_POD_NAME", "scale-extract-exec-2",
            "SPARK_JAVA_OPT_0", "-Dspark.driver.port=7078",
            "SPARK_JAVA_OPT_1", "-Xss4m");
    assertThat(SparkPodMain.executorArgs(env))
        .containsExactly(
            "--driver-url", "spark://CoarseGrainedScheduler@driver-svc:7078",
            "--executor-id", "2",
            "--cores", "1",
            "--app-id", "spark-abc",
            "--hostname", "10.1.2.4",
            "--resourceProfileId", "0",
            "--podName", "scale-extract-exec-2");
    // a -D option becomes a system property; a JVM flag cannot apply to a running JVM
    assertThat(SparkPodMain.executorProperties(env))
        .containsExactly(Map.entry("spark.driver.port", "7078"));
  }

  @Test
  void anExecutorWithoutItsDriverUrlNamesTheVariable() {
    assertThatThrownBy(() -> SparkPodMain.executorArgs(Map.of("SPARK_EXECUTOR_ID", "1")))
        .hasMessageContaining("SPARK_DRIVER_URL: not set");
  }

  @Test
  void theMasterSparkSubmitSetIsTakenWhenScaleSparkMasterIsNot() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Map<String, String> env = Map.of("SCALE_CORPUS", "/tmp/x", "SCALE_SPARK_FILES_PER_TASK", "0");
    // only the task size is wrong: k8s:// from spark-submit is not a bad SCALE_SPARK_MASTER
    assertThat(SparkExtractMain.run(env, "k8s://https://kubernetes.default.svc", out, errStream))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("SCALE_SPARK_FILES_PER_TASK '0'")
        .doesNotContain("SCALE_SPARK_MASTER");
    // given in SCALE_SPARK_MASTER, k8s:// is still refused: only spark-submit sets it up
    err.reset();
    assertThat(
            SparkExtractMain.run(
                Map.of("SCALE_CORPUS", "/tmp/x", "SCALE_SPARK_MASTER", "k8s://https://x"),
                "k8s://https://kubernetes.default.svc",
                out,
                errStream))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("SCALE_SPARK_MASTER 'k8s://https://x': use local[N]");
  }
}
