package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.TargetSelection;
import io.faultline.schema.InvalidRecordException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One rule for a selector's {@code mode}: the agent's check (which {@code faultline attack --mode}
 * calls too), the experiment schema's pattern as committed, and an experiment file's validation
 * accept exactly the same modes ({@code TargetSelection.MODE_PATTERN}). Fails when one drifts.
 */
class SelectorModeRuleTest {

  private static final Pattern SCHEMA =
      Pattern.compile(
          ExperimentSchema.bundled()
              .at("/$defs/attack/properties/selector/properties/mode/pattern")
              .asText());

  /** Every mode form with numbers in and out of range, whole and not, and odd spellings. */
  static Stream<String> modes() {
    List<String> modes = new ArrayList<>(List.of("one", "all", "", "ONE", " all", "all ", "none"));
    String[] numbers = {
      "0",
      "1",
      "7",
      "12.5",
      "50",
      "99",
      "100",
      "101",
      "150",
      "050",
      "+5",
      "-1",
      "1e2",
      "0.5",
      "",
      " 5",
      "999999999",
      "1000000000",
      "2147483648",
      "x"
    };
    for (String prefix : new String[] {"fixed:", "percent:", "random-max-percent:", "percent"}) {
      for (String n : numbers) {
        modes.add(prefix + n);
      }
    }
    return modes.stream();
  }

  private static boolean agentAccepts(String mode) {
    try {
      TargetSelection.checkMode(mode);
      return true;
    } catch (InvalidRecordException e) {
      return false;
    }
  }

  /** Whether a valid experiment file with this mode passes, or fails on the mode alone. */
  private static boolean fileAccepts(String mode) {
    String yaml =
        ExperimentFileParserTest.VALID.replace(
            "mode: all}", "mode: \"" + mode.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
    try {
      ExperimentFileParser.parse("x.yaml", yaml);
      return true;
    } catch (ExperimentFileException e) {
      assertThat(e.errors())
          .as("the only errors are the mode's: %s", mode)
          .allMatch(m -> m.startsWith("method[0].selector.mode: "));
      return false;
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void theAgentTheSchemaAndAnExperimentFileAgree(String mode) {
    boolean agent = agentAccepts(mode);
    assertThat(SCHEMA.matcher(mode).find()).as("schema pattern on '%s'", mode).isEqualTo(agent);
    assertThat(fileAccepts(mode)).as("experiment file with '%s'", mode).isEqualTo(agent);
  }

  @Test
  void percentsAreWholeNumbersFromOneToAHundred() {
    assertThat(agentAccepts("percent:12.5")).isFalse();
    assertThat(agentAccepts("random-max-percent:0.5")).isFalse();
    assertThat(agentAccepts("percent:0")).isFalse();
    assertThat(agentAccepts("percent:101")).isFalse();
    assertThat(agentAccepts("percent:1")).isTrue();
    assertThat(agentAccepts("percent:100")).isTrue();
    assertThat(agentAccepts("random-max-percent:50")).isTrue();
    assertThat(agentAccepts("fixed:999999999")).isTrue();
    assertThat(agentAccepts("fixed:2147483648")).as("beyond an int").isFalse();
  }

  @Test
  void anExperimentFileNamesTheModeAndTheRule() {
    String yaml = ExperimentFileParserTest.VALID.replace("mode: all}", "mode: \"percent:12.5\"}");
    try {
      ExperimentFileParser.parse("x.yaml", yaml);
      throw new AssertionError("percent:12.5 accepted");
    } catch (ExperimentFileException e) {
      assertThat(e.errors())
          .containsExactly(
              "method[0].selector.mode: 'percent:12.5' is not one of: " + TargetSelection.MODES);
    }
  }
}
