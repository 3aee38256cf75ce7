package io.faultline.scale.spark;

import io.faultline.scale.DirectoryCorpus;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.MidiCorpusGenerator;
import io.faultline.scale.SongStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.h2.tools.Server;

/**
 * Extraction throughput on one corpus, three ways: the thread pool ({@link ExtractionJob}), Spark
 * in {@code local[N]}, and Spark on a {@link LocalSparkCluster} (two workers, one core each, H2
 * over TCP); plus the cluster's start-up time and resident memory. Each way writes a fresh H2 file
 * database and its checksum is printed, so a faster way that writes something else shows.
 *
 * <pre>
 * java [Spark's JVM options] -cp ... io.faultline.scale.spark.ExtractionBench DIR SONGS THREADS [WAYS]
 * </pre>
 *
 * <p>{@code WAYS}: a comma-separated choice of {@code pool}, {@code local}, {@code cluster}
 * (default all three, in that order); one way per JVM gives each a cold start and its own peak
 * memory.
 */
public final class ExtractionBench {

  private ExtractionBench() {}

  public static void main(String[] args) throws Exception {
    // absolute: H2's server refuses a base directory relative to the working directory
    Path dir = Path.of(args.length > 0 ? args[0] : "target/extraction-bench").toAbsolutePath();
    int songs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    List<String> ways = List.of((args.length > 3 ? args[3] : "pool,local,cluster").split(","));
    Path corpus = dir.resolve("corpus-" + songs);
    if (!Files.isDirectory(corpus)) {
      long t = System.nanoTime();
      MidiCorpusGenerator.generate(corpus, songs, 42);
      System.out.printf("generated %d files in %.1f s%n", songs, seconds(t));
    }
    Server h2 =
        Server.createTcpServer(
                "-tcpPort",
                String.valueOf(io.faultline.scale.fleet.LoopbackPorts.next()),
                "-ifNotExists",
                "-baseDir",
                dir.resolve("h2-" + System.nanoTime()).toString())
            .start();
    try {
      if (ways.contains("pool")) {
        pool(corpus, songs, threads, h2);
      }
      if (ways.contains("local")) {
        local(corpus, songs, threads, h2);
      }
      if (ways.contains("cluster")) {
        cluster(dir, corpus, songs, threads, h2);
      }
    } finally {
      h2.stop();
    }
  }

  private static void pool(Path corpus, int songs, int threads, Server h2) throws Exception {
    StoreLocation pool = store(h2, "pool");
    long t = System.nanoTime();
    try (SongStore store = SongStore.open(pool.url(), pool.user(), pool.password(), threads)) {
      new ExtractionJob(store, threads).run(new DirectoryCorpus(corpus));
    }
    report("thread pool (" + threads + " threads)", songs, seconds(t), pool);
  }

  private static void local(Path corpus, int songs, int threads, Server h2) throws Exception {
    StoreLocation local = store(h2, "local");
    long t = System.nanoTime();
    SparkSession spark =
        SparkSession.builder()
            .master("local[" + threads + "]")
            .appName("extraction-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    System.out.printf("Spark local[%d] session started in %.1f s%n", threads, seconds(t));
    t = System.nanoTime();
    new SparkExtractionJob(spark, local).run(CorpusLocation.directory(corpus));
    report("Spark local[" + threads + "]", songs, seconds(t), local);
    spark.stop();
  }

  private static void cluster(Path dir, Path corpus, int songs, int threads, Server h2)
      throws Exception {
    long t = System.nanoTime();
    try (LocalSparkCluster cluster =
        LocalSparkCluster.start(
            new LocalSparkCluster.Spec("bench", threads, 1, "1g", "512m"),
            dir.resolve("cluster-" + System.nanoTime()),
            null,
            Duration.ofMinutes(8))) {
      double startup = seconds(t);
      t = System.nanoTime();
      SparkSession onCluster = cluster.session("extraction-bench", 0).getOrCreate();
      double session = seconds(t);
      StoreLocation remote = store(h2, "cluster");
      t = System.nanoTime();
      new SparkExtractionJob(onCluster, remote).run(CorpusLocation.directory(corpus));
      report("Spark cluster (" + threads + " workers x 1 core)", songs, seconds(t), remote);
      System.out.printf(
          "cluster: master + workers registered in %.1f s; session with executors %.1f s%n",
          startup, session);
      List<String> rss = new ArrayList<>();
      cluster.workers().forEach(w -> rss.add("worker " + rssMb(w.pid()) + " MB"));
      cluster.executors().forEach(e -> rss.add("executor " + rssMb(e.pid()) + " MB"));
      System.out.println("resident memory: " + String.join(", ", rss));
      onCluster.stop();
    }
  }

  private static StoreLocation store(Server h2, String name) {
    return new StoreLocation("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/" + name, "sa", "");
  }

  private static void report(String how, int songs, double s, StoreLocation store)
      throws Exception {
    StoreChecksum sum = StoreChecksum.of(store.url(), store.user(), store.password());
    System.out.printf(
        "%-36s %6.1f s  %7.1f files/s  songs %d  checksum %s%n",
        how, s, songs / s, sum.songs(), sum.sha256().substring(0, 16));
  }

  private static long rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
