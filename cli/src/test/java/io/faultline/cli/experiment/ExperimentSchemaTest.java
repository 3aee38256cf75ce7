package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.agent.FaultSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed schema is what the generator makes of it. To regenerate after changing the
 * catalogue: {@code ./mvnw -q -o -pl cli -am verify -Dtest=ExperimentSchemaTest
 * -Dfaultline.schema.write=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ExperimentSchemaTest {

  private static final Path FILE = Path.of("src/main/resources/" + ExperimentSchema.RESOURCE);

  @Test
  void theCommittedSchemaIsTheGeneratedOne() throws Exception {
    JsonNode committed = new ObjectMapper().readTree(FILE.toFile());
    String generated = ExperimentSchema.text(ExperimentSchema.generate(committed));
    if (Boolean.getBoolean("faultline.schema.write")) {
      Files.writeString(FILE, generated);
    }
    assertThat(Files.readString(FILE))
        .as(
            "experiment.schema.json is out of date with the fault catalogue; regenerate it with"
                + " -Dfaultline.schema.write=true (see this test's Javadoc)")
        .isEqualTo(generated);
  }

  @Test
  void theSourceEnumsAreGeneratedFromTheCollectorsList() {
    List<String> paths =
        List.of(
            "/$defs/metric/properties/source/oneOf/0/enum",
            "/$defs/metric/properties/source/oneOf/1/properties/type/enum",
            "/$defs/source/properties/type/enum");
    ObjectNode drifted = ExperimentSchema.bundled().deepCopy();
    for (String path : paths) {
      // a hand edit that leaves one type out (or adds one) is overwritten by the generator
      ((ArrayNode) drifted.at(path)).remove(0);
      ((ArrayNode) drifted.at(path)).add("datadog");
    }
    JsonNode generated = ExperimentSchema.generate(drifted);
    for (String path : paths) {
      List<String> types = new ArrayList<>();
      generated.at(path).forEach(t -> types.add(t.asText()));
      assertThat(types).as(path).isEqualTo(ExperimentFileParser.SOURCE_ORDER);
      assertThat(ExperimentSchema.bundled().at(path)).as(path).isEqualTo(generated.at(path));
    }
    assertThat(ExperimentFileParser.SOURCE_ORDER)
        .contains("http-probe", "spark")
        .doesNotContain("http");
    assertThat(generated.at("/$defs/source/properties/control/description").asText())
        .contains("http-probe concurrency, rps, targets; prometheus value; ")
        .contains("spark targets.");
  }

  @Test
  void everyFaultHasItsParametersAndKindInTheSchema() {
    JsonNode schema = ExperimentSchema.bundled();
    JsonNode rules = schema.at("/$defs/attack/allOf");
    assertThat(rules.size()).isEqualTo(FaultSpecs.ALL.size());
    for (JsonNode rule : rules) {
      String fault = rule.at("/if/properties/fault/const").asText();
      var spec = FaultSpecs.named(fault).orElseThrow();
      JsonNode parameters = rule.at("/then/properties/parameters");
      assertThat(parameters.get("additionalProperties").asBoolean()).as(fault).isFalse();
      java.util.List<String> names = new java.util.ArrayList<>();
      parameters.get("properties").fieldNames().forEachRemaining(names::add);
      assertThat(names).as(fault).isEqualTo(spec.parameterNames());
      JsonNode kind = rule.at("/then/properties/selector/properties/kind");
      java.util.List<String> kinds = new java.util.ArrayList<>();
      if (kind.has("const")) {
        kinds.add(kind.get("const").asText());
      } else {
        kind.get("enum").forEach(k -> kinds.add(k.asText())); // a kind per platform
      }
      assertThat(kinds).as(fault).containsExactlyElementsOf(spec.kinds());
    }
    assertThat(schema.at("/$defs/attack/properties/parameters/properties/cores").isMissingNode())
        .isTrue();
    assertThat(
            schema
                .at("/$defs/attack/allOf/0/then/properties/parameters/properties/cores/maximum")
                .asInt())
        .isEqualTo(64);
  }
}
