package io.faultline.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * An Avro record as plain JSON, the way a {@code jq} user expects it: fields by name, enums and
 * strings as strings, a union as its value (no {@code {"long": 5}} wrapper as in Avro's JSON
 * encoding), bytes as base64, NaN and infinities as strings (JSON has no such numbers).
 */
public final class RecordJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RecordJson() {}

  public static JsonNode of(GenericRecord record) {
    return value(record, record.getSchema());
  }

  /** One compact JSON line. */
  public static String line(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode value(Object v, Schema schema) {
    if (v == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case UNION -> {
        return value(v, schema.getTypes().get(GenericData.get().resolveUnion(schema, v)));
      }
      case RECORD -> {
        GenericRecord r = (GenericRecord) v;
        ObjectNode o = NODES.objectNode();
        for (Schema.Field f : schema.getFields()) {
          o.set(f.name(), value(r.get(f.pos()), f.schema()));
        }
        return o;
      }
      case ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        for (Object item : (Collection<?>) v) {
          a.add(value(item, schema.getElementType()));
        }
        return a;
      }
      case MAP -> {
        ObjectNode o = NODES.objectNode();
        new TreeMap<>((Map<?, ?>) v)
            .forEach((k, item) -> o.set(k.toString(), value(item, schema.getValueType())));
        return o;
      }
      case BYTES -> {
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED -> {
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericData.Fixed) v).bytes()));
      }
      case INT -> {
        return NODES.numberNode(((Number) v).intValue());
      }
      case LONG -> {
        return NODES.numberNode(((Number) v).longValue());
      }
      case FLOAT, DOUBLE -> {
        double d = ((Number) v).doubleValue();
        return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
      }
      case BOOLEAN -> {
        return NODES.booleanNode((Boolean) v);
      }
      default -> {
        return NODES.textNode(v.toString()); // STRING, ENUM
      }
    }
  }
}
