package io.faultline.cli;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the demo's experiment and its attack commands, through the one {@link CommandSender}.
 */
final class CommandPublisher implements AutoCloseable {

  private final Topics topics;
  private final String experimentId;
  private final KafkaProducer<String, byte[]> producer;
  private final CommandSender commands;

  CommandPublisher(String bootstrapServers, Topics topics, String experimentId) {
    this.topics = topics;
    this.experimentId = experimentId;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrapServers,
                "acks", "all",
                "enable.idempotence", "true",
                // a HALT_ALL must not hang on a broker that is away: fail in bounded time
                "max.block.ms", "10000",
                "delivery.timeout.ms", "40000"),
            new StringSerializer(),
            new ByteArraySerializer());
    this.commands = CommandSender.of(producer, topics, "faultline demo");
  }

  /** Publishes the experiment's definition (its steady-state hypotheses) on `experiments`. */
  void experiment(Experiment experiment) {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topics.experiments().name(),
                  experiment.getExperimentId(),
                  AvroSerde.of(Experiment.class).encode(experiment)))
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the experiment", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "cannot publish the experiment to " + topics.experiments().name() + ": " + e, e);
    }
  }

  /** Starts an attack on the named experimental process targets; returns the attack id. */
  String start(String fault, List<String> targets, Duration duration, Map<String, String> params) {
    String attackId =
        experimentId + "-" + fault + "-" + UUID.randomUUID().toString().substring(0, 6);
    send(
        AttackCommand.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setExperimentId(experimentId)
            .setType(CommandType.START)
            .setAttackId(attackId)
            .setFault(fault)
            .setTarget(
                TargetSelector.newBuilder()
                    .setKind("process")
                    .setNames(targets)
                    .setGroup(Group.EXPERIMENTAL)
                    .setMode("all")
                    .build())
            .setDurationMs(duration.toMillis())
            .setParameters(params)
            .build());
    return attackId;
  }

  void haltAll() {
    send(
        AttackCommand.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setExperimentId(experimentId)
            .setType(CommandType.HALT_ALL)
            .build());
  }

  private void send(AttackCommand command) {
    commands.send(command);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
