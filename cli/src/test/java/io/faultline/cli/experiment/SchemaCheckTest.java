package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema's errors in the file's words: path, value, what is allowed; one per value. */
class SchemaCheckTest {

  private static List<String> errors(String yaml) {
    try {
      ExperimentFileParser.parse("x.yaml", yaml);
    } catch (ExperimentFileException e) {
      return e.errors();
    }
    throw new AssertionError("expected errors in:\n" + yaml);
  }

  @Test
  void structureErrorsNameThePathTheValueAndWhatIsAllowed() {
    String yaml =
        ExperimentFileParserTest.VALID
            .replace("metadata: {name: t}", "apiVersion: faultline.io/v2\nmetadata: {name: t}")
            .replace("window: 5s", "windw: 5s")
            .replace(
                "direction: increase}",
                "direction: increase, tolerance: a}\n"
                    + "    - {name: x, source: [a], alpha: 0, statistic: [mean, median]}")
            .replace("local: {start: false}", "local: {start: false, rps: 5000}")
            .replace("checkInterval: 1s", "checkInterval: 1s\n  blastRadius: {maxTargets: 0}")
            .replace("observe: 40s", "observe: 40s\n  after: 5s");
    assertThat(errors(yaml))
        .containsExactly(
            "apiVersion: 'faultline.io/v2' is not supported; use faultline.io/v1",
            "groups.local.rps: '5000': must be a whole number from 1 to 1000",
            "steadyState.windw: unknown key; did you mean window?; allowed here: warmup, window,"
                + " recoveryWindows, metrics, sources",
            "steadyState.metrics[0].tolerance: 'a': must be a number from 0 to 10",
            "steadyState.metrics[1].source: must be a text or a mapping",
            "steadyState.metrics[1].alpha: '0': must be a number above 0 to 0.5",
            "steadyState.metrics[1].statistic[1]: 'median' is not one of [mean, p99, spread]",
            "guards.blastRadius.maxTargets: '0': must be a whole number from 1 to 10000",
            "recovery.after: unknown key; allowed here: observe");
  }

  @Test
  void aOneOfReportsOnlyTheBranchThatFitsTheValueOfEachItem() {
    String yaml =
        ExperimentFileParserTest.VALID.replace(
            "source: http-probe, direction: increase}",
            "source: smoke, direction: increase}\n    - {name: y, source: [a]}");
    assertThat(errors(yaml))
        .containsExactly(
            "steadyState.metrics[0].source: 'smoke' is not one of " + ExperimentFileParser.SOURCES,
            "steadyState.metrics[1].source: must be a text or a mapping");
  }

  @Test
  void theAllowedSourcesAreTheCollectorsSortedWithTheFilesNameForHttp() {
    // built from the collector's list above; this literal part catches a wrong message format
    assertThat(
            errors(ExperimentFileParserTest.VALID.replace("source: http-probe", "source: smoke")))
        .singleElement()
        .asString()
        .startsWith("steadyState.metrics[0].source: 'smoke' is not one of [cloudwatch, host,")
        .contains(", http-probe, ", ", prometheus, ")
        .doesNotContain(" http,");
  }

  @Test
  void sizesAndRequiredKeysSayWhatIsExpected() {
    String yaml =
        ExperimentFileParserTest.VALID
            .replace("    - {name: http.latency.ms, source: http-probe, direction: increase}\n", "")
            .replace("metrics:\n", "metrics: []\n")
            .replace("    duration: 20s\n", "")
            .replace(
                "checkInterval: 1s",
                "checkInterval: 1s\n  stopConditions: [{prometheus: {url: http://p}}]");
    assertThat(errors(yaml))
        .containsExactly(
            "steadyState.metrics: must be a list of 1 to 50 metrics",
            "guards.stopConditions[0].prometheus.query: required",
            "method[0].duration: required: a duration between 1s and 1h, e.g. 30s");
  }

  @Test
  void aRuleOnAValueTheSchemaFaultedAddsNothing() {
    // 'forever' fails the schema's duration pattern; the method's range rule stays silent on it
    String yaml = ExperimentFileParserTest.VALID.replace("duration: 20s", "duration: forever");
    assertThat(errors(yaml))
        .containsExactly(
            "method[0].duration: 'forever' is not a duration; use e.g. 500ms, 30s, 5m, 1h or"
                + " PT30S");
  }

  @Test
  void errorsComeInTheOrderOfTheFileWhicheverCheckFoundThem() throws Exception {
    String yaml =
        ExperimentFileParserTest.VALID
            .replace("metadata: {name: t}", "metadata: {name: t, colour: blue}")
            .replace("warmup: 10s", "warmup: 2s")
            .replace("maxDuration: 10m", "maxDuration: 48h");
    assertThat(errors(yaml))
        .extracting(e -> e.substring(0, e.indexOf(':')))
        .containsExactly("metadata.colour", "steadyState.warmup", "guards.maxDuration");
    FileErrors errors =
        new FileErrors(new ObjectMapper().readTree("{\"b\": 1, \"a\": {\"y\": 1, \"x\": [0, 1]}}"));
    errors.add("a.x[1]", "rule");
    errors.structure("a.y", "schema");
    errors.add("a.y", "dropped: the schema named this value");
    errors.add("c", "absent: after its siblings");
    errors.structure("b", "schema");
    assertThat(errors.inFileOrder())
        .containsExactly(
            "b: schema", "a.y: schema", "a.x[1]: rule", "c: absent: after its siblings");
  }

  @Test
  void aFileThatIsNotAMappingIsOneError() {
    for (String[] file : new String[][] {{"- a\n- b\n", "a list"}, {"", "empty"}}) {
      assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", file[0]))
          .isInstanceOfSatisfying(
              ExperimentFileException.class,
              e ->
                  assertThat(e.errors())
                      .containsExactly(
                          "(file): must be a mapping with metadata, groups, steadyState, method,"
                              + " guards, recovery, not "
                              + file[1]));
    }
  }

  @Test
  void theParsersLimitsAreTheSchemas() {
    var schema = ExperimentSchema.bundled();
    assertThat(schema.at("/properties/method/maxItems").asInt())
        .isEqualTo(ExperimentFileParser.MAX_ATTACKS);
    assertThat(schema.at("/properties/groups/properties/platform/enum"))
        .extracting(n -> n.asText())
        .containsExactlyInAnyOrderElementsOf(ExperimentFileParser.PLATFORMS);
    assertThat(schema.at("/$defs/metric/properties/direction/enum"))
        .extracting(n -> n.asText())
        .containsExactlyInAnyOrderElementsOf(ExperimentFileParser.DIRECTIONS);
    assertThat(schema.at("/$defs/metric/properties/statistic/oneOf/0/enum"))
        .extracting(n -> n.asText())
        .containsExactlyElementsOf(ExperimentFileParser.STATISTICS);
  }
}
