package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import io.faultline.schema.NearestName;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A schema error of an experiment file in the file's words: the value and what is allowed, read
 * from the schema object that holds the failed keyword (its enum, range, size, keys, or the {@code
 * description} of a pattern), e.g. {@code 'Bad_Name' must be 1-63 lower-case letters, ...}.
 */
final class SchemaMessages {

  private SchemaMessages() {}

  static String of(Error e) {
    JsonNode value = e.getInstanceNode();
    JsonNode at = schemaAt(e); // the schema object holding the failed keyword
    return switch (e.getKeyword()) {
      case "additionalProperties" -> {
        List<String> allowed = new ArrayList<>();
        at.path("properties").fieldNames().forEachRemaining(allowed::add);
        yield "unknown key"
            + NearestName.hint(allowed, e.getProperty())
            + "; allowed here: "
            + String.join(", ", allowed);
      }
      case "required" -> {
        String about = at.path("properties").path(e.getProperty()).path("description").asText();
        yield about.isEmpty() ? "required" : "required: " + about;
      }
      case "enum" -> "'" + shown(value) + "' is not one of " + new TreeSet<>(texts(at.get("enum")));
      case "const" -> "'" + shown(value) + "' is not supported; use " + at.get("const").asText();
      case "pattern" -> pattern(e, at, value);
      case "type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
          typeOrRange(at, value);
      case "minItems", "maxItems" -> items(at, value);
      case "minProperties", "maxProperties" -> properties(at, value);
      case "minLength" -> "must be a non-empty text";
      case "maxLength" ->
          "is " + value.asText().length() + " characters; at most " + at.get("maxLength");
      case "oneOf" -> "must be " + String.join(" or ", kinds(at.get("oneOf")));
      default -> e.getMessage();
    };
  }

  private static String pattern(Error e, JsonNode at, JsonNode value) {
    if (e.getSchemaLocation().toString().endsWith("#/$defs/duration/pattern")) {
      return "'" + shown(value) + "' is not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S";
    }
    String about = at.path("description").asText();
    if (about.isEmpty()) {
      return "'" + shown(value) + "' does not match " + at.get("pattern").asText();
    }
    return "'" + shown(value) + (about.startsWith("one of") ? "' is not " : "' must be ") + about;
  }

  private static String typeOrRange(JsonNode at, JsonNode value) {
    String type = at.path("type").isTextual() ? at.get("type").asText() : "";
    boolean whole = type.equals("integer");
    if (whole || type.equals("number")) {
      boolean above = at.has("exclusiveMinimum");
      String min = above ? at.get("exclusiveMinimum").asText() : at.path("minimum").asText();
      String range =
          min.isEmpty()
              ? ""
              : (above ? " above " : " from ")
                  + min
                  + (at.has("maximum") ? " to " + at.get("maximum").asText() : " or more");
      return "'" + shown(value) + "': must be a " + (whole ? "whole number" : "number") + range;
    }
    return "must be " + String.join(" or ", kinds(at)) + ", not " + kindOf(value);
  }

  /** What a value of the file is, in the words of {@link #kinds}: a list where a mapping goes. */
  static String kindOf(JsonNode value) {
    // the YAML reader gives a key without a value ("metadata:") as an empty text
    if (value == null
        || value.isNull()
        || value.isMissingNode()
        || (value.isTextual() && value.asText().isEmpty())) {
      return "empty";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isBoolean()) {
      return "true or false";
    }
    return value.isNumber() ? "a number" : "a text";
  }

  private static String items(JsonNode at, JsonNode value) {
    String ref = at.path("items").path("$ref").asText();
    String noun = ref.isEmpty() ? "entries" : ref.substring(ref.lastIndexOf('/') + 1) + "s";
    if (value.size() < at.path("minItems").asInt(0)) {
      return "must be a list of "
          + at.get("minItems").asText()
          + (at.has("maxItems") ? " to " + at.get("maxItems").asText() : " or more")
          + " "
          + noun;
    }
    return value.size() + " " + noun + "; at most " + at.get("maxItems").asText() + " are allowed";
  }

  private static String properties(JsonNode at, JsonNode value) {
    if (at.path("minProperties").asInt(-1) == 1 && at.path("maxProperties").asInt(-1) == 1) {
      List<String> keys = new ArrayList<>();
      at.path("properties").fieldNames().forEachRemaining(keys::add);
      return "must have exactly one of: " + String.join(", ", keys);
    }
    return value.size() + " entries; at most " + at.path("maxProperties").asText();
  }

  /** What a schema (or each of a list of schemas) takes, in words: a mapping, a list, a text. */
  private static List<String> kinds(JsonNode schema) {
    List<String> out = new ArrayList<>();
    if (schema.isArray()) {
      schema.forEach(s -> out.addAll(kinds(s)));
      return out;
    }
    if (schema.has("$ref")) {
      return kinds(SchemaCheck.SCHEMA_NODE.at(schema.get("$ref").asText().substring(1)));
    }
    for (String type : texts(schema.path("type"))) {
      out.add(
          switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "string" -> "a text";
            case "boolean" -> "true or false";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            default -> type;
          });
    }
    return out;
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    } else if (!n.isMissingNode()) {
      out.add(n.asText());
    }
    return out;
  }

  /** The schema object that holds the failed keyword (its location minus the keyword). */
  private static JsonNode schemaAt(Error e) {
    String location = e.getSchemaLocation().toString();
    String pointer = location.substring(location.indexOf('#') + 1);
    String keyword = "/" + e.getKeyword();
    if (pointer.endsWith(keyword)) {
      pointer = pointer.substring(0, pointer.length() - keyword.length());
    }
    return SchemaCheck.SCHEMA_NODE.at(pointer);
  }

  private static String shown(JsonNode value) {
    if (value == null) {
      return "";
    }
    String text = value.isValueNode() ? value.asText() : value.toString();
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }
}
