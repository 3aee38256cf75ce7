package io.faultline.analyzer;

import io.faultline.schema.ServiceHistory;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes a {@link ServiceHistory} for the rollup's stores: Avro's binary encoding, except that a
 * list kept as {@link ChunkedLongs} is written as its chunks' blocks, each encoded once, so an
 * update writes the values of a list it did not change as bytes already encoded (docs/adr/0058).
 * Any Avro reader of the schema reads the same record as from Avro's own writer.
 */
final class ChunkedHistoryWriter extends SpecificDatumWriter<ServiceHistory> {

  ChunkedHistoryWriter() {
    super(ServiceHistory.SCHEMA$, SpecificData.get());
  }

  @Override
  protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
    if (datum instanceof ChunkedLongs chunked && out instanceof BinaryEncoder) {
      chunked.writeBlocks(out);
    } else {
      super.writeArray(schema, datum, out);
    }
  }
}
