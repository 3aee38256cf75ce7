package io.faultline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.RecordJson;
import io.faultline.schema.Topic;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code faultline tail TOPIC}: any faultline topic decoded to JSON lines (Avro single-object
 * records through the {@link Topics} registry's serdes, attack commands in Avro or JSON, dead
 * letters as text or base64), so {@code faultline tail attack.events --follow | jq} works without
 * faultline's jar on the reader's side.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    header = "Print a faultline topic as JSON lines, readable without faultline's jar.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:printed (or Ctrl-C with --follow)", ExitCodes.USAGE_OR_ERROR},
    description = {
      "Prints a faultline topic as JSON lines (or text): experiments, attack.commands,",
      "attack.events, attack.state, metrics, steadystate, alerts, results, dlq, history.",
      "Without --follow it prints what the topic holds and exits; with --follow it prints new",
      "records until Ctrl-C (from the end, or from the beginning with --from-beginning)."
    })
final class TailCommand implements Callable<Integer> {

  enum Output {
    json,
    text
  }

  @Parameters(
      index = "0",
      paramLabel = "TOPIC",
      description = "Topic: its short name (attack.events) or full name (faultline.attack.events).")
  String topic;

  @Option(names = "--from-beginning", description = "With --follow: start at the oldest record.")
  boolean fromBeginning;

  @Option(names = "--follow", description = "Keep printing new records until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "json",
      description =
          "json (one object per line: topic, partition, offset, timestamp, key, value)"
              + " or text (offset, key and the value's JSON). Default: ${DEFAULT-VALUE}.")
  Output output;

  @Option(
      names = "--max",
      defaultValue = "0",
      description = "Stop after this many records (0 = no limit).")
  long max;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;

  @Override
  public Integer call() {
    Topics topics = Topics.named(kafka.topicsPrefix);
    Topic<?, ?> chosen = find(topics, topic);
    if (chosen == null) {
      System.err.println(
          "faultline tail: topic '"
              + topic
              + "' is not a faultline topic; use one of "
              + topics.all().stream().map(t -> shortName(topics, t)).toList());
      return 2;
    }
    Map<String, Object> conf = new HashMap<>(kafka.clientConfig());
    conf.put("enable.auto.commit", "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(conf, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(chosen.name(), Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      if (follow && !fromBeginning) {
        consumer.seekToEnd(partitions);
      } else {
        consumer.seekToBeginning(partitions);
      }
      Map<TopicPartition, Long> end = follow ? Map.of() : consumer.endOffsets(partitions);
      long printed = 0;
      // Ctrl-C wakes the poll up, so the consumer closes cleanly
      Thread stop = new Thread(consumer::wakeup, "tail-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        while (follow || !reached(consumer, end)) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            out.println(render(topics, chosen, r));
            if (max > 0 && ++printed >= max) {
              return 0;
            }
          }
          out.flush();
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        // Ctrl-C
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs
        }
      }
    }
    out.flush();
    return 0;
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  static Topic<?, ?> find(Topics topics, String name) {
    for (Topic<?, ?> t : topics.all()) {
      if (t.name().equals(name) || shortName(topics, t).equals(name)) {
        return t;
      }
    }
    return null;
  }

  static String shortName(Topics topics, Topic<?, ?> t) {
    return t.name().substring(topics.prefix().length());
  }

  /** One record as a line of JSON or text. */
  String render(Topics topics, Topic<?, ?> t, ConsumerRecord<byte[], byte[]> r) {
    JsonNode value = value(topics, t, r.value());
    String key = r.key() == null ? null : text(r.key());
    if (output == Output.text) {
      return r.partition() + "@" + r.offset() + " " + key + " " + RecordJson.line(value);
    }
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("topic", r.topic());
    line.put("partition", r.partition());
    line.put("offset", r.offset());
    line.put("timestamp", r.timestamp());
    line.put("key", key);
    if (r.headers().iterator().hasNext()) {
      ObjectNode headers = line.putObject("headers");
      for (Header h : r.headers()) {
        headers.put(h.key(), h.value() == null ? null : text(h.value()));
      }
    }
    line.set("value", value);
    return RecordJson.line(line);
  }

  /** The value decoded with the topic's serde; bytes that do not decode are shown as they are. */
  static JsonNode value(Topics topics, Topic<?, ?> t, byte[] bytes) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (bytes == null) {
      return nodes.nullNode(); // a tombstone
    }
    try {
      Object decoded =
          t.name().equals(topics.attackCommands().name())
              ? AttackCommandCodec.decode(bytes)
              : t.valueSerde().deserializer().deserialize(t.name(), bytes);
      if (decoded instanceof GenericRecord record) {
        return RecordJson.of(record);
      }
    } catch (RuntimeException e) {
      ObjectNode undecoded = nodes.objectNode();
      undecoded.put("undecodable", e.getMessage());
      undecoded.put("bytes", text(bytes));
      return undecoded;
    }
    return nodes.textNode(text(bytes)); // dlq: the record as it came
  }

  /** UTF-8 text when the bytes are valid UTF-8, else {@code base64:...}. */
  static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(bytes);
    }
  }
}
