package io.faultline.scale;

/**
 * General MIDI vocabulary: programs 0-127 fall into 16 families of 8; the drum kit (channel 10,
 * index 9) has no program and is element {@link #DRUMS} of an instrument set, family {@link
 * #DRUM_FAMILY}.
 */
public final class GeneralMidi {

  public static final int DRUMS = 128;
  public static final int DRUM_FAMILY = 16;
  public static final int DRUM_CHANNEL = 9;

  private static final String[] FAMILIES = {
    "Piano",
    "Chromatic Percussion",
    "Organ",
    "Guitar",
    "Bass",
    "Strings",
    "Ensemble",
    "Brass",
    "Reed",
    "Pipe",
    "Synth Lead",
    "Synth Pad",
    "Synth Effects",
    "Ethnic",
    "Percussive",
    "Sound Effects",
    "Drums"
  };

  private GeneralMidi() {}

  /** The family index of a program (0-127) or of {@link #DRUMS}. */
  public static int family(int program) {
    if (program < 0 || program > DRUMS) {
      throw new IllegalArgumentException("program " + program + ": must be 0-127 or 128 (drums)");
    }
    return program == DRUMS ? DRUM_FAMILY : program / 8;
  }

  public static String familyName(int family) {
    return FAMILIES[family];
  }
}
