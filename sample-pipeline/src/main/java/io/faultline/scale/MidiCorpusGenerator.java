package io.faultline.scale;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Writes a reproducible corpus of real Standard MIDI files (type 1): one conductor track with tempo
 * and title, one track per instrument with its program change and notes, and on 70% of songs a drum
 * track on channel 10. The same size and seed always give byte-identical files; song {@code i}
 * depends only on {@code (seed, i)}, so corpora of different sizes share their first songs.
 *
 * <p>Instrument families are drawn with a Zipf-like skew (pianos and guitars common, pipes and
 * ethnic instruments rare), as in real MIDI collections. Some tracks first select a decoy program
 * and switch before their first note, as many real files do: only programs that sound count.
 */
public final class MidiCorpusGenerator {

  /** What a generated song contains: the notes each program plays and the drum notes. */
  public record PlannedSong(
      String id, String title, SortedMap<Integer, Integer> notesByProgram, int drumNotes) {}

  // GM families in order of how common they are in pop MIDI files
  private static final int[] FAMILY_ORDER = {0, 3, 4, 6, 7, 5, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15};
  private static final int[] CHANNELS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15};
  private static final int PPQ = 480;

  private MidiCorpusGenerator() {}

  public static String songId(int index) {
    return String.format("song-%05d", index);
  }

  /** The plan of song {@code index}; a pure function of (index, seed). */
  public static PlannedSong plan(int index, long seed) {
    Random random = new Random(seed * 1_000_003L + index);
    double[] weights = new double[16];
    double total = 0;
    for (int f = 0; f < 16; f++) {
      weights[f] = 1.0 / (f + 1);
      total += weights[f];
    }
    int count = 3 + random.nextInt(8);
    SortedMap<Integer, Integer> notes = new TreeMap<>();
    while (notes.size() < count) {
      double r = random.nextDouble() * total;
      int f = 0;
      while (r > weights[f]) {
        r -= weights[f];
        f++;
      }
      notes.put(FAMILY_ORDER[f] * 8 + random.nextInt(8), 4 + random.nextInt(21));
    }
    int drumNotes = random.nextDouble() < 0.7 ? 8 + random.nextInt(25) : 0;
    return new PlannedSong(
        songId(index), "Song " + index, Collections.unmodifiableSortedMap(notes), drumNotes);
  }

  /**
   * Writes songs 0..size-1 as {@code <id>.mid} into {@code dir}, in parallel; returns the plans.
   */
  public static List<PlannedSong> generate(Path dir, int size, long seed) throws IOException {
    if (size < 1) {
      throw new IllegalArgumentException("corpus size " + size + ": must be at least 1");
    }
    Files.createDirectories(dir);
    List<PlannedSong> plans = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      plans.add(plan(i, seed));
    }
    IOException[] failure = new IOException[1];
    IntStream.range(0, size)
        .parallel()
        .forEach(
            i -> {
              PlannedSong song = plans.get(i);
              try {
                Files.write(dir.resolve(song.id() + ".mid"), toMidi(song, seed));
              } catch (IOException e) {
                synchronized (failure) {
                  failure[0] = e;
                }
              }
            });
    if (failure[0] != null) {
      throw failure[0];
    }
    return plans;
  }

  /** The Standard MIDI file of a planned song. */
  public static byte[] toMidi(PlannedSong song, long seed) {
    Random random = new Random(seed ^ song.id().hashCode());
    try {
      Sequence sequence = new Sequence(Sequence.PPQ, PPQ);
      Track conductor = sequence.createTrack();
      conductor.add(meta(0x03, song.title().getBytes(StandardCharsets.UTF_8), 0));
      int bpm = 80 + random.nextInt(80);
      int micros = 60_000_000 / bpm;
      conductor.add(
          meta(0x51, new byte[] {(byte) (micros >> 16), (byte) (micros >> 8), (byte) micros}, 0));
      int channel = 0;
      for (var e : song.notesByProgram().entrySet()) {
        Track track = sequence.createTrack();
        int ch = CHANNELS[channel++];
        int program = e.getKey();
        track.add(
            meta(
                0x03,
                (GeneralMidi.familyName(GeneralMidi.family(program)) + " " + program)
                    .getBytes(StandardCharsets.UTF_8),
                0));
        if (random.nextInt(100) < 15) {
          int decoy = (program + 1 + random.nextInt(127)) % 128;
          track.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, decoy, 0), 0));
        }
        track.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, program, 0), 0));
        addNotes(track, ch, e.getValue(), 36 + random.nextInt(48), random);
      }
      if (song.drumNotes() > 0) {
        Track drums = sequence.createTrack();
        drums.add(meta(0x03, "Drums".getBytes(StandardCharsets.UTF_8), 0));
        addNotes(drums, GeneralMidi.DRUM_CHANNEL, song.drumNotes(), 35, random);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      MidiSystem.write(sequence, 1, out);
      return out.toByteArray();
    } catch (InvalidMidiDataException | IOException e) {
      throw new IllegalStateException("cannot write MIDI for " + song.id(), e);
    }
  }

  private static void addNotes(Track track, int channel, int count, int base, Random random)
      throws InvalidMidiDataException {
    long tick = 0;
    for (int n = 0; n < count; n++) {
      int key =
          channel == GeneralMidi.DRUM_CHANNEL ? 35 + random.nextInt(47) : base + random.nextInt(24);
      int velocity = 40 + random.nextInt(80);
      long length = PPQ / 4 * (1 + random.nextInt(4));
      track.add(
          new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, channel, key, velocity), tick));
      track.add(
          new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, channel, key, 0), tick + length));
      tick += length;
    }
  }

  private static MidiEvent meta(int type, byte[] data, long tick) throws InvalidMidiDataException {
    return new MidiEvent(new MetaMessage(type, data, data.length), tick);
  }
}
