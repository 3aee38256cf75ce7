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
 * replayed in tick order, each channel remembers its current program (General MIDI default 0,
 * Acoustic Grand Piano), and every note-on counts for the program its channel has at that moment;
 * notes on channel 10 count as drums. A program selected but never played does not count.
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
      checkChunks(bytes);
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

  /**
   * The JDK's reader accepts a file cut in the middle of a track; this walks the chunks first: the
   * header's track count must be met, every chunk must fit in the file and every track must end
   * with End of Track (FF 2F 00).
   */
  static void checkChunks(byte[] b) throws InvalidMidiDataException {
    if (b.length < 14 || !chunk(b, 0, "MThd")) {
      throw new InvalidMidiDataException("no MThd header");
    }
    long headerLength = u32(b, 4);
    int tracks = (b[10] & 0xff) << 8 | (b[11] & 0xff);
    if (headerLength < 6 || 8 + headerLength > b.length) {
      throw new InvalidMidiDataException("header length " + headerLength);
    }
    long at = 8 + headerLength;
    int found = 0;
    while (at + 8 <= b.length) {
      long length = u32(b, (int) at + 4);
      if (at + 8 + length > b.length) {
        throw new InvalidMidiDataException(
            "truncated: chunk at byte "
                + at
                + " declares "
                + length
                + " bytes, "
                + (b.length - at - 8)
                + " left");
      }
      if (chunk(b, (int) at, "MTrk")) {
        found++;
        int end = (int) (at + 8 + length);
        if (length < 3 || (b[end - 3] & 0xff) != 0xff || b[end - 2] != 0x2f || b[end - 1] != 0x00) {
          throw new InvalidMidiDataException("track " + found + " does not end with End of Track");
        }
      }
      at += 8 + length;
    }
    if (found < tracks) {
      throw new InvalidMidiDataException(
          "truncated: header declares " + tracks + " tracks, file has " + found);
    }
  }

  private static boolean chunk(byte[] b, int at, String type) {
    for (int i = 0; i < 4; i++) {
      if (b[at + i] != type.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL) << 24
        | (b[at + 1] & 0xffL) << 16
        | (b[at + 2] & 0xffL) << 8
        | (b[at + 3] & 0xffL);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
