package io.faultline.scale.spark;

import io.faultline.scale.fleet.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.SparkSession;

/**
 * A real Spark standalone cluster on loopback, started from the jars on this JVM's class path: one
 * master and N workers as child JVMs ({@code org.apache.spark.deploy.master.Master}, {@code
 * org.apache.spark.deploy.worker.Worker}); each worker starts its executors as JVMs of their own
 * ({@code CoarseGrainedExecutorBackend}), so an executor can be killed and Spark has to recover.
 *
 * <p>No Spark distribution is needed: {@code SPARK_HOME} is an empty directory under the work
 * directory and executors get this JVM's class path through {@code spark.executor.extraClassPath}.
 * When a targets directory is given, the master and every worker write a target file for the attack
 * agent ({@code role=spark-master|spark-worker}); the agent's {@code executor-kill} picks an
 * executor among a worker's child processes.
 */
public final class LocalSparkCluster implements AutoCloseable {

  /**
   * The JVM options Spark's own launcher gives a Spark JVM on this Java ({@code --add-opens} and
   * friends), from Spark's JavaModuleOptions, for the master and the workers; Spark adds them to
   * the executors itself.
   */
  public static final List<String> JAVA_MODULE_OPTIONS =
      List.of(JavaModuleOptions.defaultModuleOptionArray());

  /** How the cluster is laid out; memory in Spark's notation ({@code 512m}). */
  public record Spec(
      String group, int workers, int coresPerWorker, String workerMemory, String executorMemory) {
    public static Spec of(String group) {
      return new Spec(group, 2, 1, "1g", "512m");
    }
  }

  static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

  private final Spec spec;
  private final Path workDir;
  private final Path targetsDir;
  private final String classPath;
  private final int masterPort;
  private final int masterUiPort;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> targetFiles = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private LocalSparkCluster(Spec spec, Path workDir, Path targetsDir) {
    this.spec = spec;
    this.workDir = workDir.toAbsolutePath();
    this.targetsDir = targetsDir;
    this.classPath = System.getProperty("java.class.path");
    this.masterPort = LoopbackPorts.next();
    this.masterUiPort = LoopbackPorts.next();
  }

  /**
   * Starts the master, then the workers, and returns once every worker has registered (or throws
   * after {@code timeout}, naming the log to read).
   *
   * @param targetsDir where the agent's target files go; null for none
   */
  public static LocalSparkCluster start(Spec spec, Path workDir, Path targetsDir, Duration timeout)
      throws IOException, InterruptedException {
    return start(spec, workDir, targetsDir, timeout, true);
  }

  /**
   * Starts the master and the workers together and returns once the master answers, while the
   * workers may still be registering (they retry): a driver can connect meanwhile and {@link
   * #awaitExecutors} waits for both. Each JVM's start-up overlaps the others' on a loaded machine.
   */
  public static LocalSparkCluster launch(Spec spec, Path workDir, Path targetsDir, Duration timeout)
      throws IOException, InterruptedException {
    return start(spec, workDir, targetsDir, timeout, false);
  }

  private static LocalSparkCluster start(
      Spec spec, Path workDir, Path targetsDir, Duration timeout, boolean awaitWorkers)
      throws IOException, InterruptedException {
    LocalSparkCluster cluster = new LocalSparkCluster(spec, workDir, targetsDir);
    try {
      cluster.startAll(timeout, awaitWorkers);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll(Duration timeout, boolean awaitWorkers)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir.resolve("spark-home/jars"));
    if (targetsDir != null) {
      Files.createDirectories(targetsDir);
    }
    String name = "spark-master-" + spec.group();
    Process master =
        launch(
            name,
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(masterPort),
            "--webui-port",
            String.valueOf(masterUiPort));
    writeTarget(name, master, "spark-master", masterPort);
    long deadline = System.nanoTime() + timeout.toNanos();
    // workers start with the master: a worker that finds no master yet retries its registration
    for (int i = 1; i <= spec.workers(); i++) {
      String worker = "spark-worker-" + i + "-" + spec.group();
      int port = LoopbackPorts.next();
      Path dir = workDir.resolve(worker);
      Files.createDirectories(dir);
      Process p =
          launch(
              worker,
              "org.apache.spark.deploy.worker.Worker",
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(port),
              "--webui-port",
              String.valueOf(LoopbackPorts.next()),
              "--cores",
              String.valueOf(spec.coresPerWorker()),
              "--memory",
              spec.workerMemory(),
              "--work-dir",
              dir.toString(),
              masterUrl());
      writeTarget(worker, p, "spark-worker", port);
    }
    awaitWorkers(awaitWorkers ? spec.workers() : 0, master, name, deadline);
  }

  private Process launch(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx192m");
    cmd.add("-XX:+UseSerialGC");
    // master and workers schedule, they do not compute: the C1 compiler alone starts them sooner
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(JAVA_MODULE_OPTIONS);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(workDir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", workDir.resolve("spark-home").toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_SCALA_VERSION", "2.13");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private void awaitWorkers(int expected, Process master, String name, long deadline)
      throws IOException, InterruptedException {
    while (true) {
      if (!master.isAlive()) {
        throw new IOException(name + " exited " + master.exitValue() + "; see " + log(name));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(masterUiUrl() + "/json/"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = ALIVE_WORKERS.matcher(r.body());
        if (r.statusCode() == 200 && m.find() && Integer.parseInt(m.group(1)) >= expected) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "Spark cluster of "
                + spec.group()
                + ": "
                + expected
                + " workers not registered in time; see the logs in "
                + workDir);
      }
      Thread.sleep(250);
    }
  }

  private void writeTarget(String name, Process p, String role, int port) throws IOException {
    if (targetsDir == null) {
      return;
    }
    Path file = targetsDir.resolve(name + ".properties");
    Path tmp = targetsDir.resolve(name + ".properties.tmp");
    Files.writeString(
        tmp,
        String.join(
            "\n",
            "name=" + name,
            "group=" + spec.group(),
            "pid=" + p.pid(),
            "host=127.0.0.1",
            "port=" + port,
            "role=" + role,
            ""));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    targetFiles.add(file);
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public String masterUiUrl() {
    return "http://127.0.0.1:" + masterUiPort;
  }

  public Path log(String name) {
    return workDir.resolve(name + ".log");
  }

  /** The worker JVMs, in start order (their children are the executors). */
  public List<ProcessHandle> workers() {
    return processes.subList(1, processes.size()).stream().map(Process::toHandle).toList();
  }

  /** Every live executor JVM of this cluster, by pid. */
  public List<ProcessHandle> executors() {
    return workers().stream()
        .flatMap(ProcessHandle::descendants)
        .filter(LocalSparkCluster::isExecutor)
        .sorted(java.util.Comparator.comparingLong(ProcessHandle::pid))
        .toList();
  }

  /**
   * Whether {@code p} is an executor JVM. Read from {@code /proc/<pid>/cmdline}: the JDK's {@code
   * ProcessHandle.Info.commandLine()} stops at 4096 bytes, and an executor's class path comes
   * before its main class.
   */
  static boolean isExecutor(ProcessHandle p) {
    try {
      return p.isAlive()
          && new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")))
              .contains(EXECUTOR_MAIN);
    } catch (IOException e) {
      return false; // exited meanwhile
    }
  }

  /** Waits until {@code count} executors run (a new session starts them in the background). */
  public List<ProcessHandle> awaitExecutors(int count, Duration timeout)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> now = executors();
    while (now.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            now.size() + " of " + count + " executors running; see the logs in " + workDir);
      }
      Thread.sleep(100);
      now = executors();
    }
    return now;
  }

  /**
   * A session on this cluster: the driver in this JVM on loopback, executors with this JVM's class
   * path, its monitoring API at {@code uiPort} (0 = none).
   */
  public SparkSession.Builder session(String appName, int uiPort) {
    SparkSession.Builder b =
        SparkSession.builder()
            .appName(appName)
            .master(masterUrl())
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.executor.extraClassPath", classPath)
            .config("spark.executor.memory", spec.executorMemory())
            .config("spark.executor.extraJavaOptions", "-XX:+UseSerialGC")
            .config("spark.speculation", "false")
            .config("spark.sql.shuffle.partitions", "4");
    return uiPort > 0
        ? b.config("spark.ui.enabled", "true").config("spark.ui.port", String.valueOf(uiPort))
        : b.config("spark.ui.enabled", "false");
  }

  /** Workers (with their executors) first, then the master; SIGKILL after a grace period. */
  @Override
  public void close() {
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : reversed) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Path f : targetFiles) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // best effort: a stale target file names a pid that is gone, the agent skips it
      }
    }
  }
}
