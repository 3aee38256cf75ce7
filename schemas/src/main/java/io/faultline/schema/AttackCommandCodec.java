package io.faultline.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an {@link AttackCommand} from either Avro single-object encoding or JSON with the Avro
 * field names, so a person can publish a command with kcat or kafka-console-producer:
 *
 * <pre>{"commandId":"c1","experimentId":"e1","type":"START","fault":"cpu-burn",
 *  "target":{"kind":"process","names":["scale-experimental"],"group":"EXPERIMENTAL"},
 *  "durationMs":30000,"parameters":{"cores":"1"}}</pre>
 *
 * Durations may also be given as {@code "duration": "30s"}.
 */
public final class AttackCommandCodec {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AvroSerde<AttackCommand> AVRO = AvroSerde.of(AttackCommand.class);
  private static final Set<String> FIELDS =
      Set.of(
          "commandId",
          "experimentId",
          "type",
          "attackId",
          "fault",
          "target",
          "durationMs",
          "duration",
          "parameters",
          "issuedAt",
          "issuedBy",
          "dryRun",
          "signature");
  private static final Set<String> TARGET_FIELDS =
      Set.of("kind", "names", "namespace", "labels", "group", "mode");

  private AttackCommandCodec() {}

  public static byte[] toAvro(AttackCommand command) {
    return AVRO.encode(command);
  }

  public static AttackCommand decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidRecordException(null, "empty record: expected Avro or JSON AttackCommand");
    }
    if (AvroSerde.isSingleObjectEncoded(bytes)) {
      try {
        return AVRO.decode(bytes);
      } catch (RuntimeException e) {
        throw new InvalidRecordException(null, e.getMessage(), e);
      }
    }
    int first = 0;
    while (first < bytes.length && Character.isWhitespace(bytes[first])) {
      first++;
    }
    if (first == bytes.length || bytes[first] != '{') {
      throw new InvalidRecordException(
          null,
          "not an AttackCommand: expected Avro single-object encoding (0xC3 0x01) or a JSON object");
    }
    return fromJson(new String(bytes, StandardCharsets.UTF_8));
  }

  public static AttackCommand fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException(
          null, "bad JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
    }
    if (!(root instanceof ObjectNode)) {
      throw new InvalidRecordException(null, "expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRecordException(
            name, "unknown field; allowed: " + String.join(", ", FIELDS));
      }
    }
    AttackCommand.Builder b = AttackCommand.newBuilder();
    b.setCommandId(requiredText(root, "commandId"));
    b.setExperimentId(requiredText(root, "experimentId"));
    String type = requiredText(root, "type");
    try {
      b.setType(CommandType.valueOf(type));
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(
          "type", "'" + type + "' is not one of START, STOP, HALT_ALL");
    }
    b.setAttackId(optionalText(root, "attackId"));
    b.setFault(root.has("fault") ? requiredText(root, "fault") : "");
    if (root.hasNonNull("target")) {
      b.setTarget(selector(root.get("target")));
    }
    if (root.hasNonNull("durationMs")) {
      JsonNode d = root.get("durationMs");
      if (!d.isIntegralNumber()) {
        throw new InvalidRecordException("durationMs", "must be an integer number of milliseconds");
      }
      b.setDurationMs(d.longValue());
    } else if (root.hasNonNull("duration")) {
      b.setDurationMs(Durations.parse("duration", requiredText(root, "duration")).toMillis());
    }
    b.setParameters(stringMap(root, "parameters"));
    if (root.hasNonNull("issuedAt")) {
      if (!root.get("issuedAt").isIntegralNumber()) {
        throw new InvalidRecordException("issuedAt", "must be epoch milliseconds");
      }
      b.setIssuedAt(root.get("issuedAt").longValue());
    }
    b.setIssuedBy(root.has("issuedBy") ? requiredText(root, "issuedBy") : "");
    if (root.has("dryRun")) {
      if (!root.get("dryRun").isBoolean()) {
        throw new InvalidRecordException("dryRun", "must be true or false");
      }
      b.setDryRun(root.get("dryRun").booleanValue());
    }
    b.setSignature(optionalText(root, "signature"));
    return b.build();
  }

  private static TargetSelector selector(JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidRecordException("target", "must be an object with kind, names, group, mode");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!TARGET_FIELDS.contains(name)) {
        throw new InvalidRecordException(
            "target." + name, "unknown field; allowed: " + String.join(", ", TARGET_FIELDS));
      }
    }
    TargetSelector.Builder t = TargetSelector.newBuilder();
    if (node.has("kind")) {
      t.setKind(text(node.get("kind"), "target.kind"));
    }
    List<String> names = new ArrayList<>();
    if (node.hasNonNull("names")) {
      JsonNode array = node.get("names");
      if (!array.isArray()) {
        throw new InvalidRecordException("target.names", "must be an array of strings");
      }
      for (JsonNode n : array) {
        names.add(text(n, "target.names"));
      }
    }
    t.setNames(names);
    t.setNamespace(
        node.hasNonNull("namespace") ? text(node.get("namespace"), "target.namespace") : null);
    t.setLabels(stringMap(node, "labels", "target.labels"));
    if (node.hasNonNull("group")) {
      String group = text(node.get("group"), "target.group").toUpperCase();
      try {
        t.setGroup(Group.valueOf(group));
      } catch (IllegalArgumentException e) {
        throw new InvalidRecordException(
            "target.group", "'" + group + "' is not one of CONTROL, EXPERIMENTAL");
      }
    }
    if (node.has("mode")) {
      t.setMode(text(node.get("mode"), "target.mode"));
    }
    return t.build();
  }

  private static String requiredText(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new InvalidRecordException(field, "is required");
    }
    String value = text(node, field);
    if (value.isBlank()) {
      throw new InvalidRecordException(field, "must not be empty");
    }
    return value;
  }

  private static String optionalText(JsonNode root, String field) {
    return root.hasNonNull(field) ? text(root.get(field), field) : null;
  }

  private static String text(JsonNode node, String field) {
    if (!node.isTextual()) {
      throw new InvalidRecordException(field, "must be a string, got " + node.getNodeType());
    }
    return node.textValue();
  }

  private static Map<String, String> stringMap(JsonNode root, String field) {
    return stringMap(root, field, field);
  }

  private static Map<String, String> stringMap(JsonNode root, String field, String path) {
    Map<String, String> map = new LinkedHashMap<>();
    if (!root.hasNonNull(field)) {
      return map;
    }
    JsonNode node = root.get(field);
    if (!node.isObject()) {
      throw new InvalidRecordException(path, "must be an object of string values");
    }
    for (var it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw new InvalidRecordException(path + "." + e.getKey(), "must be a string or number");
      }
      map.put(e.getKey(), v.asText());
    }
    return map;
  }
}
