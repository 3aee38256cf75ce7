package io.faultline.cli;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A run's sinks on Kafka: commands through {@link CommandSender}, states on experiments. */
final class KafkaRunSinks implements RunSinks, AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final CommandSender commands;
  private final Topics topics;

  KafkaRunSinks(Map<String, Object> clientConfig, Topics topics, String issuedBy) {
    this.producer =
        new KafkaProducer<>(
            producerConfig(clientConfig), new StringSerializer(), new ByteArraySerializer());
    this.commands = CommandSender.of(producer, topics, issuedBy);
    this.topics = topics;
  }

  @Override
  public void send(AttackCommand command) {
    commands.send(command);
  }

  @Override
  public void publish(Experiment e) {
    String topic = topics.experiments().name();
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic, e.getExperimentId(), AvroSerde.of(Experiment.class).encode(e)))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic, ex);
    } catch (Exception ex) {
      throw new IllegalStateException("cannot publish to " + topic + ": " + ex.getMessage(), ex);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  private static Map<String, Object> producerConfig(Map<String, Object> client) {
    Map<String, Object> conf = new HashMap<>(client);
    conf.put("acks", "all");
    conf.put("enable.idempotence", "true");
    // HALT_ALL on Ctrl-C and the auto-abort must fail in bounded time when Kafka is away
    conf.putIfAbsent("max.block.ms", "10000");
    conf.putIfAbsent("delivery.timeout.ms", "40000");
    return conf;
  }
}
