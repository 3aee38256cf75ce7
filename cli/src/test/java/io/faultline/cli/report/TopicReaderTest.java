package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TopicReaderTest {

  private static final AvroSerde<Experiment> SERDE = AvroSerde.of(Experiment.class);

  private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

  private void put(String key, byte[] value) {
    records.add(new ConsumerRecord<>("experiments", 0, records.size(), key, value));
  }

  private static byte[] experiment(String id, ExperimentState state) {
    return SERDE.encode(
        Experiment.newBuilder().setExperimentId(id).setName(id).setState(state).build());
  }

  @Test
  void keepsWhatCompactionKeepsTheLastValueATombstoneRemovesAndPassesOverForeignRecords() {
    put("a", experiment("a", ExperimentState.PENDING));
    put("b", experiment("b", ExperimentState.RUNNING));
    put("a", experiment("a", ExperimentState.COMPLETED));
    put("b", null);
    put("c", experiment("c", ExperimentState.RUNNING));
    put("c", "not avro".getBytes(StandardCharsets.UTF_8));
    put("d", "not avro".getBytes(StandardCharsets.UTF_8));

    Map<String, Experiment> latest = TopicReader.latestPerKey(records, SERDE);

    assertThat(latest.keySet()).containsExactly("a", "c");
    assertThat(latest.get("a").getState()).isEqualTo(ExperimentState.COMPLETED);
    assertThat(latest.get("c").getState()).isEqualTo(ExperimentState.RUNNING);
  }
}
