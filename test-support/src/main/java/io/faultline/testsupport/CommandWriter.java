package io.faultline.testsupport;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes raw records to attack.commands, as a client would (JSON text, or any bytes a test wants
 * the agent to refuse), and waits until the broker has each one.
 */
public final class CommandWriter implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  private CommandWriter(String bootstrapServers, Topics topics) {
    this.producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrapServers),
            new StringSerializer(),
            new ByteArraySerializer());
    this.topic = topics.attackCommands().name();
  }

  /** To the test broker. */
  public static CommandWriter open(Topics topics) {
    return new CommandWriter(TestBroker.bootstrapServers(), topics);
  }

  /** To another broker (one a test starts and stops itself). */
  public static CommandWriter open(String bootstrapServers, Topics topics) {
    return new CommandWriter(bootstrapServers, topics);
  }

  public void send(String key, String json) throws ExecutionException, InterruptedException {
    send(key, json.getBytes(StandardCharsets.UTF_8));
  }

  public void send(String key, byte[] value) throws ExecutionException, InterruptedException {
    producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
