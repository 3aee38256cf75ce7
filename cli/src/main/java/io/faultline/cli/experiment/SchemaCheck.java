package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structure of an experiment file (types, required keys, enums, patterns, sizes, unknown keys),
 * checked by the JSON Schema itself ({@code experiment.schema.json}, networknt's validator), each
 * error put in the file's words by {@link SchemaMessages}: the path ({@code method[1].duration}),
 * the value and what is allowed, read from the schema. Two parts of the schema are left to the
 * sections, which say more: the fault name (the fault's platform and the faults of it) and the
 * per-fault parts under {@code allOf} (parameters and selector kind, checked by the catalogue in
 * the agent's own words).
 */
final class SchemaCheck {

  static final JsonNode SCHEMA_NODE = ExperimentSchema.bundled();
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
      if ("additionalProperties".equals(e.getKeyword()) || "required".equals(e.getKeyword())) {
        path = path.isEmpty() ? e.getProperty() : path + "." + e.getProperty();
      }
      errors.structure(path.isEmpty() ? "(file)" : path, SchemaMessages.of(e));
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
}
