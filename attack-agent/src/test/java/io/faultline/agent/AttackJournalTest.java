package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The journal of active attacks: one framed record per write, a torn last record dropped, a bad
 * record in the middle logged and skipped, the earlier one-file-per-attack format read on upgrade,
 * and compaction that keeps exactly the live records.
 */
class AttackJournalTest {

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger journalLog = (Logger) LoggerFactory.getLogger(AttackJournal.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    journalLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    journalLog.detachAppender(logs);
  }

  static AttackState state(String attackId) {
    return AttackState.newBuilder()
        .setAttackId(attackId)
        .setExperimentId("e")
        .setCommandId("c-" + attackId)
        .setFault("pause-process")
        .setAgentId("journal-agent")
        .setTargets(List.of("victim pid=4242"))
        .setParameters(Map.of())
        .setRecovery(Map.of("victim.pid", "4242"))
        .setStartedAt(1_000L)
        .setExpiresAt(61_000L)
        .build();
  }

  private static List<String> ids(List<AttackState> states) {
    return states.stream().map(AttackState::getAttackId).sorted().toList();
  }

  private List<ILoggingEvent> at(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).toList();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, AttackJournal.DEFAULT_CAPACITY})
  void keepsRecordsAndRemovalsAcrossAReopen(long capacity) {
    try (AttackJournal journal = new AttackJournal(dir, capacity)) {
      journal.record(state("a"));
      journal.record(state("b"));
      journal.record(state("c"));
      journal.remove("b");
    }
    try (AttackJournal journal = new AttackJournal(dir, capacity)) {
      assertThat(ids(journal.active())).containsExactly("a", "c");
    }
    assertThat(at(Level.ERROR)).isEmpty();
    assertThat(at(Level.WARN)).isEmpty();
  }

  @Test
  void aRecordReplacedKeepsItsLatestContent() throws Exception {
    try (AttackJournal journal = new AttackJournal(dir)) {
      journal.record(state("a"));
      AttackState withRecovery = state("a");
      withRecovery.setRecovery(Map.of("victim.pid", "4242", "victim.burner", "77"));
      journal.record(withRecovery);
    }
    assertThat(AttackJournal.read(dir))
        .singleElement()
        .satisfies(s -> assertThat(s.getRecovery()).containsEntry("victim.burner", "77"));
  }

  /**
   * A crash while the last record was written leaves any prefix of it on disk, followed by the
   * preallocation's zeros (or nothing): at every cut, the earlier records are recovered, the torn
   * one is not, nothing is logged as corruption, and the journal takes records again after it.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aTornLastRecordAtEveryByteIsDroppedAndTheEarlierOnesKept(boolean preallocated)
      throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    long lastStart;
    long lastEnd;
    try (AttackJournal journal = new AttackJournal(source, 0)) {
      journal.record(state("first"));
      journal.record(state("second"));
      journal.remove("first");
      lastStart = journal.used();
      journal.record(state("torn"));
      lastEnd = journal.used();
    }
    byte[] whole = Files.readAllBytes(source.resolve(AttackJournal.FILE));
    assertThat((long) whole.length).isEqualTo(lastEnd);
    for (long cut = lastStart; cut < lastEnd; cut++) {
      Path crashed = Files.createDirectories(dir.resolve((preallocated ? "zeros-" : "cut-") + cut));
      byte[] onDisk =
          preallocated
              ? Arrays.copyOf(Arrays.copyOf(whole, (int) cut), whole.length + 4096)
              : Arrays.copyOf(whole, (int) cut);
      Files.write(crashed.resolve(AttackJournal.FILE), onDisk);

      assertThat(ids(AttackJournal.read(crashed)))
          .as("cut at byte %d", cut)
          .containsExactly("second");
      try (AttackJournal reopened = new AttackJournal(crashed, 0)) {
        assertThat(ids(reopened.active())).as("cut at byte %d", cut).containsExactly("second");
        reopened.record(state("after"));
      }
      assertThat(ids(AttackJournal.read(crashed)))
          .as("a record after the torn one, cut at byte %d", cut)
          .containsExactly("after", "second");
    }
    assertThat(at(Level.ERROR)).as("a torn tail is not corruption").isEmpty();
    assertThat(at(Level.WARN))
        .as("the cuts that left bytes of the torn record are logged as such")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("a torn record at byte"));
  }

  @Test
  void aBadRecordInTheMiddleIsAnErrorThatLosesOnlyThatRecord() throws Exception {
    long secondStart;
    long secondEnd;
    try (AttackJournal journal = new AttackJournal(dir, 0)) {
      journal.record(state("one"));
      secondStart = journal.used();
      journal.record(state("two"));
      secondEnd = journal.used();
      journal.record(state("three"));
      journal.record(state("four"));
      journal.remove("four");
    }
    Path file = dir.resolve(AttackJournal.FILE);
    byte[] bytes = Files.readAllBytes(file);
    int flipped = (int) (secondStart + (secondEnd - secondStart) / 2);
    bytes[flipped] ^= 0x5a; // a bit flip inside the second record's payload
    Files.write(file, bytes);

    try (AttackJournal journal = new AttackJournal(dir, 0)) {
      assertThat(ids(journal.active()))
          .as("the record before the bad one, and those after it")
          .containsExactly("one", "three");
    }
    assertThat(at(Level.ERROR))
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains(file.toString())
                    .contains("record 2 at byte " + secondStart)
                    .contains("fails its CRC-32C"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("the corrupt file kept for inspection")
          .anyMatch(n -> n.startsWith(AttackJournal.FILE + ".corrupt-"));
    }
  }

  @Test
  void aFileWithoutTheJournalHeaderIsAnErrorNotASilentEmptyJournal() throws Exception {
    Files.writeString(dir.resolve(AttackJournal.FILE), "not a journal");
    try (AttackJournal journal = new AttackJournal(dir)) {
      assertThat(journal.active()).isEmpty();
    }
    assertThat(at(Level.ERROR))
        .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("not a journal"));
  }

  /** An agent that crashed on the earlier version left one fsync'd file per active attack. */
  @Test
  void readsTheEarlierOneFilePerAttackFormatOnUpgrade() throws Exception {
    AvroSerde<AttackState> serde = AvroSerde.of(AttackState.class);
    for (String id : List.of("old-1", "old-2")) {
      // exactly how the earlier AttackJournal wrote a record
      Outbox.writeDurably(dir, AttackJournal.sha256Hex(id), ".avro", serde.encode(state(id)));
    }
    Files.write(dir.resolve(AttackJournal.sha256Hex("old-3") + ".tmp"), new byte[] {1, 2, 3});

    try (AttackJournal journal = new AttackJournal(dir)) {
      assertThat(ids(journal.active())).containsExactly("old-1", "old-2");
      journal.remove("old-1");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("the earlier files folded into the journal; the unfinished write deleted")
          .containsExactlyInAnyOrder(AttackJournal.FILE, AttackJournal.LOCK);
    }
    assertThat(ids(AttackJournal.read(dir))).containsExactly("old-2");
  }

  @Test
  void compactionKeepsTheLiveRecordsAndDropsTheRecoveredOnes() throws Exception {
    long capacity = 16 << 10;
    Path uncompacted = Files.createDirectories(dir.resolve("uncompacted"));
    Path compacted = Files.createDirectories(dir.resolve("compacted"));
    long appended = 0;
    for (Path d : List.of(uncompacted, compacted)) {
      // without preallocation a journal compacts at 1 MiB, past what this writes
      try (AttackJournal journal = new AttackJournal(d, d == compacted ? capacity : 0)) {
        journal.record(state("long-lived"));
        for (int i = 0; i < 500; i++) {
          journal.record(state("short-" + i));
          journal.remove("short-" + i);
        }
        journal.record(state("last"));
        if (d == uncompacted) {
          appended = journal.used();
        }
      }
    }
    assertThat(Files.size(uncompacted.resolve(AttackJournal.FILE))).isEqualTo(appended);
    assertThat(Files.size(compacted.resolve(AttackJournal.FILE)))
        .as("a compaction dropped the records of recovered attacks (%d bytes appended)", appended)
        .isLessThan(appended);
    assertThat(ids(AttackJournal.read(compacted))).containsExactly("last", "long-lived");
    assertThat(at(Level.INFO))
        .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("compacted"));
    assertThat(at(Level.ERROR)).isEmpty();
  }
}
