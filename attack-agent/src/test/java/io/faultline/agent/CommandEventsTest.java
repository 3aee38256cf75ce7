package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's event the producer failed to deliver goes to the outbox from the producer's callback,
 * which runs on the producer's network thread: the outbox's fsync must not hold that thread up.
 */
class CommandEventsTest {

  @TempDir Path dir;

  private static MockProducer<String, byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new StringSerializer(), new ByteArraySerializer());
  }

  /** A disk whose writes wait until {@link #free} opens; counts what it was given. */
  private static final class StuckDisk implements Outbox.Disk {
    final CountDownLatch free = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final List<String> kept = new CopyOnWriteArrayList<>();

    @Override
    public void keep(Path dir, Outbox.Pending record) throws java.io.IOException {
      entered.countDown();
      try {
        free.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kept.add(record.key());
      Files.writeString(dir.resolve(record.id() + ".json"), record.key());
    }
  }

  @Test
  void aSlowOutboxDiskDoesNotHoldUpTheCallbacksOfTheProducersOtherSends() throws Exception {
    StuckDisk disk = new StuckDisk();
    Outbox outbox = new Outbox(dir, Duration.ofMillis(100), disk);
    MockProducer<String, byte[]> kafka = producer(false);
    List<String> lost = new CopyOnWriteArrayList<>();
    CommandEvents events = new CommandEvents(kafka, outbox, "events", (w, t, e) -> lost.add(w));
    events.send("e1", new byte[] {1}, "ACCEPTED of e1");
    events.send("e2", new byte[] {2}, "ACCEPTED of e2");
    events.send("e3", new byte[] {3}, "STARTED of e1");

    // the producer's network thread: the first send failed, the next two are acknowledged
    CountDownLatch callbacksDone = new CountDownLatch(1);
    Thread network =
        new Thread(
            () -> {
              kafka.errorNext(new TimeoutException("delivery.timeout.ms passed"));
              kafka.completeNext();
              kafka.errorNext(new TimeoutException("delivery.timeout.ms passed"));
              callbacksDone.countDown();
            },
            "kafka-producer-network-thread");
    network.setDaemon(true); // were the callback to wait on the disk, it would wait for good
    network.start();

    assertThat(disk.entered.await(60, TimeUnit.SECONDS)).as("the outbox began to write").isTrue();
    assertThat(callbacksDone.await(60, TimeUnit.SECONDS))
        .as("the network thread went on while the outbox's disk was stuck")
        .isTrue();
    assertThat(disk.kept).as("nothing on disk yet: the disk is stuck").isEmpty();
    assertThat(outbox.pending())
        .as("both failed events held, in memory until written")
        .isEqualTo(2);

    disk.free.countDown();
    MockProducer<String, byte[]> back = producer(true);
    outbox.start(back);
    outbox.close(Duration.ofSeconds(60));
    assertThat(disk.kept)
        .as("written in the order they were handed over")
        .containsExactly("e1", "e3");
    assertThat(back.history()).extracting(r -> r.key()).containsExactly("e1", "e3");
    assertThat(lost).isEmpty();
  }

  @Test
  void anEventHandedOverJustBeforeTheAgentStopsIsOnDiskWhenCloseReturns() throws Exception {
    StuckDisk disk = new StuckDisk();
    Outbox outbox = new Outbox(dir, Duration.ofMillis(100), disk);
    MockProducer<String, byte[]> kafka = producer(false);
    CommandEvents events = new CommandEvents(kafka, outbox, "events", (w, t, e) -> {});
    events.send("e1", new byte[] {1}, "ACCEPTED of e1");
    Thread network =
        new Thread(() -> kafka.errorNext(new TimeoutException("delivery.timeout.ms passed")));
    network.setDaemon(true);
    network.start();
    assertThat(disk.entered.await(60, TimeUnit.SECONDS)).isTrue();

    Thread closing = new Thread(() -> outbox.close(Duration.ZERO));
    closing.start();
    disk.free.countDown();
    closing.join();

    assertThat(disk.kept).containsExactly("e1");
    try (var files = Files.list(dir)) {
      assertThat(files.count()).as("kept for the next start").isEqualTo(1);
    }
    // after close, a failed send is written on the caller's thread: still kept, not lost
    events.send("e2", new byte[] {2}, "STARTED of e1");
    kafka.errorNext(new TimeoutException("producer closed"));
    assertThat(disk.kept).containsExactly("e1", "e2");
  }

  @Test
  void aRecordTooLargeForTheBrokerIsLostNotParked() {
    Outbox outbox = new Outbox(dir, Duration.ofMillis(100), (d, p) -> {});
    MockProducer<String, byte[]> kafka = producer(false);
    List<String> lost = new CopyOnWriteArrayList<>();
    CommandEvents events = new CommandEvents(kafka, outbox, "events", (w, t, e) -> lost.add(w));
    events.send("e1", new byte[] {1}, "ACCEPTED of e1");
    kafka.errorNext(new RecordTooLargeException("too large"));
    assertThat(lost).containsExactly("ACCEPTED of e1");
    assertThat(outbox.pending()).isZero();
    outbox.close();
  }
}
