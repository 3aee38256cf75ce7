package io.faultline.scale.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scale-spark image's entry point, in the place of Spark's {@code entrypoint.sh} (the image has
 * no shell and no Spark distribution, only its class path): {@code driver ...} is what the Spark
 * operator's driver pod runs (spark-submit in client mode inside the pod), {@code executor} what an
 * executor pod runs ({@code KubernetesExecutorBackend}, configured by the {@code SPARK_*}
 * environment the driver gives the pod), and {@code extract} (or nothing) is {@link
 * SparkExtractMain}, the chart's Job. Each runs in this JVM: the image's java already carries the
 * module options Spark needs ({@code JDK_JAVA_OPTIONS}), and its heap follows the pod's memory
 * limit ({@code -XX:MaxRAMPercentage}) rather than {@code SPARK_EXECUTOR_MEMORY}.
 */
public final class SparkPodMain {

  private SparkPodMain() {}

  public static void main(String[] args) throws Exception {
    String role = args.length == 0 ? "extract" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    Map<String, String> env = System.getenv();
    switch (role) {
      case "driver" -> org.apache.spark.deploy.SparkSubmit.main(driverArgs(env, rest));
      case "executor" -> {
        executorProperties(env).forEach(System::setProperty);
        org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend.main(executorArgs(env));
      }
      case "extract" -> SparkExtractMain.main(rest);
      default -> {
        System.err.println(
            "scale-spark: '" + role + "': the first argument is driver, executor or extract");
        System.exit(2);
      }
    }
  }

  /** spark-submit's arguments in a driver pod, as Spark's entrypoint.sh gives them. */
  static String[] driverArgs(Map<String, String> env, String[] operatorArgs) {
    String bind = env.getOrDefault("SPARK_DRIVER_BIND_ADDRESS", "0.0.0.0");
    List<String> out = new ArrayList<>();
    out.addAll(List.of("--conf", "spark.driver.bindAddress=" + bind));
    out.addAll(List.of("--conf", "spark.executorEnv.SPARK_DRIVER_POD_IP=" + bind));
    out.addAll(List.of("--deploy-mode", "client"));
    out.addAll(Arrays.asList(operatorArgs));
    return out.toArray(String[]::new);
  }

  /** KubernetesExecutorBackend's arguments from the environment Spark gives an executor pod. */
  static String[] executorArgs(Map<String, String> env) {
    List<String> out =
        new ArrayList<>(
            List.of(
                "--driver-url", required(env, "SPARK_DRIVER_URL"),
                "--executor-id", required(env, "SPARK_EXECUTOR_ID"),
                "--cores", required(env, "SPARK_EXECUTOR_CORES"),
                "--app-id", required(env, "SPARK_APPLICATION_ID"),
                "--hostname", required(env, "SPARK_EXECUTOR_POD_IP"),
                "--resourceProfileId", env.getOrDefault("SPARK_RESOURCE_PROFILE_ID", "0")));
    String pod = env.get("SPARK_EXECUTOR_POD_NAME");
    if (pod != null && !pod.isBlank()) {
      out.addAll(List.of("--podName", pod));
    }
    return out.toArray(String[]::new);
  }

  /**
   * The {@code -Dkey=value} options among {@code SPARK_JAVA_OPT_<n>} (the driver's ports and
   * settings an executor needs before it registers), as system properties; other JVM options cannot
   * apply to a running JVM and are left out.
   */
  static Map<String, String> executorProperties(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("SPARK_JAVA_OPT_") && v.startsWith("-D") && v.indexOf('=') > 2) {
            out.put(v.substring(2, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
          }
        });
    return out;
  }

  private static String required(Map<String, String> env, String key) {
    String value = env.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          key + ": not set; an executor pod gets it from its Spark driver");
    }
    return value;
  }
}
