package io.faultline.agent;

import io.faultline.common.DaemonThreads;
import io.faultline.common.HostName;
import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's active attacks on its own disk, written beside attack.state (the same record) and
 * removed once the attack is recovered and its events are in the {@link Outbox}. An agent restarted
 * with the same {@code agent.id} recovers what is left here at once, before it contacts Kafka: a
 * crash during a broker outage does not leave faults behind.
 *
 * <p>One append-only file, {@code journal.log}, kept open and preallocated with zeros, so that a
 * record costs one {@code fdatasync} and no metadata (docs/adr/0064). After a 4-byte magic, each
 * record is framed as its payload's length, the payload's CRC-32C, and the payload (a type byte,
 * then the Avro {@link AttackState} or the removed attack's id). A crash while appending leaves a
 * torn last record, which fails its length or CRC and is dropped on reopening; a bad record with a
 * good one after it is corruption, logged at ERROR, and only that record is lost. Compaction (the
 * live records to a new file, rename, directory fsync) runs at open and, once the file is three
 * quarters full, on a thread of its own. Files of the earlier format ({@code <sha256>.avro}, one
 * per attack) are read at open and folded into the journal.
 */
final class AttackJournal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AttackJournal.class);
  private static final AvroSerde<AttackState> serde = AvroSerde.of(AttackState.class);

  static final String FILE = "journal.log";

  /**
   * Locked while an agent has the journal open, and saying which: the journal file itself is
   * replaced at each compaction, and a lock goes with the file it was taken on.
   */
  static final String LOCK = "journal.lock";

  /** Preallocated bytes of a journal, at least (more when the live records need it). */
  static final long DEFAULT_CAPACITY = 1 << 20;

  private static final int MAGIC = 0x464c4a31; // "FLJ1"
  private static final int HEADER = 4;
  private static final int FRAME = 8; // payload length, payload CRC-32C
  private static final int MAX_PAYLOAD = 16 << 20;
  private static final byte STATE = 1;
  private static final byte REMOVED = 2;
  private static final int ZEROS = 64 << 10;

  private final Path dir;
  private final Path file;
  private final FileChannel lockChannel;
  private final long minCapacity; // 0: not preallocated, the file grows with each record
  private final Map<String, AttackState> live = new LinkedHashMap<>(); // guarded by this
  private final Map<String, Path> legacyFiles = new LinkedHashMap<>(); // guarded by this
  private final ExecutorService compactor =
      Executors.newSingleThreadExecutor(DaemonThreads.named("journal-compactor"));
  private FileChannel channel; // guarded by this
  private long position; // guarded by this
  private long capacity; // guarded by this
  private List<ByteBuffer> sinceSnapshot; // guarded by this; non-null while compacting
  private boolean closed; // guarded by this

  AttackJournal(Path dir) {
    this(dir, DEFAULT_CAPACITY);
  }

  /**
   * Opens the journal in {@code dir}: reads it (and the earlier format's files), drops a torn last
   * record, and rewrites the live records into a fresh file of at least {@code capacity} bytes (0:
   * no preallocation).
   */
  AttackJournal(Path dir, long capacity) {
    this.dir = AgentConfig.createUnderOutboxDir(dir);
    this.file = dir.resolve(FILE);
    this.minCapacity = capacity;
    this.lockChannel = lock(dir);
    try {
      Outbox.deleteQuietly(tmp()); // a compaction that did not finish: the journal is intact
      Scan scan = scan(dir, legacyFiles);
      live.putAll(scan.live());
      if (scan.corrupt()) {
        Path aside = dir.resolve(FILE + ".corrupt-" + System.currentTimeMillis());
        Files.move(file, aside);
        log.error("attack journal {}: kept as {} for inspection", file, aside);
      }
      List<ByteBuffer> frames = new ArrayList<>();
      live.values().forEach(s -> frames.add(frame(statePayload(s))));
      Replacement next = write(frames);
      install(next, List.of());
      // the earlier format's records are in the journal now, durably
      legacyFiles.values().forEach(Outbox::deleteQuietly);
      legacyFiles.clear();
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel); // releases the lock
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalArgumentException(
          "agent.outbox.dir: cannot open the attack journal " + file + ": " + e, e);
    }
  }

  /**
   * Takes {@link #LOCK} in {@code dir} for as long as this journal is open, and writes who holds
   * it; refuses when another agent (another process, or this one) holds it: two agents on one
   * directory would interleave their records and recover each other's attacks.
   */
  private static FileChannel lock(Path dir) {
    Path lockFile = dir.resolve(LOCK);
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "agent.outbox.dir: cannot open " + lockFile + ": " + e + "; point it at a writable dir",
          e);
    }
    try {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException thisProcess) {
        lock = null;
      }
      if (lock == null) {
        String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).strip();
        throw new IllegalArgumentException(
            "agent.outbox.dir: "
                + dir
                + " is in use by another agent ("
                + (holder.isEmpty() ? "holder unknown" : holder)
                + "); give each agent its own agent.id or agent.outbox.dir, or stop the other"
                + " one first");
      }
      ProcessHandle self = ProcessHandle.current();
      String holder =
          "pid "
              + self.pid()
              + " on "
              + HostName.local()
              + " since "
              + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      ch.truncate(0);
      writeFully(ch, ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(false);
      return ch;
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalArgumentException("agent.outbox.dir: cannot lock " + lockFile + ": " + e, e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      log.warn("closing {}: {}", LOCK, e.toString());
    }
  }

  /**
   * Records (or replaces) an attack, durably: one append and one {@code fdatasync}. Errors are
   * logged: Kafka's attack.state still has the record.
   */
  void record(AttackState state) {
    ByteBuffer frame = frame(statePayload(state));
    synchronized (this) {
      try {
        append(frame);
        channel.force(false);
        live.put(state.getAttackId(), state);
      } catch (IOException | RuntimeException e) {
        log.error(
            "cannot record attack {} in {}: {}; a restart without Kafka would not recover it",
            state.getAttackId(),
            file,
            e.toString());
      }
    }
  }

  /**
   * Forgets a recovered attack. Not fsync'd: the next record's fsync carries it, and a removal lost
   * to a crash only makes the next start recover the attack again, which is idempotent.
   */
  synchronized void remove(String attackId) {
    Path legacy = legacyFiles.remove(attackId);
    if (legacy != null) {
      Outbox.deleteQuietly(legacy);
    }
    if (live.remove(attackId) == null) {
      return;
    }
    try {
      append(frame(payload(REMOVED, attackId.getBytes(StandardCharsets.UTF_8))));
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot record the recovery of attack {} in {}: {}; the next start recovers it again",
          attackId,
          file,
          e.toString());
    }
  }

  /** The attacks recorded and not removed; at construction, what an earlier run left active. */
  synchronized List<AttackState> active() {
    return List.copyOf(live.values());
  }

  /** What a journal directory holds now, read without changing it (for tests and diagnosis). */
  static List<AttackState> read(Path dir) throws IOException {
    return List.copyOf(scan(dir, new LinkedHashMap<>()).live().values());
  }

  /** Bytes in use (header and records), for tests of compaction. */
  synchronized long used() {
    return position;
  }

  /**
   * Waits for a compaction in progress, then closes the file and releases the directory's lock.
   * Later calls do nothing.
   */
  @Override
  public void close() {
    compactor.shutdown();
    try {
      compactor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        channel.close();
      } catch (IOException e) {
        log.warn("closing attack journal {}: {}", file, e.toString());
      }
      closeQuietly(lockChannel); // last: another agent may open the journal now
    }
  }

  private void append(ByteBuffer frame) throws IOException {
    if (closed) {
      throw new IllegalStateException("the journal is closed (the agent is shutting down)");
    }
    long at = position;
    ByteBuffer b = frame.duplicate();
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
    position = at;
    if (sinceSnapshot != null) {
      sinceSnapshot.add(frame.duplicate());
    }
    long compactAt = capacity > 0 ? capacity * 3 / 4 : DEFAULT_CAPACITY;
    if (sinceSnapshot == null && position >= compactAt) {
      sinceSnapshot = new ArrayList<>();
      List<AttackState> snapshot = List.copyOf(live.values()); // encoded on the compactor's thread
      compactor.execute(() -> compact(snapshot));
    }
  }

  /**
   * Off the command path: the live records at the time of the snapshot to a new preallocated file,
   * fsync'd; then, holding the lock, what was appended meanwhile, the rename and the directory
   * fsync (a write-ahead record waits for those, once per compaction).
   */
  private void compact(List<AttackState> snapshot) {
    long started = System.nanoTime();
    Replacement next = null;
    try {
      List<ByteBuffer> frames = new ArrayList<>();
      snapshot.forEach(s -> frames.add(frame(statePayload(s))));
      next = write(frames);
      long locked;
      synchronized (this) {
        locked = System.nanoTime();
        if (closed) {
          next.channel().close();
          Outbox.deleteQuietly(tmp());
          return;
        }
        install(next, sinceSnapshot);
      }
      log.info(
          "attack journal {} compacted: {} records kept, {} ms ({} ms holding appends)",
          file,
          snapshot.size(),
          (System.nanoTime() - started) / 1_000_000,
          (System.nanoTime() - locked) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      log.error(
          "attack journal {}: compaction failed ({}); appending to the old file",
          file,
          e.toString());
      if (next != null) {
        try {
          next.channel().close();
        } catch (IOException ignored) {
          // the temporary file is deleted below either way
        }
      }
      Outbox.deleteQuietly(tmp());
    } finally {
      synchronized (this) {
        sinceSnapshot = null;
      }
    }
  }

  /** A new journal file, not yet in place. */
  private record Replacement(FileChannel channel, long position, long capacity) {}

  /** The header and {@code frames} to {@code journal.log.tmp}, zeros up to capacity, fsync'd. */
  private Replacement write(List<ByteBuffer> frames) throws IOException {
    FileChannel ch =
        FileChannel.open(
            tmp(),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try {
      long at = writeFully(ch, ByteBuffer.allocate(HEADER).putInt(0, MAGIC), 0);
      for (ByteBuffer f : frames) {
        at = writeFully(ch, f.duplicate(), at);
      }
      long cap = 0;
      if (minCapacity > 0) {
        cap = Math.max(minCapacity, roundUp(at * 4, 4096));
        ByteBuffer zeros = ByteBuffer.allocate(ZEROS);
        for (long z = at; z < cap; z += ZEROS) {
          writeFully(ch, zeros.clear().limit((int) Math.min(ZEROS, cap - z)), z);
        }
      }
      ch.force(false);
      return new Replacement(ch, at, cap);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Under the lock: the appends since the snapshot, the rename, the directory fsync, the swap. */
  private void install(Replacement next, List<ByteBuffer> since) throws IOException {
    long at = next.position();
    for (ByteBuffer f : since) {
      at = writeFully(next.channel(), f.duplicate(), at);
    }
    if (!since.isEmpty()) {
      next.channel().force(false);
    }
    try {
      Files.move(tmp(), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp(), file, StandardCopyOption.REPLACE_EXISTING);
    }
    Outbox.syncDirectory(dir);
    FileChannel old = channel;
    channel = next.channel(); // swapped before anything else can fail: the old file is gone
    position = at;
    capacity = next.capacity();
    if (old != null) {
      try {
        old.close();
      } catch (IOException e) {
        log.warn("closing the compacted attack journal: {}", e.toString());
      }
    }
  }

  private Path tmp() {
    return dir.resolve(FILE + ".tmp");
  }

  private static long writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
    return at;
  }

  private static long roundUp(long n, long unit) {
    return (n + unit - 1) / unit * unit;
  }

  private static byte[] statePayload(AttackState state) {
    return payload(STATE, serde.encode(state));
  }

  private static byte[] payload(byte type, byte[] body) {
    byte[] p = new byte[body.length + 1];
    p[0] = type;
    System.arraycopy(body, 0, p, 1, body.length);
    return p;
  }

  private static ByteBuffer frame(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer b = ByteBuffer.allocate(FRAME + payload.length);
    b.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    return b.flip();
  }

  /** What a scan found: the live attacks, and whether the file is corrupt (kept aside). */
  private record Scan(Map<String, AttackState> live, boolean corrupt) {}

  /**
   * The earlier format's files first (their paths into {@code legacy}), then the journal's records
   * in order; an unfinished earlier-format write ({@code .tmp}) is deleted.
   */
  private static Scan scan(Path dir, Map<String, Path> legacy) throws IOException {
    Map<String, AttackState> live = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp") && !name.startsWith(FILE)) {
          Outbox.deleteQuietly(f); // written before the fault was applied, never completed
        } else if (name.endsWith(".avro")) {
          try {
            AttackState s = serde.decode(Files.readAllBytes(f));
            live.put(s.getAttackId(), s);
            legacy.put(s.getAttackId(), f);
          } catch (IOException | RuntimeException e) {
            log.error("unreadable attack record {} left as it is: {}", f, e.toString());
          }
        }
      }
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(FILE));
    } catch (NoSuchFileException e) {
      return new Scan(live, false);
    }
    return new Scan(live, replay(dir.resolve(FILE), bytes, live));
  }

  /**
   * Applies the journal's records to {@code live}; true when the file holds corruption (a bad
   * record with a good one after it, or no journal header), false when it ends cleanly or with a
   * torn last record.
   */
  private static boolean replay(Path file, byte[] bytes, Map<String, AttackState> live) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER || b.getInt(0) != MAGIC) {
      if (allZero(bytes, 0)) {
        return false; // created, header not yet on disk: nothing was recorded in it
      }
      log.error(
          "attack journal {}: not a journal (no header {}); nothing read from it",
          file,
          Integer.toHexString(MAGIC));
      return true;
    }
    boolean corrupt = false;
    int records = 0;
    int pos = HEADER;
    while (pos < bytes.length) {
      Frame f = frameAt(b, pos);
      if (f == null && allZero(bytes, pos)) {
        break; // the end: zeros of the preallocation, or the end of the file
      }
      if (f != null) {
        apply(file, pos, f, live);
        records++;
        pos = f.next();
        continue;
      }
      int length = bytes.length - pos >= FRAME ? b.getInt(pos) : -1;
      int next = length > 0 && length <= MAX_PAYLOAD ? pos + FRAME + length : -1;
      if (next > 0 && next <= bytes.length && (frameAt(b, next) != null)) {
        log.error(
            "attack journal {}: record {} at byte {} ({} bytes) fails its CRC-32C: lost (an"
                + " attack recorded only there is recovered from attack.state when Kafka is up);"
                + " reading on at byte {}",
            file,
            records + 1,
            pos,
            length,
            next);
        corrupt = true;
        records++;
        pos = next;
        continue;
      }
      log.warn(
          "attack journal {}: a torn record at byte {} (a crash while it was written; its fault was"
              + " never applied), {} non-zero bytes dropped; the {} records before it are kept",
          file,
          pos,
          countNonZero(bytes, pos),
          records);
      break;
    }
    return corrupt;
  }

  /** A whole record with a matching CRC at {@code pos}, or null. */
  private record Frame(byte[] payload, int next) {}

  private static Frame frameAt(ByteBuffer b, int pos) {
    if (b.limit() - pos < FRAME) {
      return null;
    }
    int length = b.getInt(pos);
    if (length <= 0 || length > MAX_PAYLOAD || length > b.limit() - pos - FRAME) {
      return null;
    }
    byte[] payload = new byte[length];
    b.get(pos + FRAME, payload);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    if ((int) crc.getValue() != b.getInt(pos + 4)) {
      return null;
    }
    return new Frame(payload, pos + FRAME + length);
  }

  private static void apply(Path file, int pos, Frame f, Map<String, AttackState> live) {
    byte[] p = f.payload();
    try {
      if (p[0] == STATE) {
        AttackState s = serde.decode(Arrays.copyOfRange(p, 1, p.length));
        live.put(s.getAttackId(), s);
      } else if (p[0] == REMOVED) {
        live.remove(new String(p, 1, p.length - 1, StandardCharsets.UTF_8));
      } else {
        log.error("attack journal {}: record at byte {} has unknown type {}", file, pos, p[0]);
      }
    } catch (RuntimeException e) {
      log.error("attack journal {}: record at byte {} unreadable: {}", file, pos, e.toString());
    }
  }

  private static boolean allZero(byte[] bytes, int from) {
    return countNonZero(bytes, from) == 0;
  }

  private static int countNonZero(byte[] bytes, int from) {
    int n = 0;
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        n++;
      }
    }
    return n;
  }

  /** Attack ids come from commands: a hash keeps them out of file paths. */
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
