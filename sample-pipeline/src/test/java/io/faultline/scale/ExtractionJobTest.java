package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractionJobTest {

  @TempDir Path dir;
  private String url;
  private SongStore store;

  @BeforeEach
  void open() {
    url = "jdbc:h2:mem:extract-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    store = SongStore.open(url, "", "", 4);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private long rows(String table) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void storesTheInstrumentSetsOfAGeneratedCorpusSkippingCorruptFiles() throws Exception {
    Path corpus = dir.resolve("corpus");
    List<MidiCorpusGenerator.PlannedSong> plans = MidiCorpusGenerator.generate(corpus, 600, 5);
    byte[] good = Files.readAllBytes(corpus.resolve("song-00001.mid"));
    Files.write(corpus.resolve("broken-half.mid"), Arrays.copyOf(good, good.length / 2));
    Files.createDirectories(corpus.resolve("sub"));
    Files.writeString(corpus.resolve("sub/notes.MIDI"), "hello");
    Files.writeString(corpus.resolve("readme.txt"), "not a MIDI file name: ignored");

    ExtractionJob.Report report = new ExtractionJob(store, 3).run(new DirectoryCorpus(corpus));

    assertThat(report.files()).isEqualTo(602);
    assertThat(report.inserted()).isEqualTo(600);
    assertThat(report.corrupt()).isEqualTo(2);
    assertThat(report.corruptFiles())
        .containsExactly(
            corpus.resolve("broken-half.mid").toString(),
            corpus.resolve("sub/notes.MIDI").toString());
    Map<String, Song> stored =
        store.instrumentSets().stream().collect(Collectors.toMap(Song::id, Function.identity()));
    assertThat(stored).hasSize(600);
    for (var plan : plans) {
      BitSet expected = new BitSet();
      plan.notesByProgram().keySet().forEach(expected::set);
      if (plan.drumNotes() > 0) {
        expected.set(GeneralMidi.DRUMS);
      }
      assertThat(stored.get(plan.id()).instruments()).as(plan.id()).isEqualTo(expected);
    }
    // songs written before V2 (no instrument_set) are read from song_instrument: same sets
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(
              c.createStatement()
                  .executeUpdate(
                      "UPDATE song SET instrument_set = NULL WHERE id IN ('song-00003', 'song-00500')"))
          .isEqualTo(2);
    }
    assertThat(store.instrumentSets())
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactlyInAnyOrderElementsOf(stored.values());
    var one = store.find("song-00007").orElseThrow();
    var plan7 = plans.get(7);
    assertThat(one.title()).isEqualTo("Song 7");
    for (var e : plan7.notesByProgram().entrySet()) {
      assertThat(one.notesByProgram()).containsEntry(e.getKey(), e.getValue());
    }
  }

  @Test
  void reRunningDuplicatesNothingAndRewritesOnlyChangedSongs() throws Exception {
    Path corpus = dir.resolve("corpus");
    MidiCorpusGenerator.generate(corpus, 300, 9);
    ExtractionJob job = new ExtractionJob(store, 2);
    assertThat(job.run(new DirectoryCorpus(corpus)).inserted()).isEqualTo(300);
    long songs = rows("song");
    long instruments = rows("song_instrument");

    ExtractionJob.Report again = job.run(new DirectoryCorpus(corpus));
    assertThat(again.inserted()).isZero();
    assertThat(again.unchanged()).isEqualTo(300);
    assertThat(rows("song")).isEqualTo(songs).isEqualTo(300);
    assertThat(rows("song_instrument")).isEqualTo(instruments);

    // song-00004 now plays only a flute and a harp
    Files.write(
        corpus.resolve("song-00004.mid"),
        MidiCorpusGenerator.toMidi(TestCorpus.song("song-00004", false, 73, 46), 1));
    ExtractionJob.Report changed = job.run(new DirectoryCorpus(corpus));
    assertThat(changed.updated()).isEqualTo(1);
    assertThat(changed.unchanged()).isEqualTo(299);
    assertThat(store.find("song-00004").orElseThrow().notesByProgram())
        .isEqualTo(Map.of(46, 5, 73, 5));
    assertThat(rows("song")).isEqualTo(300);
  }

  @Test
  void aMissingCorpusDirectoryIsNamed() {
    Path missing = dir.resolve("nope");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ExtractionJob(store, 1).run(new DirectoryCorpus(missing)))
        .hasMessageContaining("SCALE_CORPUS " + missing + ": not a directory");
  }
}
