package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

  @TempDir Path dir;

  private static MockProducer<String, byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new StringSerializer(), new ByteArraySerializer());
  }

  private static boolean within(Duration limit, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return condition.getAsBoolean();
  }

  private long files() throws Exception {
    try (var list = Files.list(dir)) {
      return list.count();
    }
  }

  @Test
  void keepsARecordOnDiskUntilTheBrokerAcksIt() throws Exception {
    MockProducer<String, byte[]> kafka = producer(false);
    Outbox outbox = new Outbox(dir, Duration.ofMillis(100));
    outbox.start(kafka);
    outbox.publish("events", "e1", new byte[] {1, 2, 3});
    assertThat(files()).as("on disk before anything is sent").isEqualTo(1);
    assertThat(within(Duration.ofSeconds(5), () -> kafka.history().size() == 1)).isTrue();
    assertThat(files()).as("sent, not acknowledged").isEqualTo(1);

    assertThat(kafka.completeNext()).isTrue();
    assertThat(within(Duration.ofSeconds(5), () -> outbox.pending() == 0)).isTrue();
    assertThat(files()).as("deleted after the ack").isZero();
    assertThat(outbox.delivered()).isEqualTo(1);
    outbox.close();
  }

  @Test
  void aRecordKafkaDidNotTakeIsSentAgainOnceAndByTheNextRun() throws Exception {
    MockProducer<String, byte[]> away = producer(false);
    Outbox outbox = new Outbox(dir, Duration.ofHours(1));
    outbox.start(away);
    outbox.publish("state", "a1", null);
    outbox.publish("events", "e1", new byte[] {7});
    assertThat(within(Duration.ofSeconds(5), () -> away.history().size() == 2)).isTrue();
    away.errorNext(new TimeoutException("delivery.timeout.ms passed"));
    away.errorNext(new TimeoutException("delivery.timeout.ms passed"));
    assertThat(within(Duration.ofSeconds(5), () -> away.history().size() == 2)).isTrue();
    assertThat(outbox.pending()).isEqualTo(2);
    outbox.close(); // the agent stops (or dies) with both still parked
    assertThat(files()).isEqualTo(2);

    MockProducer<String, byte[]> back = producer(true);
    Outbox next = new Outbox(dir, Duration.ofMillis(100));
    assertThat(next.pending()).as("what the earlier run left").isEqualTo(2);
    next.start(back);
    assertThat(within(Duration.ofSeconds(5), () -> next.pending() == 0)).isTrue();
    assertThat(back.history()).hasSize(2);
    assertThat(back.history().get(0).topic()).isEqualTo("state");
    assertThat(back.history().get(0).key()).isEqualTo("a1");
    assertThat(back.history().get(0).value()).as("a tombstone stays a tombstone").isNull();
    assertThat(back.history().get(1).value()).containsExactly(7);
    Thread.sleep(300); // a few retry rounds: nothing is sent twice
    assertThat(back.history()).hasSize(2);
    assertThat(files()).isZero();
    next.close();
  }

  /**
   * A record Kafka did not take is sent again every retry until it is taken, and then no round
   * runs: the sender sleeps while nothing waits (docs/adr/0103).
   */
  @Test
  void aParkedRecordIsSentAgainEveryRetryUntilTakenThenNothingRuns() throws Exception {
    MockProducer<String, byte[]> kafka = producer(false);
    Outbox outbox = new Outbox(dir, Duration.ofMillis(200));
    outbox.start(kafka);
    outbox.publish("events", "e1", new byte[] {1});
    assertThat(within(Duration.ofSeconds(5), () -> kafka.history().size() == 1)).isTrue();
    assertThat(kafka.errorNext(new TimeoutException("delivery.timeout.ms passed"))).isTrue();
    assertThat(within(Duration.ofSeconds(5), () -> kafka.history().size() == 2))
        .as("sent again after the retry")
        .isTrue();
    assertThat(kafka.errorNext(new TimeoutException("delivery.timeout.ms passed"))).isTrue();
    assertThat(within(Duration.ofSeconds(5), () -> kafka.history().size() == 3))
        .as("and again")
        .isTrue();
    assertThat(kafka.completeNext()).isTrue();
    assertThat(within(Duration.ofSeconds(5), () -> outbox.pending() == 0)).isTrue();
    Thread.sleep(600); // three retry periods: nothing more is sent
    assertThat(kafka.history()).hasSize(3);
    assertThat(outbox.delivered()).isEqualTo(1);
    outbox.close();
  }

  @Test
  void anOutboxDirThatCannotBeCreatedIsRefusedNamingTheKeyForTheOutboxAndTheJournalAlike()
      throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path under = file.resolve("_agent").resolve("outbox-c");
    for (ThrowingCallable open :
        new ThrowingCallable[] {
          () -> new Outbox(under, Duration.ofSeconds(1)), () -> new AttackJournal(under)
        }) {
      assertThatThrownBy(open)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("agent.outbox.dir: cannot create " + under)
          .hasMessageEndingWith("; point it at a writable dir");
    }
  }
}
