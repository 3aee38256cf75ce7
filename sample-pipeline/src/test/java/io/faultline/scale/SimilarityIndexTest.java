package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SimilarityIndexTest {

  private static Song song(String id, int... instruments) {
    BitSet set = new BitSet();
    IntStream.of(instruments).forEach(set::set);
    return new Song(id, id, set);
  }

  // hand-checked Jaccard scores against "a" in the comments
  private final SimilarityIndex index =
      new SimilarityIndex(
          List.of(
              song("a", 0, 24, 33, Song.DRUMS), // piano, guitar, bass, drums
              song("b", 0, 24, 33), // a without drums: 3/4
              song("c", 0, 40), // piano, violin: 1/5
              song("d", 73, 74), // flutes: nothing shared
              song("e", 0, 24, 33, Song.DRUMS, 56))); // a plus trumpet: 4/5

  @Test
  void ranksByJaccardOfInstrumentSets() {
    var matches = index.similar("a", 10);
    assertThat(matches).extracting(SimilarityIndex.Match::id).containsExactly("e", "b", "c");
    assertThat(matches.get(0).score()).isEqualTo(0.8);
    assertThat(matches.get(1).score()).isEqualTo(0.75);
    assertThat(matches.get(2).score()).isEqualTo(0.2);
  }

  @Test
  void songsSharingNothingAreNotSimilar() {
    assertThat(index.similar("d", 10)).isEmpty();
  }

  @Test
  void limitKeepsTheBest() {
    assertThat(index.similar("a", 1)).extracting(SimilarityIndex.Match::id).containsExactly("e");
  }

  @Test
  void tiesAreOrderedById() {
    SimilarityIndex ties =
        new SimilarityIndex(List.of(song("q", 0, 1), song("z", 0), song("y", 1), song("x", 0)));
    assertThat(ties.similar("q", 3))
        .extracting(SimilarityIndex.Match::id)
        .containsExactly("x", "y", "z");
  }

  @Test
  void unknownSongIsNull() {
    assertThat(index.similar("zzz", 10)).isNull();
    assertThat(index.song("zzz")).isNull();
    assertThat(index.size()).isEqualTo(5);
  }
}
