package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.TestTopics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The analyzer's verdicts and results on a real broker, exported as derived samples. */
class DerivedMetricsExporterIT {

  @Test
  void verdictsAndResultsReachTheSinkAndUndecodableRecordsAreSkipped() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("dme"), 1);
    List<MetricSample> exported = new CopyOnWriteArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", TestBroker.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer());
        DerivedMetricsExporter exporter =
            new DerivedMetricsExporter(
                Map.of("bootstrap.servers", TestBroker.bootstrapServers()),
                topics,
                exported::add)) {
      Thread thread = exporter.start("exporter-under-test");
      byte[] verdict =
          AvroSerde.of(WindowVerdict.class)
              .encode(DerivedMetricsTest.verdict(SteadyState.DEVIATING, 0.5));
      // a new group starts at the latest records: send until the exporter is there
      long deadline = System.currentTimeMillis() + 60_000;
      while (exporter.exported() == 0 && System.currentTimeMillis() < deadline) {
        producer.send(new ProducerRecord<>(topics.steadyState().name(), "e1|m", verdict)).get();
        Thread.sleep(200);
      }
      producer
          .send(new ProducerRecord<>(topics.steadyState().name(), "e1|m", new byte[] {1, 2, 3}))
          .get();
      ExperimentResult result =
          ExperimentResult.newBuilder()
              .setExperimentId("e1")
              .setVerdict(Verdict.STEADY)
              .setUpdatedAt(42_000)
              .setWindowsJudged(3)
              .setReason("")
              .build();
      producer
          .send(
              new ProducerRecord<>(
                  topics.results().name(),
                  "e1",
                  AvroSerde.of(ExperimentResult.class).encode(result)))
          .get();
      while (exported.stream().noneMatch(s -> s.getMetric().equals("faultline.hypothesis.held"))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      exporter.close();
      thread.join(10_000);
      assertThat(exporter.undecodable()).isEqualTo(1);
    }
    assertThat(exported)
        .extracting(MetricSample::getMetric)
        .contains("faultline.effect", "faultline.deviating", "faultline.hypothesis.held");
    assertThat(exported)
        .filteredOn(s -> s.getMetric().equals("faultline.hypothesis.held"))
        .singleElement()
        .satisfies(s -> assertThat(s.getValue()).isEqualTo(1.0));
  }
}
