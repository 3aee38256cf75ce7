package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.TargetSelection;
import io.faultline.collector.ExperimentSources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * The experiment file's JSON Schema ({@code faultline/experiment.schema.json}): the structure is
 * written by hand, the faults are generated from the agent's catalogue ({@link FaultSpecs}): the
 * {@code fault} enum, the selector kinds and modes ({@link TargetSelection#MODE_PATTERN}), and per
 * fault the parameters it takes, with type, range, default and help ({@code $defs/attack/allOf});
 * the source types (three enums) and their group keys are generated from the collector's list
 * ({@link ExperimentFileParser#SOURCE_ORDER}, {@link ExperimentSources#selectorKeys}).
 * ExperimentSchemaTest fails when the committed file is not what {@link #generate} makes of it;
 * {@link #main} (or that test with {@code -Dfaultline.schema.write=true}) rewrites it. {@link
 * SchemaCheck} validates every experiment file against it.
 */
public final class ExperimentSchema {

  public static final String RESOURCE = "faultline/experiment.schema.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ExperimentSchema() {}

  /** The schema in the jar. */
  public static JsonNode bundled() {
    try (InputStream in = ExperimentSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code schema} with its fault and source parts made from the catalogues; the rest as it was.
   */
  public static ObjectNode generate(JsonNode schema) {
    ObjectNode out = schema.deepCopy();
    sources(out.withObjectProperty("$defs"));
    ObjectNode attack = (ObjectNode) out.withObjectProperty("$defs").withObjectProperty("attack");
    ObjectNode fault = attack.withObjectProperty("properties").putObject("fault");
    ArrayNode names = fault.putArray("enum");
    FaultSpecs.names().forEach(names::add);
    fault.put(
        "description",
        "generated from the agent's fault catalogue; `faultline faults` lists them with their"
            + " parameters. Per platform: "
            + String.join(
                "; ",
                FaultSpecs.PLATFORMS.stream()
                    .map(
                        p ->
                            p
                                + ": "
                                + String.join(
                                    ", ", FaultSpecs.on(p).stream().map(FaultSpec::name).toList()))
                    .toList()));
    ObjectNode kind =
        attack
            .withObjectProperty("properties")
            .withObjectProperty("selector")
            .withObjectProperty("properties")
            .putObject("kind");
    ArrayNode kinds = kind.putArray("enum");
    new TreeSet<>(FaultSpecs.KINDS.keySet()).forEach(kinds::add);
    kind.put("description", "default: the kind the fault takes");
    ObjectNode mode =
        attack
            .withObjectProperty("properties")
            .withObjectProperty("selector")
            .withObjectProperty("properties")
            .putObject("mode");
    mode.put("type", "string");
    mode.put("pattern", TargetSelection.MODE_PATTERN);
    mode.put("default", "one");
    mode.put("description", "one of: " + TargetSelection.MODES);
    ArrayNode perFault = attack.putArray("allOf");
    for (FaultSpec spec : FaultSpecs.ALL) {
      ObjectNode rule = perFault.addObject();
      rule.withObjectProperty("if")
          .withObjectProperty("properties")
          .withObjectProperty("fault")
          .put("const", spec.name());
      rule.withObjectProperty("if").putArray("required").add("fault");
      ObjectNode then = rule.withObjectProperty("then").withObjectProperty("properties");
      ObjectNode kindRule =
          then.withObjectProperty("selector")
              .withObjectProperty("properties")
              .withObjectProperty("kind");
      if (spec.kinds().size() == 1) {
        kindRule.put("const", spec.kind());
      } else {
        kindRule.set("enum", kinds(spec));
      }
      then.set("parameters", parameters(spec));
    }
    return out;
  }

  /** The kinds a fault takes, on any platform (executor-kill: process locally, pod elsewhere). */
  private static ArrayNode kinds(FaultSpec spec) {
    ArrayNode kinds = JsonNodeFactory.instance.arrayNode();
    spec.kinds().forEach(kinds::add);
    return kinds;
  }

  /** The source-type enums of a metric and of a source, and the group keys of each type. */
  private static void sources(ObjectNode defs) {
    ObjectNode metricSource =
        defs.withObjectProperty("metric")
            .withObjectProperty("properties")
            .withObjectProperty("source");
    ArrayNode oneOf = metricSource.withArray("oneOf");
    sourceEnum((ObjectNode) oneOf.get(0));
    sourceEnum(
        ((ObjectNode) oneOf.get(1)).withObjectProperty("properties").withObjectProperty("type"));
    ObjectNode source = defs.withObjectProperty("source").withObjectProperty("properties");
    sourceEnum(source.withObjectProperty("type"));
    String keys =
        String.join(
            "; ",
            ExperimentFileParser.SOURCE_ORDER.stream()
                .map(
                    t ->
                        t
                            + " "
                            + String.join(
                                ", ",
                                ExperimentSources.selectorKeys(
                                    ExperimentFileParser.collectorType(t))))
                .toList());
    for (String group : List.of("control", "experimental")) {
      source
          .withObjectProperty(group)
          .put(
              "description",
              "how this source finds the group's targets (generated; keys per type,"
                  + " metrics-collector/README.md): "
                  + keys
                  + ". A list is joined by commas, a mapping is a label selector");
    }
  }

  private static void sourceEnum(ObjectNode node) {
    ArrayNode types = node.putArray("enum");
    ExperimentFileParser.SOURCE_ORDER.forEach(types::add);
  }

  private static ObjectNode parameters(FaultSpec spec) {
    ObjectNode p = NODES.objectNode();
    p.put("type", "object");
    p.put("description", spec.name() + ": " + spec.help());
    p.put("additionalProperties", false);
    ObjectNode properties = p.putObject("properties");
    ArrayNode required = NODES.arrayNode();
    for (FaultSpec.Parameter parameter : spec.parameters()) {
      properties.set(parameter.name(), parameter(parameter));
      if (parameter.required()) {
        required.add(parameter.name());
      }
    }
    if (!required.isEmpty()) {
      p.set("required", required);
    }
    return p;
  }

  private static ObjectNode parameter(FaultSpec.Parameter parameter) {
    ObjectNode n = NODES.objectNode();
    String unit = parameter.unit().isEmpty() ? "" : " (" + parameter.unit() + ")";
    String shownDefault = parameter.shownDefault();
    n.put(
        "description",
        parameter.help()
            + unit
            + "; "
            + parameter.allowed()
            + (shownDefault == null ? "" : "; default " + shownDefault));
    switch (parameter.type()) {
      case INTEGER -> {
        n.putArray("type").add("integer").add("string");
        n.put("minimum", parameter.min());
        n.put("maximum", parameter.max());
        n.put("pattern", "^\\s*\\d+\\s*$");
      }
      case DURATION -> n.put("$ref", "#/$defs/duration");
      case BOOLEAN -> n.putArray("enum").add(true).add(false).add("true").add("false");
      case CHOICE -> {
        ArrayNode choices = n.putArray("enum");
        parameter.choices().forEach(choices::add);
      }
      case TEXT -> {
        n.put("type", "string");
        n.put("pattern", "^(" + parameter.pattern() + ")$");
      }
    }
    return n;
  }

  /** The text of {@code schema} as the committed file holds it. */
  public static String text(JsonNode schema) {
    try {
      return JSON.writeValueAsString(schema) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites the schema file at {@code args[0]} with its fault parts generated. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "cli/src/main/resources/" + RESOURCE);
    Files.writeString(file, text(generate(JSON.readTree(file.toFile()))));
    System.out.println("wrote " + file);
  }
}
