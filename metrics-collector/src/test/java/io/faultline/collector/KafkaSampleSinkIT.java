package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class KafkaSampleSinkIT {

  @Test
  void samplesOfBothGroupsArriveKeyedByExperimentAndMetric() throws Exception {
    Topics topics = new Topics("it-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    try (KafkaSampleSink sink =
            new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
        HttpLoadProbe probe =
            new HttpLoadProbe(
                "exp-7",
                List.of(
                    new ProbeTarget(Group.CONTROL, "c", uri),
                    new ProbeTarget(Group.EXPERIMENTAL, "x", uri)),
                10,
                10,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                sink)) {
      probe.start();
      Thread.sleep(2500);
    } finally {
      server.stop(0);
    }
    List<ConsumerRecord<String, MetricSample>> records = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            TestBroker.consumerConfig(),
            new StringDeserializer(),
            topics.metrics().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.metrics().name()));
      long deadline = System.currentTimeMillis() + 15_000;
      while (records.size() < 40 && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    assertThat(records).hasSizeGreaterThanOrEqualTo(40);
    assertThat(records).allMatch(r -> r.key().equals("exp-7|" + r.value().getMetric()));
    assertThat(records).allMatch(r -> r.timestamp() == r.value().getTimestamp());
    assertThat(records)
        .extracting(r -> r.value().getGroup())
        .contains(Group.CONTROL, Group.EXPERIMENTAL);
    assertThat(records)
        .extracting(r -> r.value().getMetric())
        .contains(
            "http.latency.ms", "http.error", "http.requests", "http.errors", "http.error.rate");
  }
}
