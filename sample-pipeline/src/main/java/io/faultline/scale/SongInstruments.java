package io.faultline.scale;

import java.util.BitSet;
import java.util.SortedMap;

/**
 * What the extraction job learns from one MIDI file: the notes each General MIDI program plays, the
 * drum notes (channel 10), and the SHA-256 of the file (so a re-run can skip unchanged songs).
 */
public record SongInstruments(
    String id,
    String title,
    SortedMap<Integer, Integer> notesByProgram,
    int drumNotes,
    String sha256) {

  /** Programs that sound, plus {@link GeneralMidi#DRUMS} when there are drum notes. */
  public BitSet instrumentSet() {
    BitSet set = new BitSet(GeneralMidi.DRUMS + 1);
    notesByProgram.keySet().forEach(set::set);
    if (drumNotes > 0) {
      set.set(GeneralMidi.DRUMS);
    }
    return set;
  }
}
