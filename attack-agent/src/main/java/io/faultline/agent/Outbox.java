package io.faultline.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a recovery publishes (events, attack.state tombstones, failure reports), and any other event
 * the producer failed to deliver, kept on the agent's own disk until the broker acknowledges it.
 * Every record is written to a file of its own (fsync'd, then renamed into place) by the outbox's
 * one writer thread, in the order it was handed in, then sent by a sender thread, so no caller
 * waits on Kafka: {@link #publish} waits for the disk, {@link #handOver} (a producer's callback,
 * which runs on the producer's network thread and must not wait on a disk) not even for that. The
 * file is deleted only after the broker's ack, and files left by an earlier run are delivered when
 * the agent starts again. Each record has a unique id (its file name); the producer is idempotent,
 * so a record is written once unless the agent dies between the broker's ack and the file's
 * deletion (then it is sent again, with the same event id).
 */
final class Outbox implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final ObjectMapper json = new ObjectMapper();
  private static final AtomicLong sequence = new AtomicLong();

  /** One pending record: its id (also its file name), where it goes, and its bytes. */
  record Pending(String id, String topic, String key, byte[] value) {}

  /** How a record is kept on disk before it is sent (tests hand in a slow disk). */
  interface Disk {
    void keep(Path dir, Pending record) throws IOException;
  }

  private final Path dir;
  private volatile Producer<String, byte[]> producer;
  private final Duration retry;
  private final Map<String, Pending> pending = new ConcurrentSkipListMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean parked = new AtomicBoolean();
  // a retry is scheduled only while a record waits for one: an idle agent's sender sleeps
  private final AtomicBoolean retryScheduled = new AtomicBoolean();
  private final AtomicLong delivered = new AtomicLong();
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("outbox-sender"));
  // one thread: records reach the disk, and the pending map, in the order they were handed in
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(DaemonThreads.named("outbox-writer"));
  private final AtomicInteger unwritten = new AtomicInteger();
  private final Disk disk;

  /** Reads what an earlier run left; nothing is sent before {@link #start}. */
  Outbox(Path dir, Duration retry) {
    this(dir, retry, Outbox::write);
  }

  Outbox(Path dir, Duration retry, Disk disk) {
    this.dir = dir;
    this.retry = retry;
    this.disk = disk;
    AgentConfig.createUnderOutboxDir(dir);
    try (var files = Files.list(dir)) {
      files.forEach(
          f -> {
            if (f.toString().endsWith(".tmp")) {
              deleteQuietly(f); // a write the last run did not finish: its record was not kept
            } else if (f.toString().endsWith(".json")) {
              try {
                Pending p = read(f);
                pending.put(p.id(), p);
              } catch (IOException | RuntimeException e) {
                log.error("outbox: unreadable record {} left as it is: {}", f, e.toString());
              }
            }
          });
    } catch (IOException e) {
      throw new IllegalArgumentException("agent.outbox.dir: cannot list " + dir + ": " + e, e);
    }
    if (!pending.isEmpty()) {
      parked.set(true);
      log.warn(
          "outbox {}: {} records of an earlier run not yet on Kafka; delivering them",
          dir,
          pending.size());
    }
  }

  /**
   * Starts delivering through {@code producer}: now, each record as it is kept, and a record Kafka
   * did not take again every {@code retry} until it does.
   */
  void start(Producer<String, byte[]> producer) {
    this.producer = producer;
    sender.execute(this::deliver);
  }

  /**
   * Keeps the record on disk, then sends it in the background; a null value is a tombstone. Waits
   * for the disk (and for the records handed in before it), never for Kafka.
   */
  void publish(String topic, String key, byte[] value) {
    Future<?> kept = enqueue(topic, key, value);
    if (kept == null) {
      return;
    }
    try {
      kept.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the writer keeps it all the same
    } catch (ExecutionException e) {
      throw new IllegalStateException("outbox " + dir + ": " + e.getCause(), e.getCause());
    }
  }

  /**
   * As {@link #publish}, without waiting for the disk: for a producer's callback, on the producer's
   * network thread, where an fsync would hold up every other send of that producer. The record
   * keeps its place in the order records are handed in; {@link #close} writes it before it returns.
   */
  void handOver(String topic, String key, byte[] value) {
    enqueue(topic, key, value);
  }

  /** The writer's task for one record, or null when it was written here (the outbox closed). */
  private Future<?> enqueue(String topic, String key, byte[] value) {
    String id =
        String.format(
            "%013d-%06d-%s",
            System.currentTimeMillis(), sequence.incrementAndGet() % 1_000_000, UUID.randomUUID());
    Pending p = new Pending(id, topic, key, value);
    unwritten.incrementAndGet();
    try {
      return writer.submit(() -> keep(p, true));
    } catch (RejectedExecutionException closed) {
      // handed in while or after the agent closed (a send that failed in producer.close()): on
      // disk here, the next start delivers it
      keep(p, false);
      log.warn("outbox {}: closed; {} for {} kept for the next start", dir, id, topic);
      return null;
    }
  }

  private void keep(Pending p, boolean send) {
    try {
      disk.keep(dir, p);
    } catch (IOException | RuntimeException e) {
      // still sent below; only a crash before the broker's ack would lose it now
      log.error(
          "outbox {}: cannot keep {} for {} on disk: {}", dir, p.id(), p.topic(), e.toString());
    }
    pending.put(p.id(), p);
    unwritten.decrementAndGet();
    if (!send) {
      return;
    }
    try {
      sender.execute(this::deliver);
    } catch (RejectedExecutionException closed) {
      log.warn("outbox {}: closed; {} for {} kept for the next start", dir, p.id(), p.topic());
    }
  }

  /** Records not yet acknowledged by Kafka, including those not yet on disk. */
  int pending() {
    return pending.size() + unwritten.get();
  }

  long delivered() {
    return delivered.get();
  }

  /** Waits until nothing is pending, at most {@code limit}; true when the outbox is empty. */
  boolean awaitEmpty(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (pending() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return pending() == 0;
  }

  private void deliver() {
    Producer<String, byte[]> producer = this.producer;
    if (producer == null) {
      return;
    }
    for (Pending p : pending.values()) {
      if (!inFlight.add(p.id())) {
        continue;
      }
      try {
        producer.send(
            new ProducerRecord<>(p.topic(), p.key(), p.value()),
            (meta, e) -> {
              if (e == null) {
                pending.remove(p.id());
                deleteQuietly(dir.resolve(p.id() + ".json"));
                delivered.incrementAndGet();
                if (pending.isEmpty() && parked.compareAndSet(true, false)) {
                  log.warn("outbox {}: every parked record is on Kafka now", dir);
                }
              } else {
                park(p, e);
              }
              inFlight.remove(p.id());
            });
      } catch (RuntimeException e) {
        // max.block.ms passed without metadata (Kafka away), or the producer is closed
        inFlight.remove(p.id());
        park(p, e);
        return;
      }
    }
  }

  private void park(Pending p, Exception why) {
    if (parked.compareAndSet(false, true)) {
      log.warn(
          "outbox {}: Kafka did not take {} for {} ({}); {} records parked there until Kafka is"
              + " back",
          dir,
          p.id(),
          p.topic(),
          why.toString(),
          pending.size());
    }
    retryLater();
  }

  /** One delivery round {@code retry} from now, unless one is scheduled already. */
  private void retryLater() {
    if (!retryScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      sender.schedule(
          () -> {
            retryScheduled.set(false);
            deliver();
          },
          Math.max(100, retry.toMillis()),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      retryScheduled.set(false); // closed: the next start delivers what is left
    }
  }

  private static void write(Path dir, Pending p) throws IOException {
    ObjectNode node = json.createObjectNode();
    node.put("id", p.id());
    node.put("topic", p.topic());
    node.put("key", p.key());
    node.put("value", p.value() == null ? null : Base64.getEncoder().encodeToString(p.value()));
    byte[] bytes = (json.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    writeDurably(dir, p.id(), ".json", bytes);
  }

  /**
   * {@code dir/name+suffix} with {@code bytes}, all or nothing across a crash: written to {@code
   * name.tmp}, fsync'd, renamed into place, and the directory fsync'd (the outbox's records and the
   * journal's attacks alike). A {@code .tmp} left by a crash is an unfinished write.
   */
  static void writeDurably(Path dir, String name, String suffix, byte[] bytes) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Path target = dir.resolve(name + suffix);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(dir);
  }

  static Pending read(Path file) throws IOException {
    var node = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
    String value = node.path("value").isNull() ? null : node.path("value").asText();
    return new Pending(
        node.path("id").asText(),
        node.path("topic").asText(),
        node.path("key").isNull() ? null : node.path("key").asText(),
        value == null ? null : Base64.getDecoder().decode(value));
  }

  /** So that a renamed file survives a power cut (the rename itself lives in the directory). */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems refuse to open a directory; the file's own fsync is done
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", file, e.toString());
    }
  }

  /**
   * Gives pending records up to {@code limit} to reach Kafka, then stops; what is left stays on
   * disk for the next run.
   */
  void close(Duration limit) {
    // every record handed in so far reaches the disk first: nothing handed over is lost by a stop
    writer.shutdown();
    try {
      while (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("outbox {}: {} records still being written to disk", dir, unwritten.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!awaitEmpty(producer == null ? Duration.ZERO : limit)) {
      log.warn(
          "outbox {}: {} records not on Kafka yet; kept there for the next start", dir, pending());
    }
    sender.shutdownNow();
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }
}
