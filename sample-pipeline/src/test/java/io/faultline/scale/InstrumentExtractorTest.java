package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstrumentExtractorTest {

  @TempDir Path dir;

  @Test
  void extractsThePlannedInstrumentsOfEveryGeneratedSong() throws Exception {
    List<MidiCorpusGenerator.PlannedSong> plans = MidiCorpusGenerator.generate(dir, 300, 42);
    int withDrums = 0;
    for (var plan : plans) {
      byte[] bytes = Files.readAllBytes(dir.resolve(plan.id() + ".mid"));
      SongInstruments song = InstrumentExtractor.extract(plan.id(), bytes);
      assertThat(song.notesByProgram()).as(plan.id()).isEqualTo(plan.notesByProgram());
      assertThat(song.drumNotes()).as(plan.id()).isEqualTo(plan.drumNotes());
      assertThat(song.title()).isEqualTo(plan.title());
      assertThat(song.instrumentSet().cardinality())
          .isEqualTo(plan.notesByProgram().size() + (plan.drumNotes() > 0 ? 1 : 0));
      withDrums += plan.drumNotes() > 0 ? 1 : 0;
    }
    // drums on about 70% of songs, 3-10 programs each
    assertThat(withDrums).isBetween(170, 250);
    assertThat(plans).allSatisfy(p -> assertThat(p.notesByProgram().size()).isBetween(3, 10));
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherSongs() throws Exception {
    MidiCorpusGenerator.generate(dir.resolve("one"), 20, 7);
    MidiCorpusGenerator.generate(dir.resolve("two"), 20, 7);
    MidiCorpusGenerator.generate(dir.resolve("three"), 20, 8);
    byte[] one = Files.readAllBytes(dir.resolve("one/song-00013.mid"));
    assertThat(Files.readAllBytes(dir.resolve("two/song-00013.mid"))).isEqualTo(one);
    assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("three/song-00013.mid")), one))
        .isFalse();
    assertThat(MidiSystem.getMidiFileFormat(dir.resolve("one/song-00013.mid").toFile()).getType())
        .isEqualTo(1);
  }

  @Test
  void theInMemoryCorpusIsTheSameFilesWithoutTheDisk() throws Exception {
    MidiCorpusGenerator.generate(dir, 30, 42);
    GeneratedCorpus memory = new GeneratedCorpus(30, 42);
    var entries = memory.list();
    assertThat(entries).hasSize(30);
    for (var e : entries) {
      assertThat(memory.read(e))
          .as(e.songId())
          .isEqualTo(Files.readAllBytes(dir.resolve(e.location())));
    }
  }

  @Test
  void countsTheProgramInEffectAtEachNoteAcrossTracks() throws Exception {
    Sequence seq = new Sequence(Sequence.PPQ, 96);
    Track setup = seq.createTrack();
    // track 1 selects programs; track 2 plays: a type-1 file's channels are shared by all tracks
    setup.add(event(ShortMessage.PROGRAM_CHANGE, 2, 40, 0, 0));
    setup.add(event(ShortMessage.PROGRAM_CHANGE, 2, 56, 0, 200));
    setup.add(event(ShortMessage.PROGRAM_CHANGE, 3, 19, 0, 0)); // selected, never played
    Track play = seq.createTrack();
    play.add(event(ShortMessage.NOTE_ON, 2, 60, 90, 10));
    play.add(event(ShortMessage.NOTE_ON, 2, 62, 90, 20));
    play.add(event(ShortMessage.NOTE_ON, 2, 64, 0, 30)); // velocity 0 = note off
    play.add(event(ShortMessage.NOTE_ON, 2, 65, 90, 200)); // same tick as the change: new program
    play.add(event(ShortMessage.NOTE_ON, 5, 48, 90, 50)); // no program change: GM piano (0)
    play.add(event(ShortMessage.NOTE_ON, 9, 36, 90, 50)); // channel 10: drums
    play.add(event(ShortMessage.NOTE_ON, 9, 38, 90, 60));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MidiSystem.write(seq, 1, out);

    SongInstruments song = InstrumentExtractor.extract("hand", out.toByteArray());

    assertThat(song.notesByProgram()).isEqualTo(Map.of(40, 2, 56, 1, 0, 1));
    assertThat(song.drumNotes()).isEqualTo(2);
    assertThat(song.title()).isEqualTo("hand");
    assertThat(song.instrumentSet().stream().boxed().toList()).containsExactly(0, 40, 56, 128);
    assertThat(song.sha256()).hasSize(64);
  }

  @Test
  void truncatedAndGarbageFilesAreCorruptAndNamed() throws Exception {
    byte[] good = MidiCorpusGenerator.toMidi(TestCorpus.song("ok", true, 0, 24, 33), 1);
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    assertThatThrownBy(() -> InstrumentExtractor.extract("half.mid", truncated))
        .isInstanceOf(InstrumentExtractor.CorruptMidiException.class)
        .hasMessageStartingWith("half.mid: not a readable MIDI file");
    assertThatThrownBy(() -> InstrumentExtractor.extract("text.mid", "not midi at all".getBytes()))
        .isInstanceOf(InstrumentExtractor.CorruptMidiException.class)
        .hasMessageStartingWith("text.mid: ");
    assertThatThrownBy(() -> InstrumentExtractor.extract("empty.mid", new byte[0]))
        .isInstanceOf(InstrumentExtractor.CorruptMidiException.class);
    // cut just before the last track's End of Track: every chunk still fits but the track is open
    byte[] open = Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> InstrumentExtractor.extract("open.mid", open))
        .isInstanceOf(InstrumentExtractor.CorruptMidiException.class);
    // whole tracks missing at the end
    assertThatThrownBy(() -> InstrumentExtractor.extract("short.mid", Arrays.copyOf(good, 60)))
        .hasMessageContaining("truncated");
    assertThat(InstrumentExtractor.extract("ok.mid", good).notesByProgram()).hasSize(3);
  }

  private static MidiEvent event(int command, int channel, int d1, int d2, long tick)
      throws Exception {
    return new MidiEvent(new ShortMessage(command, channel, d1, d2), tick);
  }
}
