package io.faultline.scale.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.PipelineGroupFiles;
import io.faultline.scale.fleet.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.h2.tools.Server;

/**
 * One group of a pipeline experiment, as a process of its own (the CLI carries no Spark jar,
 * docs/adr/0025): an H2 server, a {@link LocalSparkCluster} whose master and worker are the attack
 * agent's targets, and a driver with its monitoring API at {@code pipeline.ui.port}. Once {@code
 * <work>/ready} is written it waits for {@code <work>/go}, then extracts the corpus {@code
 * pipeline.runs} times, each run into an empty database, and appends one JSON line per run to
 * {@code <work>/runs.jsonl}: duration, the report, the store's {@link StoreChecksum}, tasks failed
 * and executors lost, and where in the run each executor was lost. While a run goes, {@code
 * <work>/progress} says its tasks done of its tasks ({@link RunProgress}): the CLI times the
 * attacks from it (docs/adr/0040). Then {@code <work>/done}; it serves the API until stopped
 * (SIGTERM).
 *
 * <p>Arguments {@code key=value}; exit codes: 0 stopped, 1 failed, 2 bad configuration.
 */
public final class PipelineGroupMain {

  /** The group's configuration; {@code fromMap} names the bad key. */
  public record Settings(
      String group,
      Path corpus,
      Path workDir,
      Path targetsDir,
      int uiPort,
      int runs,
      int filesPerTask) {

    public static Settings fromMap(Map<String, String> m) {
      String group = m.get("pipeline.group");
      if (group == null || !group.matches("control|experimental")) {
        throw new IllegalArgumentException(
            "pipeline.group '" + group + "': must be control or experimental");
      }
      return new Settings(
          group,
          path(m, "pipeline.corpus"),
          path(m, "pipeline.work.dir"),
          path(m, "pipeline.targets.dir"),
          number(m, "pipeline.ui.port", null, 1024, 65535),
          number(m, "pipeline.runs", "1", 1, 50),
          number(m, "pipeline.files.per.task", "100", 1, 100_000));
    }

    private static Path path(Map<String, String> m, String key) {
      String v = m.get(key);
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(key + ": required, a directory");
      }
      return Path.of(v);
    }

    private static int number(Map<String, String> m, String key, String def, int min, int max) {
      String v = m.getOrDefault(key, def);
      try {
        int n = Integer.parseInt(v);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw new IllegalArgumentException(
          key + " '" + v + "': must be a whole number from " + min + " to " + max);
    }
  }

  private PipelineGroupMain() {}

  public static void main(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) {
        m.put(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    Settings s;
    try {
      s = Settings.fromMap(m);
    } catch (IllegalArgumentException e) {
      System.err.println("pipeline group: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      run(s);
      System.exit(0);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * The current run's {@link RunProgress} as {@code <work>/progress}, replaced whole (the CLI times
   * the attacks from it, docs/adr/0040); a failed write costs a progress report, never the run.
   */
  static void writeProgress(ObjectMapper json, RunProgress progress, Path file) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, json.writeValueAsString(progress.figures()) + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      System.err.println("pipeline group: progress not written: " + e);
    }
  }

  static void run(Settings s) throws Exception {
    Files.createDirectories(s.workDir());
    Server h2 =
        Server.createTcpServer(
                "-tcpPort",
                String.valueOf(LoopbackPorts.next()),
                "-ifNotExists",
                "-baseDir",
                s.workDir().resolve("h2").toString())
            .start();
    LocalSparkCluster cluster = null;
    SparkSession spark = null;
    try {
      // one worker of one core: an executor killed is replaced on it, its tasks retried; the
      // driver starts while the worker registers
      cluster =
          LocalSparkCluster.launch(
              new LocalSparkCluster.Spec(s.group(), 1, 1, "1g", "512m"),
              s.workDir().resolve("cluster"),
              s.targetsDir(),
              Duration.ofMinutes(10));
      spark = cluster.session("scale-extraction-" + s.group(), s.uiPort()).getOrCreate();
      cluster.awaitExecutors(1, Duration.ofMinutes(8));
      LocalSparkCluster c = cluster;
      SparkSession sp = spark;
      Thread stop =
          new Thread(
              () -> {
                sp.stop();
                c.close();
                h2.stop();
              },
              "pipeline-group-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      AtomicLong tasksFailed = new AtomicLong();
      AtomicLong executorsLost = new AtomicLong();
      ObjectMapper json = new ObjectMapper();
      RunProgress progress = new RunProgress();
      Path progressFile = s.workDir().resolve(PipelineGroupFiles.PROGRESS);
      spark
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                  progress.stageSubmitted(submitted.stageInfo().numTasks());
                  writeProgress(json, progress, progressFile);
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                  if (end.taskInfo().failed() || end.taskInfo().killed()) {
                    tasksFailed.incrementAndGet();
                  } else if (end.taskInfo().successful()) {
                    progress.taskSucceeded(end.taskInfo().index());
                    writeProgress(json, progress, progressFile);
                  }
                }

                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                  executorsLost.incrementAndGet();
                  progress.executorLost(removed.time());
                  writeProgress(json, progress, progressFile);
                }
              });
      // a first job, so the executor is connected and warm when the runs start
      spark.range(0, 100, 1, 2).count();
      Files.writeString(s.workDir().resolve(PipelineGroupFiles.READY), "ready\n");
      while (!Files.exists(s.workDir().resolve(PipelineGroupFiles.GO))) {
        Thread.sleep(100);
      }
      for (int run = 1; run <= s.runs(); run++) {
        StoreLocation store =
            new StoreLocation("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/run-" + run, "sa", "");
        long failedBefore = tasksFailed.get();
        long lostBefore = executorsLost.get();
        long started = System.currentTimeMillis();
        progress.begin(run, started);
        writeProgress(json, progress, progressFile);
        ExtractionJob.Report report =
            new SparkExtractionJob(spark, store, s.filesPerTask())
                .run(CorpusLocation.directory(s.corpus()));
        long ended = System.currentTimeMillis();
        StoreChecksum sum = StoreChecksum.of(store.url(), store.user(), store.password());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("group", s.group());
        line.put(PipelineGroupFiles.RUN, run);
        line.put(PipelineGroupFiles.STARTED_AT, started);
        line.put(PipelineGroupFiles.ENDED_AT, ended);
        line.put(PipelineGroupFiles.DURATION_MS, ended - started);
        line.put("files", report.files());
        line.put("inserted", report.inserted());
        line.put("unchanged", report.unchanged());
        line.put("corrupt", report.corrupt());
        line.put(PipelineGroupFiles.SONGS, sum.songs());
        line.put(PipelineGroupFiles.INSTRUMENT_ROWS, sum.instrumentRows());
        line.put(PipelineGroupFiles.SHA256, sum.sha256());
        line.put(PipelineGroupFiles.TASKS_FAILED, tasksFailed.get() - failedBefore);
        line.put(PipelineGroupFiles.EXECUTORS_LOST, executorsLost.get() - lostBefore);
        // where in the run each executor was lost (the report says where the kill landed)
        Map<String, Object> figures = progress.figures();
        line.put(PipelineGroupFiles.TASKS, figures.get(PipelineGroupFiles.TASKS));
        line.put(PipelineGroupFiles.LOSSES, figures.get(PipelineGroupFiles.LOSSES));
        Files.writeString(
            s.workDir().resolve(PipelineGroupFiles.RUNS),
            json.writeValueAsString(line) + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
      Files.writeString(s.workDir().resolve(PipelineGroupFiles.DONE), "done\n");
      Thread.currentThread().join(); // serve the monitoring API until SIGTERM
    } catch (Exception e) {
      if (spark != null) {
        spark.stop();
      }
      if (cluster != null) {
        cluster.close();
      }
      h2.stop();
      throw e;
    }
  }
}
