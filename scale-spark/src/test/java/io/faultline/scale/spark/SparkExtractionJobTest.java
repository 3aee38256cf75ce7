package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.scale.DirectoryCorpus;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.MidiCorpusGenerator;
import io.faultline.scale.SongStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job in local mode against the thread pool's job, on the same corpus. */
class SparkExtractionJobTest {

  @TempDir static Path dir;
  static Path corpus;
  static SparkSession spark;

  @BeforeAll
  static void corpusAndSession() throws Exception {
    corpus = dir.resolve("corpus");
    MidiCorpusGenerator.generate(corpus, 600, 5);
    byte[] good = Files.readAllBytes(corpus.resolve("song-00001.mid"));
    Files.write(corpus.resolve("broken-half.mid"), Arrays.copyOf(good, good.length / 2));
    Files.createDirectories(corpus.resolve("sub"));
    Files.writeString(corpus.resolve("sub/notes.MIDI"), "hello");
    spark = LocalSparkSessions.loopback("SparkExtractionJobTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static StoreLocation freshStore(String name) {
    return new StoreLocation(
        "jdbc:h2:mem:" + name + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "");
  }

  private static StoreChecksum checksum(StoreLocation s) throws Exception {
    return StoreChecksum.of(s.url(), s.user(), s.password());
  }

  @Test
  void writesExactlyWhatTheThreadPoolJobWritesAndNamesTheCorruptFiles() throws Exception {
    StoreLocation pooled = freshStore("pool");
    ExtractionJob.Report byPool;
    try (SongStore store = SongStore.open(pooled.url(), "", "", 4)) {
      byPool = new ExtractionJob(store, 2).run(new DirectoryCorpus(corpus));
    }
    StoreLocation sparked = freshStore("spark");

    // 100 files per task: seven tasks, the last one with the two corrupt files among its songs
    ExtractionJob.Report bySpark =
        new SparkExtractionJob(spark, sparked, 100).run(CorpusLocation.directory(corpus));

    assertThat(bySpark.files()).isEqualTo(602).isEqualTo(byPool.files());
    assertThat(bySpark.inserted()).isEqualTo(600).isEqualTo(byPool.inserted());
    assertThat(bySpark.corruptFiles())
        .containsExactly(
            corpus.resolve("broken-half.mid").toString(),
            corpus.resolve("sub/notes.MIDI").toString())
        .isEqualTo(byPool.corruptFiles());
    StoreChecksum expected = checksum(pooled);
    assertThat(expected.songs()).isEqualTo(600);
    assertThat(checksum(sparked)).isEqualTo(expected);
  }

  @Test
  void aReRunAndARetriedTaskChangeNothing() throws Exception {
    StoreLocation store = freshStore("rerun");
    SparkExtractionJob job = new SparkExtractionJob(spark, store, 250);
    job.run(CorpusLocation.directory(corpus));
    StoreChecksum first = checksum(store);

    ExtractionJob.Report again = job.run(CorpusLocation.directory(corpus));
    // a task that committed its batches and died before reporting runs again on another executor
    List<SparkExtractionJob.FileRef> partition =
        new DirectoryCorpus(corpus)
            .list().stream()
                .limit(300)
                .map(e -> new SparkExtractionJob.FileRef(e.songId(), e.location()))
                .toList();
    SparkExtractionJob.PartitionResult retried =
        SparkExtractionJob.extractAndSave(
            CorpusLocation.directory(corpus), store, partition.iterator());

    assertThat(again.inserted()).isZero();
    assertThat(again.updated()).isZero();
    assertThat(again.unchanged()).isEqualTo(600);
    assertThat(retried.inserted() + retried.updated()).isZero();
    // the first 300 by location: broken-half.mid and 299 songs
    assertThat(retried.unchanged()).isEqualTo(299);
    assertThat(retried.corrupt()).containsExactly(corpus.resolve("broken-half.mid").toString());
    assertThat(checksum(store)).isEqualTo(first);
  }

  @Test
  void aLostSongShowsInTheChecksum() throws Exception {
    StoreLocation store = freshStore("lost");
    new SparkExtractionJob(spark, store).run(CorpusLocation.directory(corpus));
    StoreChecksum whole = checksum(store);
    try (var c = java.sql.DriverManager.getConnection(store.url());
        var st = c.createStatement()) {
      st.executeUpdate("DELETE FROM song_instrument WHERE song_id = 'song-00007'");
      st.executeUpdate("DELETE FROM song WHERE id = 'song-00007'");
    }

    StoreChecksum after = checksum(store);

    assertThat(after.songs()).isEqualTo(whole.songs() - 1);
    assertThat(after.sha256()).isNotEqualTo(whole.sha256());
  }
}
