package io.faultline.scale.spark;

import io.faultline.scale.ExtractionJob;
import io.faultline.scale.ScaleConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code extract} on Spark: the same SCALE_* keys as {@code ScaleMain extract} (corpus, store, S3),
 * plus where the job runs. Prints the report, every corrupt file and the store's checksum. Exit
 * codes: 0 done, 1 fatal error, 2 bad configuration (the message names the key).
 */
public final class SparkExtractMain {

  /** Keys of this command beside ScaleConfig's, with their defaults. */
  static final Map<String, String> KEYS =
      Map.of(
          "SCALE_SPARK_MASTER",
          "local[*]",
          "SCALE_SPARK_FILES_PER_TASK",
          String.valueOf(SparkExtractionJob.BATCH));

  private SparkExtractMain() {}

  public static void main(String[] args) {
    System.exit(run(System.getenv(), System.getProperty("spark.master"), System.out, System.err));
  }

  static int run(Map<String, String> env, PrintStream out, PrintStream err) {
    return run(env, null, out, err);
  }

  /**
   * {@code submitted}: the master spark-submit set (a SparkApplication's driver, {@code
   * k8s://...}), or null. It is used as given when {@code SCALE_SPARK_MASTER} is not set.
   */
  static int run(Map<String, String> env, String submitted, PrintStream out, PrintStream err) {
    Map<String, String> scale = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("SCALE_") && !KEYS.containsKey(k)) {
            scale.put(k, v);
          }
        });
    ScaleConfig config;
    boolean fromSubmit = !env.containsKey("SCALE_SPARK_MASTER") && submitted != null;
    String master =
        fromSubmit
            ? submitted
            : env.getOrDefault("SCALE_SPARK_MASTER", KEYS.get("SCALE_SPARK_MASTER"));
    int filesPerTask;
    try {
      config = ScaleConfig.fromMap(scale);
      if (config.corpus() == null) {
        throw new IllegalArgumentException(
            "SCALE_CORPUS: required, a directory or s3://bucket/prefix");
      }
      if (!fromSubmit
          && !master.startsWith("local")
          && !master.startsWith("spark://")
          && !master.equals("local-cluster")) {
        throw new IllegalArgumentException(
            "SCALE_SPARK_MASTER '"
                + master
                + "': use local[N], local[*], spark://host:port or local-cluster");
      }
      String perTask =
          env.getOrDefault("SCALE_SPARK_FILES_PER_TASK", KEYS.get("SCALE_SPARK_FILES_PER_TASK"));
      try {
        filesPerTask = Integer.parseInt(perTask);
      } catch (NumberFormatException e) {
        filesPerTask = 0;
      }
      if (filesPerTask < 1 || filesPerTask > 100_000) {
        throw new IllegalArgumentException(
            "SCALE_SPARK_FILES_PER_TASK '"
                + perTask
                + "': must be a whole number from 1 to 100000");
      }
    } catch (IllegalArgumentException e) {
      err.println("scale-spark extract: " + e.getMessage());
      return 2;
    }
    StoreLocation store = new StoreLocation(config.dbUrl(), config.dbUser(), config.dbPassword());
    CorpusLocation corpus =
        config.corpus().startsWith("s3://")
            ? new CorpusLocation(config.corpus(), config.s3Region(), config.s3Endpoint())
            : CorpusLocation.directory(Path.of(config.corpus()));
    LocalSparkCluster cluster = null;
    try {
      SparkSession.Builder session;
      if (master.equals("local-cluster")) {
        // a throwaway standalone cluster on loopback, for trying the job as the tests run it
        cluster =
            LocalSparkCluster.start(
                LocalSparkCluster.Spec.of(config.group() == null ? "control" : config.group()),
                Files.createTempDirectory("scale-spark-cluster"),
                null,
                Duration.ofMinutes(3));
        session = cluster.session("scale-extraction", 0);
      } else {
        session =
            SparkSession.builder().appName("scale-extraction").config("spark.speculation", "false");
        if (!fromSubmit) {
          session = session.master(master);
        }
      }
      SparkSession spark = session.getOrCreate();
      try {
        ExtractionJob.Report report =
            new SparkExtractionJob(spark, store, filesPerTask).run(corpus);
        out.println("extract on Spark " + master + ": " + report);
        for (String name : report.corruptFiles()) {
          out.println("  corrupt: " + name);
        }
        StoreChecksum sum = StoreChecksum.of(store.url(), store.user(), store.password());
        out.println(
            "store: "
                + sum.songs()
                + " songs, "
                + sum.instrumentRows()
                + " instrument rows, sha256 "
                + sum.sha256());
      } finally {
        spark.stop();
      }
      return 0;
    } catch (Exception e) {
      err.println("scale-spark extract: " + e.getMessage());
      return 1;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
