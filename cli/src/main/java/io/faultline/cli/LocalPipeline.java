package io.faultline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.collector.CollectorConfig;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.collector.SourceRunner;
import io.faultline.common.DaemonThreads;
import io.faultline.scale.MidiCorpusGenerator;
import io.faultline.scale.PipelineGroupFiles;
import io.faultline.scale.fleet.LoopbackPorts;
import io.faultline.schema.Durations;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code groups.local.pipeline} starts: per group a child JVM on scale-spark's class path
 * ({@code io.faultline.scale.spark.PipelineGroupMain}: an H2 server, a Spark standalone cluster
 * whose master and worker are the agent's targets, a driver), the same corpus for both. Both groups
 * extract it {@code runs} times; from the experiment's start the collector's {@code spark} source
 * reads both drivers' monitoring API, and after each run its figures go to the metrics topic
 * ({@code pipeline.*}, the store's checksum as a label), which the analyzer judges over runs into
 * the experiment's result (docs/adr/0035). The runs start when the steady-state warm-up ends
 * ({@link #begin}) and the attacks wait until the experimental run has finished {@code attackAfter}
 * of its tasks ({@link #progressReached}): timed from the run, not the clock, a kill cannot come
 * after a run a fast machine finished early (docs/adr/0040). Stopping the collection waits for the
 * runs and says the closing figures, where in the run the executor was lost among them; closing
 * stops both groups.
 */
final class LocalPipeline implements AutoCloseable, ExperimentRunner.BatchRuns {

  private static final Logger log = LoggerFactory.getLogger(LocalPipeline.class);

  /** Where a child's class path comes from when the environment does not say. */
  static final String CLASSPATH_ENV = "FAULTLINE_SPARK_CLASSPATH";

  private static final List<String> GROUPS = List.of("control", "experimental");

  /** How long both groups may take to start their cluster, driver and first executor. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(12);

  private final ExperimentDefinition.Pipeline spec;
  private final Path dir;
  private final Consumer<String> say;
  private final Map<String, Process> children = new LinkedHashMap<>();
  private final Map<String, Integer> uiPorts = new LinkedHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ObjectMapper json = new ObjectMapper();
  private volatile String experimentId; // of the runs to start, from start(...)
  private volatile boolean begun;

  private LocalPipeline(ExperimentDefinition.Pipeline spec, Path dir, Consumer<String> say) {
    this.spec = spec;
    this.dir = dir;
    this.say = say;
  }

  /** Generates the corpus once, starts both groups and returns when both drivers are ready. */
  static LocalPipeline start(
      ExperimentDefinition.Pipeline spec, Path dataDir, Path targetsDir, Consumer<String> say)
      throws IOException {
    LocalPipeline p = new LocalPipeline(spec, dataDir.resolve("pipeline"), say);
    try {
      p.startGroups(targetsDir);
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private void startGroups(Path targetsDir) throws IOException {
    String classPath = sparkClassPath();
    Path corpus = corpus();
    for (String group : GROUPS) {
      Path work = dir.resolve(group);
      deleteRecursively(work);
      Files.createDirectories(work);
      int uiPort = LoopbackPorts.next();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(SPARK_DRIVER_OPTIONS);
      cmd.addAll(List.of("-Xmx640m", "-XX:+UseSerialGC", "-cp", classPath));
      cmd.add("io.faultline.scale.spark.PipelineGroupMain");
      cmd.add("pipeline.group=" + group);
      cmd.add("pipeline.corpus=" + corpus);
      cmd.add("pipeline.work.dir=" + work);
      cmd.add("pipeline.targets.dir=" + targetsDir.toAbsolutePath());
      cmd.add("pipeline.ui.port=" + uiPort);
      cmd.add("pipeline.runs=" + spec.runs());
      cmd.add("pipeline.files.per.task=" + spec.filesPerTask());
      Process child =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve(group + ".log").toFile())
              .start();
      children.put(group, child);
      uiPorts.put(group, uiPort);
      say.accept(
          "pipeline "
              + group
              + ": Spark master, worker and driver starting (pid "
              + child.pid()
              + ", log "
              + dir.resolve(group + ".log")
              + ")");
    }
    // under a load average of 36 on 2 cores a group took more than 6 min to be ready
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    for (String group : GROUPS) {
      while (!Files.exists(dir.resolve(group).resolve(PipelineGroupFiles.READY))) {
        Process child = children.get(group);
        if (!child.isAlive()) {
          throw new IOException(
              "pipeline " + group + " exited " + child.exitValue() + "; see " + log(group));
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "pipeline "
                  + group
                  + " not ready in "
                  + READY_TIMEOUT.toMinutes()
                  + " min; see "
                  + log(group));
        }
        sleep(250);
      }
      say.accept(
          "pipeline " + group + ": cluster up, executor running, driver API on " + api(group));
    }
  }

  /**
   * Spark's launcher options for a driver on this Java; scale-spark's pom gives its tests the same
   * (SparkDriverOptionsTest holds the two together).
   */
  static final List<String> SPARK_DRIVER_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-modules=jdk.incubator.vector",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  private Path log(String group) {
    return dir.resolve(group + ".log");
  }

  private String api(String group) {
    return "http://127.0.0.1:" + uiPorts.get(group);
  }

  private Path corpus() throws IOException {
    Path corpus = dir.resolve("corpus-" + spec.songs());
    Path complete = corpus.resolve(".complete");
    if (!Files.exists(complete)) {
      deleteRecursively(corpus);
      say.accept("pipeline: generating a corpus of " + spec.songs() + " songs (once)");
      MidiCorpusGenerator.generate(corpus, spec.songs(), 21);
      // one file that is not MIDI: counted and named, never fatal
      Files.writeString(corpus.resolve("garbage.mid"), "not MIDI");
      Files.writeString(complete, "");
    }
    return corpus;
  }

  /**
   * scale-spark's class path: {@value #CLASSPATH_ENV}, else its {@code target/classes} and {@code
   * target/classpath.txt} beside this CLI's build ({@code ./faultline} builds them for the
   * pipeline).
   */
  static String sparkClassPath() throws IOException {
    String env = System.getenv(CLASSPATH_ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    Path root;
    try {
      // cli/target/faultline-cli.jar or cli/target/classes
      root =
          Path.of(LocalPipeline.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .getParent()
              .getParent()
              .getParent();
    } catch (URISyntaxException | RuntimeException e) {
      root = Path.of(".");
    }
    Path module = root.resolve("scale-spark");
    Path deps = module.resolve("target/classpath.txt");
    Path classes = module.resolve("target/classes");
    if (!Files.exists(deps) || !Files.isDirectory(classes)) {
      throw new IOException(
          "the pipeline needs scale-spark built: ./mvnw -q -pl scale-spark -am package -DskipTests"
              + " (./faultline does it for --scenario pipeline), or "
              + CLASSPATH_ENV
              + " set; "
              + deps
              + " is missing");
    }
    return classes + java.io.File.pathSeparator + Files.readString(deps).strip();
  }

  /**
   * Starts the collection for {@code experimentId} (the runs start with {@link #begin}); a JVM
   * warm-up (ids ending {@code -jvm-warmup}) is not a run. Closing what it returns waits for the
   * runs when they began (up to 5 min), publishes the last ones, says the closing lines and stops
   * the collection.
   */
  AutoCloseable start(String experimentId, String bootstrap, KafkaSampleSink sink) {
    if (experimentId.endsWith("-jvm-warmup")) {
      return () -> {};
    }
    this.experimentId = experimentId;
    // A runner per driver: a round asks four resources of each, 1-2 s apiece from a driver busy
    // with its job on a loaded machine, and a round may take no longer than its interval.
    List<SourceRunner> runners = new ArrayList<>();
    for (String group : GROUPS) {
      Map<String, String> c = new LinkedHashMap<>();
      c.put("bootstrap.servers", bootstrap);
      c.put("experiment.id", experimentId);
      c.put("sources", "spark");
      c.put(
          "spark.targets", group.toUpperCase(Locale.ROOT) + "=extract-" + group + "@" + api(group));
      c.put("spark.interval", "10s");
      c.put("spark.timeout", "8s");
      SourceRunner runner =
          new SourceRunner(experimentId, CollectorConfig.fromMap(c).build(sink), sink);
      runner.start();
      runners.add(runner);
    }
    RunTail tail = new RunTail(experimentId, sink);
    Thread t = DaemonThreads.named("faultline-pipeline-runs").newThread(tail);
    t.start();
    return () -> {
      try {
        if (begun) {
          awaitRuns(Duration.ofMinutes(5));
        }
        tail.stop = true;
        t.join(5_000);
        tail.publishNew(); // the last runs, before the sink closes
        for (String line : closingLines(runs("control"), runs("experimental"), spec)) {
          say.accept(line);
        }
      } finally {
        for (SourceRunner r : runners) {
          r.close();
        }
      }
    };
  }

  /** Both groups start their runs on the same corpus ({@code go}), when the warm-up ends. */
  @Override
  public void begin() {
    if (experimentId == null) {
      throw new IllegalStateException("pipeline: begin before start(experimentId)");
    }
    try {
      for (String group : GROUPS) {
        Files.writeString(dir.resolve(group).resolve(PipelineGroupFiles.GO), experimentId + "\n");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    begun = true;
    say.accept("pipeline: both groups extracting (" + spec.runs() + " run(s) each)");
  }

  /**
   * Once the experimental group's first run has finished {@code attackAfter} of its tasks (at least
   * one), where it stands, e.g. "the experimental run at 11 of 41 tasks (27%), 2.4s in".
   */
  @Override
  public Optional<String> progressReached() {
    Process child = children.get("experimental");
    if (child != null && !child.isAlive()) {
      throw new IllegalStateException(
          "pipeline experimental exited "
              + child.exitValue()
              + " before its run got under way; see "
              + log("experimental"));
    }
    JsonNode p = progress("experimental");
    return p == null
        ? Optional.empty()
        : progressLine(p, spec.attackAfter(), System.currentTimeMillis());
  }

  /**
   * Where a run stands, once it has finished {@code share} of its tasks (at least one); empty
   * before, or while its task count is not known. A plain function of the progress record.
   */
  static Optional<String> progressLine(JsonNode p, double share, long now) {
    int tasks = p.path(PipelineGroupFiles.TASKS).asInt();
    int done = p.path(PipelineGroupFiles.TASKS_DONE).asInt();
    if (p.path(PipelineGroupFiles.RUN).asInt() < 1 || tasks < 1) {
      return Optional.empty();
    }
    int needed = Math.max(1, (int) Math.ceil(share * tasks));
    if (done < needed) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "the experimental run at %d of %d tasks (%.0f%%), %s in",
            done,
            tasks,
            100.0 * done / tasks,
            Durations.format(Math.max(0, now - p.path(PipelineGroupFiles.STARTED_AT).asLong()))));
  }

  private JsonNode progress(String group) {
    Path file = dir.resolve(group).resolve(PipelineGroupFiles.PROGRESS);
    try {
      return Files.exists(file) ? json.readTree(file.toFile()) : null;
    } catch (IOException e) {
      return null; // replaced whole by its writer; the next look reads the new one
    }
  }

  /** Publishes each finished run's figures as samples, the checksum as a label. */
  private final class RunTail implements Runnable {
    private final String experimentId;
    private final KafkaSampleSink sink;
    private final Map<String, Integer> published = new LinkedHashMap<>();
    volatile boolean stop;

    RunTail(String experimentId, KafkaSampleSink sink) {
      this.experimentId = experimentId;
      this.sink = sink;
    }

    @Override
    public void run() {
      while (!stop) {
        publishNew();
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    synchronized void publishNew() {
      for (String group : GROUPS) {
        List<JsonNode> runs = runs(group);
        for (int i = published.getOrDefault(group, 0); i < runs.size(); i++) {
          publish(group, runs.get(i));
        }
        published.put(group, runs.size());
      }
    }

    private void publish(String group, JsonNode r) {
      runSamples(experimentId, group, r).forEach(sink::publish);
    }
  }

  /**
   * A finished run's figures as samples of its group, timed at the run's end; the store's checksum
   * travels as the label {@code sha256}, the run's number as {@code run}.
   */
  static List<MetricSample> runSamples(String experimentId, String group, JsonNode r) {
    Map<String, String> labels =
        Map.of(
            "run",
            r.path(PipelineGroupFiles.RUN).asText(),
            "sha256",
            r.path(PipelineGroupFiles.SHA256).asText());
    List<MetricSample> out = new ArrayList<>();
    for (var figure :
        List.of(
            List.of("pipeline.job.duration.ms", PipelineGroupFiles.DURATION_MS, "ms"),
            List.of("pipeline.store.songs", PipelineGroupFiles.SONGS, "songs"),
            List.of("pipeline.store.instrument.rows", PipelineGroupFiles.INSTRUMENT_ROWS, "rows"),
            List.of("pipeline.tasks.failed", PipelineGroupFiles.TASKS_FAILED, "tasks"),
            List.of("pipeline.executors.lost", PipelineGroupFiles.EXECUTORS_LOST, "executors"))) {
      out.add(
          MetricSample.newBuilder()
              .setExperimentId(experimentId)
              .setMetric(figure.get(0))
              .setGroup(Group.valueOf(group.toUpperCase(Locale.ROOT)))
              .setTarget("extract-" + group)
              .setTimestamp(r.path(PipelineGroupFiles.ENDED_AT).asLong())
              .setValue(r.path(figure.get(1)).asDouble())
              .setUnit(figure.get(2))
              .setLabels(labels)
              .build());
    }
    return out;
  }

  List<JsonNode> runs(String group) {
    Path file = dir.resolve(group).resolve(PipelineGroupFiles.RUNS);
    List<JsonNode> out = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank()) {
            out.add(json.readTree(line));
          }
        }
      }
    } catch (IOException e) {
      log.debug("runs of {} not readable yet: {}", group, e.toString());
    }
    return out;
  }

  /** Stops both groups (SIGTERM: each stops its driver, cluster and H2 server). */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    for (Process p : children.values()) {
      p.destroy();
    }
    for (Process p : children.values()) {
      try {
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void awaitRuns(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean said = false;
    for (String group : GROUPS) {
      while (!Files.exists(dir.resolve(group).resolve(PipelineGroupFiles.DONE))
          && children.get(group).isAlive()
          && System.nanoTime() < deadline) {
        if (!said) {
          say.accept("pipeline: waiting for the runs to finish");
          said = true;
        }
        sleep(500);
      }
    }
  }

  /**
   * The closing lines: per run both groups' duration, songs and checksum, tasks retried. The
   * verdict over the runs is the analyzer's, on the results topic (docs/adr/0035), printed with the
   * experiment's verdict. A plain function of the runs' records, so it is tested without Spark.
   */
  static List<String> closingLines(
      List<JsonNode> control, List<JsonNode> experimental, ExperimentDefinition.Pipeline spec) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "pipeline, control vs experimental ("
            + spec.songs()
            + " songs + 1 corrupt file, "
            + spec.runs()
            + " run(s) planned per group):");
    int runs = Math.max(control.size(), experimental.size());
    for (int i = 0; i < runs; i++) {
      JsonNode c = i < control.size() ? control.get(i) : null;
      JsonNode e = i < experimental.size() ? experimental.get(i) : null;
      lines.add(
          String.format(
              Locale.ROOT,
              "  run %d: job %s vs %s%s; songs %s vs %s; checksum %s; tasks failed %s vs %s,"
                  + " executors lost %s vs %s",
              i + 1,
              seconds(c),
              seconds(e),
              c != null && e != null
                  ? String.format(
                      Locale.ROOT,
                      " (%+.0f%%)",
                      100.0
                          * (e.path(PipelineGroupFiles.DURATION_MS).asDouble()
                              - c.path(PipelineGroupFiles.DURATION_MS).asDouble())
                          / Math.max(1, c.path(PipelineGroupFiles.DURATION_MS).asDouble()))
                  : "",
              c == null ? "n/a" : c.path(PipelineGroupFiles.SONGS).asText(),
              e == null ? "n/a" : e.path(PipelineGroupFiles.SONGS).asText(),
              c == null || e == null
                  ? "n/a"
                  : c.path(PipelineGroupFiles.SHA256)
                          .asText()
                          .equals(e.path(PipelineGroupFiles.SHA256).asText())
                      ? "equal ("
                          + c.path(PipelineGroupFiles.SHA256).asText().substring(0, 12)
                          + ")"
                      : "DIFFERENT ("
                          + c.path(PipelineGroupFiles.SHA256).asText().substring(0, 12)
                          + " vs "
                          + e.path(PipelineGroupFiles.SHA256).asText().substring(0, 12)
                          + ")",
              c == null ? "n/a" : c.path(PipelineGroupFiles.TASKS_FAILED).asText(),
              e == null ? "n/a" : e.path(PipelineGroupFiles.TASKS_FAILED).asText(),
              c == null ? "n/a" : c.path(PipelineGroupFiles.EXECUTORS_LOST).asText(),
              e == null ? "n/a" : e.path(PipelineGroupFiles.EXECUTORS_LOST).asText()));
      if (e != null) {
        lines.add("    " + lossLine(e));
      }
    }
    if (control.isEmpty() || experimental.isEmpty()) {
      lines.add(
          "  NO RUN FINISHED in "
              + (control.isEmpty() ? "control" : "experimental")
              + " (see the group's log)");
    }
    return lines;
  }

  /** Where in the experimental run its executors were lost: the kill mid-run, or not in it. */
  static String lossLine(JsonNode run) {
    JsonNode losses = run.path(PipelineGroupFiles.LOSSES);
    if (!losses.isArray() || losses.isEmpty()) {
      return "no executor lost during the experimental run of " + seconds(run);
    }
    int tasks = run.path(PipelineGroupFiles.TASKS).asInt();
    List<String> each = new ArrayList<>();
    for (JsonNode l : losses) {
      int done = l.path(PipelineGroupFiles.TASKS_DONE).asInt();
      each.add(
          String.format(
              Locale.ROOT,
              "%s in, %d of %d tasks done (%.0f%%)",
              Durations.format(l.path(PipelineGroupFiles.LOSS_AT_MS).asLong()),
              done,
              tasks,
              tasks < 1 ? 0.0 : 100.0 * done / tasks));
    }
    return "executor lost mid-run: "
        + String.join("; ", each)
        + " of the experimental run of "
        + seconds(run);
  }

  private static String seconds(JsonNode run) {
    return run == null
        ? "n/a"
        : Durations.format(run.path(PipelineGroupFiles.DURATION_MS).asLong());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var paths = Files.walk(p)) {
      for (Path q : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
