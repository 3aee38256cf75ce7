package io.faultline.agent;

import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's active attacks on its own disk, written beside attack.state (the same record, one
 * fsync'd file per attack) and deleted once the attack is recovered and its events are in the
 * {@link Outbox}. An agent restarted with the same {@code agent.id} recovers what is left here at
 * once, before it contacts Kafka: a crash during a broker outage does not leave faults behind.
 */
final class AttackJournal {

  private static final Logger log = LoggerFactory.getLogger(AttackJournal.class);
  private static final AvroSerde<AttackState> serde = AvroSerde.of(AttackState.class);

  private final Path dir;

  AttackJournal(Path dir) {
    this.dir = dir;
    AgentConfig.createUnderOutboxDir(dir);
  }

  /** Records (or replaces) an attack; errors are logged: Kafka's attack.state still has it. */
  void record(AttackState state) {
    try {
      Outbox.writeDurably(dir, fileName(state.getAttackId()), ".avro", serde.encode(state));
    } catch (IOException e) {
      log.error(
          "cannot record attack {} in {}: {}; a restart without Kafka would not recover it",
          state.getAttackId(),
          dir,
          e.toString());
    }
  }

  void remove(String attackId) {
    Outbox.deleteQuietly(dir.resolve(fileName(attackId) + ".avro"));
  }

  /** The attacks an earlier run left active. */
  List<AttackState> load() {
    List<AttackState> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (f.toString().endsWith(".tmp")) {
          Outbox.deleteQuietly(f); // written before the fault was applied, never completed
        } else if (f.toString().endsWith(".avro")) {
          try {
            out.add(serde.decode(Files.readAllBytes(f)));
          } catch (IOException | RuntimeException e) {
            log.error("unreadable attack record {} left as it is: {}", f, e.toString());
          }
        }
      }
    } catch (IOException e) {
      log.error("cannot list {}: {}", dir, e.toString());
    }
    return out;
  }

  /** Attack ids come from commands: a hash keeps them out of file paths. */
  private static String fileName(String attackId) {
    return sha256Hex(attackId);
  }

  static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
