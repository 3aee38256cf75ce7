package io.faultline.scale;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible corpus of songs: the same seed and size always give the same songs. Instrument
 * families are drawn with a Zipf-like skew (pianos and guitars common, pipes and ethnic instruments
 * rare), as in real MIDI collections.
 */
public final class SongCorpus {

  private final Map<String, Song> songs;

  private SongCorpus(Map<String, Song> songs) {
    this.songs = Collections.unmodifiableMap(songs);
  }

  public static SongCorpus of(List<Song> songs) {
    Map<String, Song> map = new LinkedHashMap<>();
    songs.forEach(s -> map.put(s.id(), s));
    return new SongCorpus(map);
  }

  public static SongCorpus generate(int size, long seed) {
    if (size < 1) {
      throw new IllegalArgumentException("songs " + size + ": must be at least 1");
    }
    Random random = new Random(seed);
    double[] familyWeights = new double[16];
    double total = 0;
    for (int f = 0; f < 16; f++) {
      familyWeights[f] = 1.0 / (f + 1);
      total += familyWeights[f];
    }
    // GM families in order of how common they are in pop MIDI files
    int[] familyOrder = {0, 3, 4, 6, 7, 5, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15};
    List<Song> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      BitSet instruments = new BitSet(129);
      int count = 3 + random.nextInt(8);
      while (instruments.cardinality() < count) {
        double r = random.nextDouble() * total;
        int f = 0;
        while (r > familyWeights[f]) {
          r -= familyWeights[f];
          f++;
        }
        instruments.set(familyOrder[f] * 8 + random.nextInt(8));
      }
      if (random.nextDouble() < 0.7) {
        instruments.set(Song.DRUMS);
      }
      list.add(new Song(String.format("song-%05d", i), "Song " + i, instruments));
    }
    return of(list);
  }

  public Song get(String id) {
    return songs.get(id);
  }

  public int size() {
    return songs.size();
  }

  public Iterable<Song> songs() {
    return songs.values();
  }
}
