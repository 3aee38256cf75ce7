package io.faultline.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Reads an {@link AttackCommand} from either Avro single-object encoding or JSON with the Avro
 * field names, so a person can publish a command with kcat or kafka-console-producer:
 *
 * <pre>{"commandId":"c1","experimentId":"e1","type":"START","fault":"cpu-burn",
 *  "target":{"kind":"process","names":["scale-experimental"],"group":"EXPERIMENTAL"},
 *  "durationMs":30000,"parameters":{"cores":"1"}}</pre>
 *
 * Durations may also be given as {@code "duration": "30s"}.
 *
 * <p>Strict: a record is accepted only when it is exactly one command. Trailing bytes or tokens,
 * duplicate keys, invalid UTF-8, numbers outside their field's range and anything over the {@link
 * CommandBounds} or the JSON limits below are refused with an {@link InvalidRecordException} that
 * names the field or the limit; nothing is truncated or guessed.
 */
public final class AttackCommandCodec {

  /** A command nests three levels deep (root, target, labels). */
  public static final int MAX_NESTING_DEPTH = 100;

  /** Digits of a number: a long has at most 19, so an out-of-range one is still named. */
  public static final int MAX_NUMBER_LENGTH = 32;

  /** Longer than any bounded field, so that such a field is refused with its name and bound. */
  public static final int MAX_STRING_LENGTH = 1024 * 1024;

  public static final int MAX_NAME_LENGTH = CommandBounds.LABEL_KEY;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxStringLength(MAX_STRING_LENGTH)
                          .maxNameLength(MAX_NAME_LENGTH)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .build();
  private static final AvroSerde<AttackCommand> AVRO = AvroSerde.of(AttackCommand.class);
  private static final Schema AVRO_SCHEMA = AttackCommand.getClassSchema();
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
      AttackCommand command = fromAvro(bytes);
      CommandBounds.check(command);
      return command;
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
    return fromJson(utf8(bytes));
  }

  /** The bytes as text; invalid UTF-8 is refused, never replaced. */
  private static String utf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new InvalidRecordException(
          null,
          "invalid UTF-8 at byte "
              + in.position()
              + " of "
              + bytes.length
              + "; a JSON command must be UTF-8");
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /**
   * Avro single-object encoding, read twice: first skipped through, which checks that every length
   * fits the record (no allocation a forged length could blow up) and that no byte follows the
   * command; then decoded, refusing duplicate map keys.
   */
  private static AttackCommand fromAvro(byte[] bytes) {
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = SchemaHistory.shared().store().findByFingerprint(fingerprint);
    if (writer == null || !writer.getFullName().equals(AVRO_SCHEMA.getFullName())) {
      throw new InvalidRecordException(
          null,
          String.format(
              "Avro record of %s (fingerprint %016x); expected an AttackCommand",
              writer == null ? "an unknown schema" : writer.getFullName(), fingerprint));
    }
    String what = bytes.length + " bytes as an Avro AttackCommand";
    try {
      BinaryDecoder skipped =
          DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null);
      GenericDatumReader.skip(writer, skipped);
      if (!skipped.isEnd()) {
        throw new InvalidRecordException(
            null, "cannot decode " + what + ": trailing bytes after the command");
      }
      BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null);
      return new WholeCommandReader(writer).read(null, in);
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidRecordException invalid) {
        throw invalid;
      }
      throw new InvalidRecordException(
          null,
          "cannot decode " + what + ": " + CommandBounds.quote(String.valueOf(e.getMessage())));
    }
  }

  /** Refuses a map key given twice: a command must decode to exactly one value. */
  private static final class WholeCommandReader extends SpecificDatumReader<AttackCommand> {
    // Avro's fast reader would bypass addToMap
    private static final SpecificData MODEL =
        (SpecificData)
            new SpecificData(AttackCommandCodec.class.getClassLoader()).setFastReaderEnabled(false);

    WholeCommandReader(Schema writer) {
      super(writer, AVRO_SCHEMA, MODEL);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void addToMap(Object map, Object key, Object value) {
      if (((Map<Object, Object>) map).containsKey(key)) {
        throw new InvalidRecordException(
            null, "map key '" + CommandBounds.quote(key.toString()) + "' appears twice");
      }
      super.addToMap(map, key, value);
    }
  }

  public static AttackCommand fromJson(String json) {
    JsonNode root;
    // the parser is kept, so that a limit's error can say where it was hit
    try (JsonParser parser = JSON.createParser(json)) {
      try {
        root = JSON.readTree(parser);
        if (parser.nextToken() != null) {
          throw new InvalidRecordException(
              null,
              "bad JSON at line "
                  + parser.currentLocation().getLineNr()
                  + ", column "
                  + parser.currentLocation().getColumnNr()
                  + ": trailing "
                  + parser.currentToken()
                  + " after the command; a record holds exactly one JSON object");
        }
      } catch (StreamConstraintsException e) {
        throw new InvalidRecordException(path(parser), "JSON over a limit: " + limitMessage(e));
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidRecordException(
          null,
          "bad JSON"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": "
              + CommandBounds.quote(String.valueOf(e.getOriginalMessage()), 300));
    } catch (IOException e) {
      throw new InvalidRecordException(null, "cannot read JSON: " + e.getMessage());
    }
    if (!(root instanceof ObjectNode)) {
      throw new InvalidRecordException(null, "expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRecordException(
            CommandBounds.quote(name), "unknown field; allowed: " + String.join(", ", FIELDS));
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
          "type", "'" + CommandBounds.quote(type) + "' is not one of START, STOP, HALT_ALL");
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
      if (!d.canConvertToLong()) {
        throw CommandBounds.durationOutOfRange(d.asText());
      }
      b.setDurationMs(d.longValue());
    } else if (root.hasNonNull("duration")) {
      String text = requiredText(root, "duration");
      try {
        b.setDurationMs(Durations.parse("duration", text).toMillis());
      } catch (ArithmeticException e) {
        throw new InvalidRecordException(
            "duration", "'" + CommandBounds.quote(text) + "' is out of range: from 1s to 24h");
      }
    }
    b.setParameters(stringMap(root, "parameters"));
    if (root.hasNonNull("issuedAt")) {
      if (!root.get("issuedAt").isIntegralNumber()) {
        throw new InvalidRecordException("issuedAt", "must be epoch milliseconds");
      }
      if (!root.get("issuedAt").canConvertToLong()) {
        throw new InvalidRecordException(
            "issuedAt",
            root.get("issuedAt").asText()
                + " is out of range: epoch milliseconds from 0 to "
                + Long.MAX_VALUE);
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
    AttackCommand command = b.build();
    CommandBounds.check(command);
    return command;
  }

  /**
   * Jackson's own words, which name the limit ({@code Document nesting depth (101) exceeds the
   * maximum allowed (100, from `StreamReadConstraints.getMaxNestingDepth()`)}), without the API.
   */
  private static String limitMessage(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    return m.replaceAll(", from `StreamReadConstraints\\.\\w+\\(\\)`", "");
  }

  /** Where the parser was ({@code target.names[0]}), or null at the top. */
  private static String path(JsonParser parser) {
    if (parser.getParsingContext() == null) {
      return null;
    }
    StringBuilder path = new StringBuilder();
    for (String step : parser.getParsingContext().pathAsPointer().toString().split("/")) {
      if (step.isEmpty()) {
        continue;
      }
      if (step.chars().allMatch(Character::isDigit)) {
        path.append('[').append(step).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(CommandBounds.quote(step));
      }
    }
    return path.length() == 0 ? null : path.toString();
  }

  private static TargetSelector selector(JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidRecordException("target", "must be an object with kind, names, group, mode");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!TARGET_FIELDS.contains(name)) {
        throw new InvalidRecordException(
            "target." + CommandBounds.quote(name),
            "unknown field; allowed: " + String.join(", ", TARGET_FIELDS));
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
            "target.group",
            "'" + CommandBounds.quote(group) + "' is not one of CONTROL, EXPERIMENTAL");
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
        throw new InvalidRecordException(
            path + "." + CommandBounds.quote(e.getKey()), "must be a string or number");
      }
      map.put(e.getKey(), v.asText());
    }
    return map;
  }
}
