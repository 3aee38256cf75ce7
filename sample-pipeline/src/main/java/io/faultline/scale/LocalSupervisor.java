package io.faultline.scale;

import io.faultline.common.DaemonThreads;
import io.faultline.common.Executables;
import io.faultline.scale.fleet.LoopbackPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Scale instances as child JVMs ({@code ScaleMain web}) and restarts one that dies after a
 * delay, as Kubernetes would. After every (re)start it writes the instance's target file, which is
 * how the attack agent finds local process targets: {@code <targetsDir>/<name>.properties} with
 * {@code name}, {@code group}, {@code pid}, {@code port}, {@code host} and, when pinned, {@code
 * cpus}.
 *
 * <p>Before the first instance of a corpus size starts, the supervisor runs the pipeline once: the
 * generator's MIDI files (produced in memory, not written to disk) go through the extraction job
 * into an embedded H2 database, the template. The template is cached (in {@code
 * FAULTLINE_SCALE_CACHE} or the system property {@code faultline.scale.cache}, default {@code
 * <java.io.tmpdir>/faultline-scale-cache}, under a file lock) because 100,000 songs take about a
 * minute; each instance then gets its own copy of the database in {@code <targetsDir>/../scale/},
 * which it keeps across restarts.
 */
public final class LocalSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalSupervisor.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final long SEED = 42;
  // bump when the schema or the generator changes, so an old cached template is not reused
  private static final String TEMPLATE_VERSION = "v2";

  /** One instance: its name, group, loopback port (0 = pick one) and CPUs to pin to (or null). */
  public record InstanceSpec(String name, String group, int port, String cpus, int songs) {}

  /** Something that happened to an instance. */
  public record SupervisorEvent(Type type, String name, long pid, int exitCode) {
    public enum Type {
      STARTED,
      EXITED,
      RESTARTED
    }
  }

  private final Path targetsDir;
  private final Path dataDir;
  private final Path cacheDir;
  private final Duration restartDelay;
  private final Consumer<SupervisorEvent> listener;
  private final boolean tasksetAvailable;
  private final ScheduledExecutorService restarts =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("scale-supervisor"));
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private volatile boolean closing;
  // tests: runs in the restart task between its closing check and the launch
  private volatile Runnable beforeRestart = () -> {};

  private final class Instance {
    final InstanceSpec spec;
    final int port;
    final Deque<String> lastLines = new ArrayDeque<>();
    final Map<String, String> extraProperties = new java.util.TreeMap<>(); // guarded by Instance
    volatile Process process;

    Instance(InstanceSpec spec, int port) {
      this.spec = spec;
      this.port = port;
    }
  }

  public LocalSupervisor(
      Path targetsDir, Duration restartDelay, Consumer<SupervisorEvent> listener) {
    this.targetsDir = targetsDir;
    Path parent = targetsDir.toAbsolutePath().getParent();
    this.dataDir = parent == null ? targetsDir.resolve("scale") : parent.resolve("scale");
    String cache =
        System.getProperty("faultline.scale.cache", System.getenv("FAULTLINE_SCALE_CACHE"));
    this.cacheDir =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : Path.of(System.getProperty("java.io.tmpdir"), "faultline-scale-cache");
    this.restartDelay = restartDelay;
    this.listener = listener;
    this.tasksetAvailable = Executables.onPath("taskset");
  }

  /** Starts an instance and waits until it serves; throws with its last output if it does not. */
  public void start(InstanceSpec spec) throws IOException {
    Files.createDirectories(targetsDir);
    Path template = template(spec.songs());
    Path db = dataDir.resolve(spec.name());
    ScaleMain.deleteTree(db);
    Files.createDirectories(db);
    Files.copy(template.resolve("scale.mv.db"), db.resolve("scale.mv.db"));
    Instance instance = new Instance(spec, spec.port() == 0 ? LoopbackPorts.next() : spec.port());
    instances.put(spec.name(), instance);
    launch(instance, SupervisorEvent.Type.STARTED);
  }

  public int port(String name) {
    return instance(name).port;
  }

  /**
   * Adds {@code key=value} to the instance's target file, now and at every restart: e.g. the
   * control address of a proxy placed in front of it ({@code proxy.control}).
   */
  public void setTargetProperty(String name, String key, String value) throws IOException {
    Instance instance = instance(name);
    synchronized (instance) {
      instance.extraProperties.put(key, value);
      if (instance.process != null) {
        writeTargetFile(instance, instance.spec.cpus() != null && tasksetAvailable);
      }
    }
  }

  public long pid(String name) {
    Process p = instance(name).process;
    return p == null ? -1 : p.pid();
  }

  /** Tests: {@code hook} runs in a restart after it found the supervisor open, before launch. */
  void beforeRestart(Runnable hook) {
    this.beforeRestart = hook;
  }

  /**
   * Tests: whether {@link #close} has begun. Kept rather than folded into the hook: the test of a
   * close during a restart holds the restart inside {@link #beforeRestart} until close has begun,
   * and no public state says so before close returns (which is what it waits for).
   */
  boolean closing() {
    return closing;
  }

  public boolean pinningAvailable() {
    return tasksetAvailable;
  }

  private Instance instance(String name) {
    Instance i = instances.get(name);
    if (i == null) {
      throw new IllegalArgumentException("no instance named '" + name + "'");
    }
    return i;
  }

  private void launch(Instance instance, SupervisorEvent.Type type) throws IOException {
    InstanceSpec spec = instance.spec;
    List<String> command = new ArrayList<>();
    boolean pinned = spec.cpus() != null && tasksetAvailable;
    if (pinned) {
      command.addAll(List.of("taskset", "-c", spec.cpus()));
    } else if (spec.cpus() != null) {
      log.warn("taskset not found: {} runs unpinned (CPU attacks then hit every CPU)", spec.name());
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-XX:+UseSerialGC",
            // the parent's logging configuration (the CLI's names its log file by this
            // property: one file per instance); Scale's own when the parent has none
            "-Dlogback.configurationFile="
                + System.getProperty("logback.configurationFile", "scale-logback.xml"),
            "-Dfaultline.log.file=" + dataDir.resolve(spec.name() + ".log").toAbsolutePath(),
            "-cp",
            System.getProperty("java.class.path"),
            ScaleMain.class.getName(),
            "web",
            "--name",
            spec.name(),
            "--group",
            spec.group(),
            "--bind",
            "127.0.0.1",
            "--port",
            Integer.toString(instance.port),
            "--db-url",
            h2Url(dataDir.resolve(spec.name()).resolve("scale")),
            "--corpus-size",
            Integer.toString(spec.songs()),
            "--seed",
            Long.toString(SEED),
            "--threads",
            "16"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    instance.process = process;
    CompletableFuture<Void> listening = new CompletableFuture<>();
    DaemonThreads.named("scale-output-" + spec.name())
        .newThread(() -> drain(instance, process, listening))
        .start();
    try {
      listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException(
          spec.name()
              + " did not start within "
              + START_TIMEOUT.toSeconds()
              + " s; last output:\n  "
              + String.join("\n  ", lastLines(instance)),
          e);
    }
    writeTargetFile(instance, pinned);
    log.info(
        "{} {} pid {} on port {}{}",
        spec.name(),
        type,
        process.pid(),
        instance.port,
        pinned ? " cpus " + spec.cpus() : "");
    listener.accept(new SupervisorEvent(type, spec.name(), process.pid(), 0));
    process.onExit().thenAccept(p -> onExit(instance, p));
  }

  static String h2Url(Path base) {
    return "jdbc:h2:file:" + base.toAbsolutePath();
  }

  /**
   * The cached template database of {@code songs} songs: built once (generate, then extract into
   * H2) under a file lock, so concurrent supervisors build it once and share it.
   */
  Path template(int songs) throws IOException {
    Path dir = cacheDir.resolve("template-" + TEMPLATE_VERSION + "-" + songs + "-" + SEED);
    Path done = dir.resolve("complete");
    Files.createDirectories(cacheDir);
    try (FileChannel lock =
            FileChannel.open(
                cacheDir.resolve("build.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock ignored = lock.lock()) {
      if (Files.exists(done)) {
        return dir;
      }
      long start = System.nanoTime();
      log.info("building the Scale template database: {} songs (once; cached in {})", songs, dir);
      ScaleMain.deleteTree(dir);
      try (SongStore store = SongStore.open(h2Url(dir.resolve("scale")), "", "", 4)) {
        ExtractionJob.Report report =
            new ExtractionJob(store, Runtime.getRuntime().availableProcessors())
                .run(new GeneratedCorpus(songs, SEED));
        if (report.inserted() != songs) {
          throw new IOException(
              "template extraction inserted "
                  + report.inserted()
                  + " of "
                  + songs
                  + " songs: "
                  + report);
        }
      } catch (java.sql.SQLException e) {
        throw new IOException(
            "cannot build the Scale template database in " + dir + ": " + e.getMessage(), e);
      }
      Files.writeString(done, "songs=" + songs + "\n");
      log.info("Scale template database built in {} ms", (System.nanoTime() - start) / 1_000_000);
      return dir;
    }
  }

  private void onExit(Instance instance, Process process) {
    if (closing || instance.process != process) {
      return;
    }
    int code = process.exitValue();
    log.warn(
        "{} pid {} exited with code {}; restarting in {} ms",
        instance.spec.name(),
        process.pid(),
        code,
        restartDelay.toMillis());
    listener.accept(
        new SupervisorEvent(
            SupervisorEvent.Type.EXITED, instance.spec.name(), process.pid(), code));
    restarts.schedule(
        () -> {
          if (closing) {
            return;
          }
          beforeRestart.run();
          try {
            launch(instance, SupervisorEvent.Type.RESTARTED);
          } catch (IOException e) {
            if (closing) {
              log.info("{}: restart abandoned, the supervisor is closing", instance.spec.name());
            } else {
              log.error("cannot restart {}: {}", instance.spec.name(), e.getMessage());
            }
          }
        },
        restartDelay.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void drain(Instance instance, Process process, CompletableFuture<Void> listening) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("LISTENING ")) {
          listening.complete(null);
        }
        synchronized (instance.lastLines) {
          instance.lastLines.addLast(line);
          if (instance.lastLines.size() > 20) {
            instance.lastLines.removeFirst();
          }
        }
        log.debug("{}: {}", instance.spec.name(), line);
      }
    } catch (IOException ignored) {
      // the child is gone
    }
    listening.completeExceptionally(new IOException(instance.spec.name() + " exited"));
  }

  private List<String> lastLines(Instance instance) {
    synchronized (instance.lastLines) {
      return new ArrayList<>(instance.lastLines);
    }
  }

  private void writeTargetFile(Instance instance, boolean pinned) throws IOException {
    InstanceSpec spec = instance.spec;
    Path file = targetsDir.resolve(spec.name() + ".properties");
    Path tmp = targetsDir.resolve(spec.name() + ".properties.tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      w.write("# written by the Scale supervisor at each (re)start\n");
      w.write("name=" + spec.name() + "\n");
      w.write("group=" + spec.group() + "\n");
      w.write("pid=" + instance.process.pid() + "\n");
      w.write("host=127.0.0.1\n");
      w.write("port=" + instance.port + "\n");
      if (pinned) {
        w.write("cpus=" + spec.cpus() + "\n");
      }
      synchronized (instance) {
        for (var e : instance.extraProperties.entrySet()) {
          w.write(e.getKey() + "=" + e.getValue() + "\n");
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Stops every instance and deletes its target file. A restart under way is interrupted and
   * awaited first: it sets the instance's process before it waits for it to listen, so the process
   * it started is stopped below and never outlives close (nor writes its target file after the file
   * was deleted).
   */
  @Override
  public void close() {
    closing = true;
    restarts.shutdownNow();
    try {
      if (!restarts.awaitTermination(START_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
        log.warn("a restart still running {} s after close", START_TIMEOUT.toSeconds() + 5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Instance i : instances.values()) {
      Process p = i.process;
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Instance i : instances.values()) {
      Process p = i.process;
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(3, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      try {
        Files.deleteIfExists(targetsDir.resolve(i.spec.name() + ".properties"));
      } catch (IOException ignored) {
        // a stale target file names a dead pid; the agent checks liveness
      }
    }
  }
}
