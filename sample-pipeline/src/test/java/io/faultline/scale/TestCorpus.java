package io.faultline.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Hand-made MIDI corpora for tests. */
final class TestCorpus {

  private TestCorpus() {}

  /** A song that plays each program 5 times, and drums 7 times when {@code drums}. */
  static MidiCorpusGenerator.PlannedSong song(String id, boolean drums, int... programs) {
    Map<Integer, Integer> notes = new TreeMap<>();
    for (int p : programs) {
      notes.put(p, 5);
    }
    return new MidiCorpusGenerator.PlannedSong(
        id, "Title of " + id, new TreeMap<>(notes), drums ? 7 : 0);
  }

  /**
   * The corpus of SimilarityIndexTest as MIDI files: Jaccard against a is e 0.8, b 0.75, c 0.2, d
   * nothing shared.
   */
  static List<MidiCorpusGenerator.PlannedSong> handChecked() {
    return List.of(
        song("a", true, 0, 24, 33),
        song("b", false, 0, 24, 33),
        song("c", false, 0, 40),
        song("d", false, 73, 74),
        song("e", true, 0, 24, 33, 56));
  }

  static List<Path> write(Path dir, List<MidiCorpusGenerator.PlannedSong> songs)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    for (var s : songs) {
      Path file = dir.resolve(s.id() + ".mid");
      Files.write(file, MidiCorpusGenerator.toMidi(s, 1));
      files.add(file);
    }
    return files;
  }
}
