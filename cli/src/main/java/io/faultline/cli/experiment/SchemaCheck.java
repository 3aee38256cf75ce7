package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.faultline.schema.NearestName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structure of an experiment file (types, required keys, enums, patterns, sizes, unknown keys),
 * checked by the JSON Schema itself ({@code experiment.schema.json}, networknt's validator), each
 * error put in the file's words: the path ({@code method[1].duration}), the value and what is
 * allowed, read from the schema. Two parts of the schema are left to the sections, which say more:
 * the fault name (the fault's platform and the faults of it) and the per-fault parts under {@code
 * allOf} (parameters and selector kind, checked by the catalogue in the agent's own words).
 */
final class SchemaCheck {

  private static final JsonNode SCHEMA_NODE = ExperimentSchema.bundled();
  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA_NODE);
  private static final Pattern BRANCH = Pattern.compile("(.*/oneOf)/(\\d+)(/.*)?");

  private SchemaCheck() {}

  /** Reports every structure error of {@code root} into {@code errors}. */
  static void check(JsonNode root, FileErrors errors) {
    List<Error> all = SCHEMA.validate(root);
    // A oneOf branch whose type does not fit the value says nothing useful: drop its errors, and
    // the oneOf's own error when another branch explains the problem.
    List<String> choices = new ArrayList<>(); // each failed oneOf: "evaluation path|value path"
    for (Error e : all) {
      if ("oneOf".equals(e.getKeyword())) {
        choices.add(e.getEvaluationPath() + "|" + e.getInstanceLocation());
      }
    }
    Set<String> misfits = new HashSet<>();
    for (Error e : all) {
      String branch = branch(e, choices);
      Matcher m = BRANCH.matcher(e.getEvaluationPath().toString());
      if (branch != null
          && m.matches()
          && "type".equals(e.getKeyword())
          && isBranchRoot(m.group(3))) {
        misfits.add(branch);
      }
    }
    Set<String> explained = new HashSet<>();
    for (Error e : all) {
      String branch = branch(e, choices);
      if (branch != null && !misfits.contains(branch)) {
        explained.add(branch.substring(0, branch.lastIndexOf('|')));
      }
    }
    for (Error e : all) {
      String evaluation = e.getEvaluationPath().toString();
      String branch = branch(e, choices);
      if (evaluation.contains("/allOf/")
          || evaluation.endsWith("/properties/fault/enum")
          || misfits.contains(branch)
          || ("oneOf".equals(e.getKeyword())
              && explained.contains(evaluation + "|" + e.getInstanceLocation()))) {
        continue;
      }
      String path = path(e.getInstanceLocation());
      if ("additionalProperties".equals(e.getKeyword())
          || "required".equals(e.getKeyword())
          || "dependentRequired".equals(e.getKeyword())) {
        path = path.isEmpty() ? e.getProperty() : path + "." + e.getProperty();
      }
      errors.structure(path.isEmpty() ? "(file)" : path, message(e));
    }
  }

  /**
   * The oneOf branch an error comes from, as "evaluation path|value path|branch", or null: the
   * evaluation path alone is the same for every item of a list, so the value's path tells them
   * apart.
   */
  private static String branch(Error e, List<String> choices) {
    Matcher m = BRANCH.matcher(e.getEvaluationPath().toString());
    if (!m.matches()) {
      return null;
    }
    String value = e.getInstanceLocation().toString();
    for (String choice : choices) {
      int bar = choice.indexOf('|');
      String at = choice.substring(bar + 1);
      if (choice.substring(0, bar).equals(m.group(1))
          && (value.equals(at) || value.startsWith(at + "/"))) {
        return choice + "|" + m.group(2);
      }
    }
    return null;
  }

  private static boolean isBranchRoot(String rest) {
    return rest == null || rest.equals("/type") || rest.equals("/$ref/type");
  }

  /** {@code /method/1/duration} as the file's path {@code method[1].duration}. */
  static String path(NodePath location) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(element);
      }
    }
    return out.toString();
  }

  private static String message(Error e) {
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
    return "must be " + String.join(" or ", kinds(at));
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
      return kinds(SCHEMA_NODE.at(schema.get("$ref").asText().substring(1)));
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
    return SCHEMA_NODE.at(pointer);
  }

  private static String shown(JsonNode value) {
    if (value == null) {
      return "";
    }
    String text = value.isValueNode() ? value.asText() : value.toString();
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }
}
