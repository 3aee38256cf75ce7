package io.faultline.scale;

import java.util.BitSet;

/**
 * One song of the corpus: its General MIDI instruments (program numbers 0-127) and whether it has
 * drums (channel 10). Drums count as one more element (index 128) of the instrument set.
 */
public record Song(String id, String title, BitSet instruments) {

  public static final int DRUMS = GeneralMidi.DRUMS;

  public int size() {
    return instruments.cardinality();
  }

  public boolean hasDrums() {
    return instruments.get(DRUMS);
  }
}
