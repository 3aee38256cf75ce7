package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.scale.DirectoryCorpus;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.MidiCorpusGenerator;
import io.faultline.scale.SongStore;
import io.faultline.scale.fleet.LoopbackPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on a real standalone cluster (master, two workers, an executor JVM each), writing
 * to an H2 server over TCP; then the same job with one executor SIGKILLed mid-run: Spark retries
 * the lost tasks and the store ends with every song once.
 */
class SparkClusterExtractionIT {

  static final int SONGS = 2000;

  @TempDir static Path dir;
  static Path corpus;
  static LocalSparkCluster cluster;
  static Server h2;
  static SparkSession spark;
  static StoreChecksum expected;
  static int uiPort;

  @BeforeAll
  static void clusterAndExpectedStore() throws Exception {
    corpus = dir.resolve("corpus");
    MidiCorpusGenerator.generate(corpus, SONGS, 11);
    Files.writeString(corpus.resolve("garbage.mid"), "not MIDI");
    String pooled = "jdbc:h2:mem:expected-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (SongStore store = SongStore.open(pooled, "", "", 4)) {
      new ExtractionJob(store, 2).run(new DirectoryCorpus(corpus));
    }
    expected = StoreChecksum.of(pooled, "", "");
    h2 =
        Server.createTcpServer(
                "-tcpPort",
                String.valueOf(LoopbackPorts.next()),
                "-ifNotExists",
                "-baseDir",
                dir.resolve("h2").toString())
            .start();
    cluster =
        LocalSparkCluster.start(
            LocalSparkCluster.Spec.of("experimental"),
            dir.resolve("cluster"),
            dir.resolve("targets"),
            Duration.ofSeconds(120));
    uiPort = LoopbackPorts.next();
    spark = cluster.session("scale-extraction-it", uiPort).getOrCreate();
    cluster.awaitExecutors(2, Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (h2 != null) {
      h2.stop();
    }
  }

  static StoreLocation store(String name) {
    return new StoreLocation("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/" + name, "sa", "");
  }

  static long songs(StoreLocation s) throws Exception {
    try (Connection c = DriverManager.getConnection(s.url(), s.user(), s.password());
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM song")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return 0; // not migrated yet
    }
  }

  static JsonNode restGet(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  /** Keeps what the API answered, for the collector's recorded fixtures. */
  static void record(JsonNode json, String name) throws Exception {
    Path out = Path.of("target", "spark-api");
    Files.createDirectories(out);
    Files.writeString(out.resolve(name), json.toPrettyString());
  }

  @Test
  void extractsOnTheClusterWhatTheThreadPoolExtracts() throws Exception {
    StoreLocation store = store("plain");
    assertThat(cluster.executors()).hasSize(2);

    ExtractionJob.Report report =
        new SparkExtractionJob(spark, store, 100).run(CorpusLocation.directory(corpus));

    assertThat(report.inserted()).isEqualTo(SONGS);
    assertThat(report.corruptFiles()).containsExactly(corpus.resolve("garbage.mid").toString());
    assertThat(StoreChecksum.of(store.url(), store.user(), store.password())).isEqualTo(expected);
    assertThat(Files.readString(dir.resolve("targets/spark-worker-1-experimental.properties")))
        .contains("role=spark-worker", "group=experimental");
  }

  @Test
  void anExecutorKilledMidJobLosesAndDuplicatesNoSong() throws Exception {
    StoreLocation store = store("killed");
    CompletableFuture<ExtractionJob.Report> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new SparkExtractionJob(spark, store, 50)
                    .run(CorpusLocation.directory(corpus));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // once a few batches are in the store, tasks are running on both executors
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (songs(store) < 200 && !run.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(run).isNotDone();
    List<ProcessHandle> before = cluster.executors();
    ProcessHandle victim = before.get(0);
    assertThat(victim.destroyForcibly()).isTrue();

    ExtractionJob.Report report = run.get(5, TimeUnit.MINUTES);

    assertThat(victim.isAlive()).isFalse();
    assertThat(report.files()).isEqualTo(SONGS + 1);
    assertThat(report.inserted() + report.unchanged()).isEqualTo(SONGS);
    StoreChecksum after = StoreChecksum.of(store.url(), store.user(), store.password());
    assertThat(after.songs()).isEqualTo(SONGS);
    assertThat(after).isEqualTo(expected);
    // what the collector's spark source reads: the lost executor and the failed tasks
    String app =
        "http://127.0.0.1:"
            + uiPort
            + "/api/v1/applications/"
            + spark.sparkContext().applicationId();
    JsonNode executors = restGet(app + "/allexecutors");
    JsonNode jobs = restGet(app + "/jobs");
    record(executors, "allexecutors.json");
    record(jobs, "jobs.json");
    record(restGet(app + "/stages"), "stages.json");
    long lost = 0;
    for (JsonNode e : executors) {
      if (!e.path("isActive").asBoolean(true) && !"driver".equals(e.path("id").asText())) {
        lost++;
      }
    }
    long failedTasks = 0;
    for (JsonNode j : jobs) {
      failedTasks += j.path("numFailedTasks").asLong();
    }
    assertThat(lost).isGreaterThanOrEqualTo(1);
    assertThat(failedTasks).isGreaterThanOrEqualTo(1);
  }
}
