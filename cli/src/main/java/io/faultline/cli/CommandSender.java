package io.faultline.cli;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.Durations;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The one way the CLI sends an attack command ({@code run}, {@code attack}, {@code halt}, the demo,
 * and run's aborts): stamps {@code issuedAt} and {@code issuedBy}, signs it when a secret is set
 * (docs/adr/0011), and publishes its Avro form on attack.commands keyed by the experiment id,
 * waiting for the broker's acknowledgement.
 */
final class CommandSender {

  /** The secret agents check, from {@code FAULTLINE_AGENT_COMMAND_SECRET}; null when unset. */
  static String secretFromEnvironment() {
    String secret = System.getenv("FAULTLINE_AGENT_COMMAND_SECRET");
    return secret == null || secret.isEmpty() ? null : secret;
  }

  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final String issuedBy;
  private final String secret;
  private final LongSupplier clock;
  private final Duration ackTimeout;

  CommandSender(
      Producer<String, byte[]> producer,
      Topics topics,
      String issuedBy,
      String secret,
      LongSupplier clock,
      Duration ackTimeout) {
    this.producer = producer;
    this.topics = topics;
    this.issuedBy = issuedBy;
    this.secret = secret;
    this.clock = clock;
    this.ackTimeout = ackTimeout;
  }

  /**
   * With the environment's secret, the wall clock and a 50 s acknowledgement timeout: above the
   * callers' producer delivery timeout (40 s), so the producer's own error is the one reported.
   */
  static CommandSender of(Producer<String, byte[]> producer, Topics topics, String issuedBy) {
    return new CommandSender(
        producer,
        topics,
        issuedBy,
        secretFromEnvironment(),
        System::currentTimeMillis,
        Duration.ofSeconds(50));
  }

  /** The command as it will be sent: stamped, and signed when there is a secret. */
  AttackCommand prepare(AttackCommand command) {
    AttackCommand stamped = AttackCommand.newBuilder(command).build();
    stamped.setIssuedAt(clock.getAsLong());
    stamped.setIssuedBy(issuedBy);
    return secret == null ? stamped : CommandSignature.signed(stamped, secret);
  }

  /** Prepares and publishes the command; returns it as sent. */
  AttackCommand send(AttackCommand command) {
    AttackCommand prepared = prepare(command);
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  prepared.getExperimentId(),
                  AttackCommandCodec.toAvro(prepared)))
          .get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return prepared;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending " + prepared.getType(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot send the "
              + prepared.getType()
              + " command to "
              + topics.attackCommands().name()
              + ": "
              + e.getCause().getMessage(),
          e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the "
              + prepared.getType()
              + " command was not acknowledged within "
              + Durations.format(ackTimeout),
          e);
    }
  }
}
