package io.faultline.analyzer;

import io.faultline.schema.Alert;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One row of the history's input table: an experiment's latest result or an alert's latest state,
 * exactly one of the two. Both feed the same aggregate per service and week, so they share a table.
 */
record HistoryInput(ExperimentResult result, Alert alert) {

  static HistoryInput of(ExperimentResult result) {
    return result == null ? null : new HistoryInput(result, null);
  }

  static HistoryInput of(Alert alert) {
    return alert == null ? null : new HistoryInput(null, alert);
  }

  /** A tag byte (0 result, 1 alert) before the record's Avro single-object encoding. */
  static Serde<HistoryInput> serde() {
    AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
    AvroSerde<Alert> alerts = AvroSerde.of(Alert.class);
    Serializer<HistoryInput> write =
        (topic, in) -> {
          if (in == null) {
            return null;
          }
          byte[] body =
              in.result() != null ? results.encode(in.result()) : alerts.encode(in.alert());
          byte[] out = new byte[body.length + 1];
          out[0] = (byte) (in.result() != null ? 0 : 1);
          System.arraycopy(body, 0, out, 1, body.length);
          return out;
        };
    Deserializer<HistoryInput> read =
        (topic, data) -> {
          if (data == null) {
            return null;
          }
          byte[] body = Arrays.copyOfRange(data, 1, data.length);
          return data[0] == 0 ? of(results.decode(body)) : of(alerts.decode(body));
        };
    return Serdes.serdeFrom(write, read);
  }
}
