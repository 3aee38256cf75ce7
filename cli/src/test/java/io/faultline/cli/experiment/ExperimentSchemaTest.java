package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.agent.FaultSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
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
      assertThat(rule.at("/then/properties/selector/properties/kind/const").asText())
          .isEqualTo(spec.kind());
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
