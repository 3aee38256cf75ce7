package io.faultline.scale;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Reads a Standard MIDI file and finds the instruments that actually play: events of all tracks are
 * replayed in tick order, each channel remembers its current program (General MIDI default 0, Acoustic
 * Grand Piano), and every note-on counts for the program its channel has at that moment; notes on
 * channel 10 count as drums. A program selected but never played does not count.
 */
public final class InstrumentExtractor {

  /** A file that is not a readable Standard MIDI file. */
  public static final class CorruptMidiException extends Exception {
    CorruptMidiException(String name, Throwable cause) {
      super(name + ": not a readable MIDI file (" + cause + ")", cause);
    }
  }

  private record TimedMessage(long tick, int order, ShortMessage message) {}

  private InstrumentExtractor() {}

  public static SongInstruments extract(String id, byte[] bytes) throws CorruptMidiException {
    Sequence sequence;
    try {
      sequence = MidiSystem.getSequence(new ByteArrayInputStream(bytes));
    } catch (InvalidMidiDataException | IOException | RuntimeException e) {
      throw new CorruptMidiException(id, e);
    }
    String title = null;
    List<TimedMessage> messages = new ArrayList<>();
    int order = 0;
    for (Track track : sequence.getTracks()) {
      for (int i = 0; i < track.size(); i++) {
        MidiEvent event = track.get(i);
        if (event.getMessage() instanceof ShortMessage m) {
          messages.add(new TimedMessage(event.getTick(), order++, m));
        } else if (title == null
            && event.getMessage() instanceof MetaMessage meta
            && meta.getType() == 0x03) {
          title = new String(meta.getData(), StandardCharsets.UTF_8).trim();
        }
      }
    }
    // at one tick a program change applies before the notes (tracks are merged in file order)
    messages.sort(
        Comparator.comparingLong(TimedMessage::tick)
            .thenComparingInt(t -> t.message().getCommand() == ShortMessage.PROGRAM_CHANGE ? 0 : 1)
            .thenComparingInt(TimedMessage::order));
    int[] program = new int[16];
    SortedMap<Integer, Integer> notes = new TreeMap<>();
    int drums = 0;
    for (TimedMessage t : messages) {
      ShortMessage m = t.message();
      int channel = m.getChannel();
      if (m.getCommand() == ShortMessage.PROGRAM_CHANGE) {
        program[channel] = m.getData1();
      } else if (m.getCommand() == ShortMessage.NOTE_ON && m.getData2() > 0) {
        if (channel == GeneralMidi.DRUM_CHANNEL) {
          drums++;
        } else {
          notes.merge(program[channel], 1, Integer::sum);
        }
      }
    }
    return new SongInstruments(
        id, title == null || title.isEmpty() ? id : title, notes, drums, sha256(bytes));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
