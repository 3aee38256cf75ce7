package io.faultline.scale;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Songs similar to a song: Jaccard similarity of instrument sets (drums included), computed only
 * for songs that share at least one instrument, found through an inverted index.
 */
public final class SimilarityIndex {

  /** A similar song and its Jaccard score in [0, 1]. */
  public record Match(String id, double score) {}

  private final Song[] byIndex;
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final int[][] postings = new int[129][];

  public SimilarityIndex(List<Song> songs) {
    byIndex = songs.toArray(new Song[0]);
    List<List<Integer>> lists = new ArrayList<>();
    for (int i = 0; i < postings.length; i++) {
      lists.add(new ArrayList<>());
    }
    for (int i = 0; i < byIndex.length; i++) {
      indexOf.put(byIndex[i].id(), i);
      BitSet set = byIndex[i].instruments();
      for (int bit = set.nextSetBit(0); bit >= 0; bit = set.nextSetBit(bit + 1)) {
        lists.get(bit).add(i);
      }
    }
    for (int i = 0; i < postings.length; i++) {
      postings[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
  }

  public int size() {
    return byIndex.length;
  }

  /** A song picked at random, or null when the index is empty. */
  public Song randomSong() {
    return byIndex.length == 0
        ? null
        : byIndex[java.util.concurrent.ThreadLocalRandom.current().nextInt(byIndex.length)];
  }

  /** The song with this id, or null. */
  public Song song(String id) {
    Integer i = indexOf.get(id);
    return i == null ? null : byIndex[i];
  }

  /**
   * The {@code limit} most similar songs, best first, ties by id; null when the song is unknown.
   */
  public List<Match> similar(String songId, int limit) {
    Integer self = indexOf.get(songId);
    if (self == null) {
      return null;
    }
    BitSet query = byIndex[self].instruments();
    int querySize = query.cardinality();
    int[] shared = new int[byIndex.length];
    for (int bit = query.nextSetBit(0); bit >= 0; bit = query.nextSetBit(bit + 1)) {
      for (int song : postings[bit]) {
        shared[song]++;
      }
    }
    Comparator<Match> worstFirst =
        Comparator.comparingDouble(Match::score)
            .thenComparing(Match::id, Comparator.reverseOrder());
    PriorityQueue<Match> best = new PriorityQueue<>(worstFirst);
    for (int i = 0; i < shared.length; i++) {
      if (shared[i] == 0 || i == self) {
        continue;
      }
      int union = querySize + byIndex[i].size() - shared[i];
      Match m = new Match(byIndex[i].id(), (double) shared[i] / union);
      if (best.size() < limit) {
        best.add(m);
      } else if (worstFirst.compare(m, best.peek()) > 0) {
        best.poll();
        best.add(m);
      }
    }
    List<Match> out = new ArrayList<>(best);
    out.sort(worstFirst.reversed());
    return out;
  }
}
