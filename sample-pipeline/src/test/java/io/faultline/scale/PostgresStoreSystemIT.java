package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.scale.fleet.LoopbackPorts;
import io.faultline.scale.fleet.PostgresUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store against a real PostgreSQL server (Debian package postgresql): initdb in a temp dir,
 * postgres on a free loopback port (as user postgres when the test runs as root, since postgres
 * refuses root), migrate, extract a small corpus, query, stop.
 */
class PostgresStoreSystemIT {

  private static Path data;
  private static Process server;
  private static int port;
  private static List<String> asPostgres = List.of();

  @BeforeAll
  static void startPostgres() throws Exception {
    Path bin = findBin();
    assumeTrue(
        bin != null,
        "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb and postgres):"
            + " install the Debian package postgresql");
    asPostgres = PostgresUser.command();
    if (!asPostgres.isEmpty()) {
      assumeTrue(
          run(List.of("id", "-u", "postgres")) == 0
              && Files.isExecutable(Path.of("/usr/bin/setpriv")),
          "running as root but there is no user 'postgres' or no setpriv to switch to it;"
              + " postgres refuses to run as root");
    }
    data = Files.createTempDirectory("scale-pg-");
    if (!asPostgres.isEmpty()) {
      assertThat(run(List.of("chown", "postgres:postgres", data.toString()))).isZero();
    }
    assumeTrue(
        PostgresUser.cannotReach(data).isEmpty(),
        () -> "PostgreSQL: " + PostgresUser.cannotReach(data).orElse(""));
    Path cluster = data.resolve("cluster");
    List<String> initdb = new ArrayList<>(asPostgres);
    initdb.addAll(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            cluster.toString(),
            "-U",
            "scale",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync"));
    assertThat(run(initdb)).as("initdb").isZero();
    // below the ephemeral range: no outgoing connection takes it before PostgreSQL binds it
    port = LoopbackPorts.next();
    List<String> postgres = new ArrayList<>(asPostgres);
    postgres.addAll(
        List.of(
            bin.resolve("postgres").toString(),
            "-D",
            cluster.toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-k",
            cluster.toString(),
            "-c",
            "fsync=off"));
    server =
        new ProcessBuilder(postgres)
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("postgres.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = DriverManager.getConnection(url(), "scale", "")) {
        break;
      } catch (Exception e) {
        if (System.nanoTime() > deadline || !server.isAlive()) {
          throw new IllegalStateException(
              "postgres did not accept connections on port "
                  + port
                  + ":\n"
                  + Files.readString(data.resolve("postgres.log"), StandardCharsets.UTF_8),
              e);
        }
        Thread.sleep(200);
      }
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (server != null) {
      server.destroy(); // SIGTERM: smart shutdown
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(server.isAlive()).isFalse();
    }
    if (data != null) {
      try (Stream<Path> paths = Files.walk(data)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  @Test
  void migratesExtractsIdempotentlyAndAnswersQueries() throws Exception {
    Path corpus = data.resolve("corpus");
    var plans = MidiCorpusGenerator.generate(corpus, 200, 11);
    Files.writeString(corpus.resolve("zz-corrupt.mid"), "MThd not really");
    try (SongStore store = SongStore.open(url(), "scale", "", 4)) {
      ExtractionJob.Report first = new ExtractionJob(store, 3).run(new DirectoryCorpus(corpus));
      assertThat(first.inserted()).isEqualTo(200);
      assertThat(first.corruptFiles()).containsExactly(corpus.resolve("zz-corrupt.mid").toString());
      ExtractionJob.Report again = new ExtractionJob(store, 3).run(new DirectoryCorpus(corpus));
      assertThat(again.unchanged()).isEqualTo(200);
      assertThat(again.inserted()).isZero();

      List<Song> stored = store.instrumentSets();
      assertThat(stored).hasSize(200);
      for (Song s : stored) {
        var plan = plans.get(Integer.parseInt(s.id().substring("song-".length())));
        BitSet expected = new BitSet();
        plan.notesByProgram().keySet().forEach(expected::set);
        if (plan.drumNotes() > 0) {
          expected.set(GeneralMidi.DRUMS);
        }
        assertThat(s.instruments()).as(s.id()).isEqualTo(expected);
      }
      var song = store.find("song-00012").orElseThrow();
      assertThat(song.notesByProgram().keySet())
          .containsAll(plans.get(12).notesByProgram().keySet());
      assertThat(store.titles(List.of("song-00001", "song-00002")))
          .containsEntry("song-00002", "Song 2");
      assertThat(store.probe(null)).containsEntry("songs", 200L);
      assertThat(store.probe("song-00012"))
          .containsEntry(
              "instruments",
              (long) plans.get(12).notesByProgram().size()
                  + (plans.get(12).drumNotes() > 0 ? 1 : 0));
      assertThat(store.reachable()).isTrue();
      assertThat(store.pool().max()).isEqualTo(4);
    }
    try (Connection c = DriverManager.getConnection(url(), "scale", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(2); // V1 tables, V2 instrument_set
    }
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.naturalOrder())
          .orElse(null);
    }
  }

  private static int run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (code != 0) {
      System.out.println(String.join(" ", command) + " exited " + code + ":\n" + out);
    }
    return code;
  }
}
