package io.faultline.scale;

import java.util.ArrayList;
import java.util.List;

/**
 * The generator's corpus read straight from memory: the same MIDI bytes {@link
 * MidiCorpusGenerator#generate} would write, produced on demand, so seeding a database needs no
 * 100,000 small files on disk (writing and deleting them cost more than extracting them).
 */
public final class GeneratedCorpus implements CorpusSource {

  private final int size;
  private final long seed;

  public GeneratedCorpus(int size, long seed) {
    if (size < 1) {
      throw new IllegalArgumentException("corpus size " + size + ": must be at least 1");
    }
    this.size = size;
    this.seed = seed;
  }

  @Override
  public List<Entry> list() {
    List<Entry> entries = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String id = MidiCorpusGenerator.songId(i);
      entries.add(new Entry(id, id + ".mid"));
    }
    return entries;
  }

  @Override
  public byte[] read(Entry entry) {
    int index = Integer.parseInt(entry.songId().substring("song-".length()));
    return MidiCorpusGenerator.toMidi(MidiCorpusGenerator.plan(index, seed), seed);
  }

  @Override
  public String describe() {
    return "generated corpus of " + size + " songs (seed " + seed + ")";
  }
}
