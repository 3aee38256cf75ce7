package io.faultline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterIT {

  /**
   * Kafka Streams creates its changelog and repartition topics without a replication factor; in
   * KRaft the controller fills it in, so a controller without the cluster's defaults gave them one
   * replica and a killed broker took their partitions offline (MultiBrokerIT stalled on that).
   */
  @Test
  void aTopicCreatedWithoutDefaultsIsReplicatedAndSurvivesAKilledBroker() throws Exception {
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3);
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      TopicDescription topic = describe(admin, "defaults");
      assertThat(topic.partitions()).hasSize(3);
      assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      String minIsr =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "defaults")))
              .all()
              .get(30, TimeUnit.SECONDS)
              .values()
              .iterator()
              .next()
              .get("min.insync.replicas")
              .value();
      assertThat(minIsr).isEqualTo("2");

      cluster.kill(topic.partitions().get(0).leader().id());
      try (var producer =
          new KafkaProducer<>(
              Map.<String, Object>of(
                  "bootstrap.servers", cluster.bootstrapServers(), "acks", "all"),
              new StringSerializer(),
              new StringSerializer())) {
        for (int p = 0; p < 3; p++) {
          // each partition has a leader again once the controller fences the killed broker (3 s)
          producer.send(new ProducerRecord<>("defaults", p, "k", "v")).get(60, TimeUnit.SECONDS);
        }
      }
      assertThat(describe(admin, "defaults").partitions())
          .extracting(TopicPartitionInfo::isr)
          .allSatisfy(isr -> assertThat(isr).hasSize(2));
    }
  }

  /** The topic as the cluster describes it, once the broker asked has its metadata (30 s). */
  private static TopicDescription describe(Admin admin, String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin
            .describeTopics(List.of(name))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS)
            .get(name);
      } catch (java.util.concurrent.ExecutionException e) {
        // a created topic reaches each broker's metadata a moment later
        if (!(e.getCause()
                instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }
}
