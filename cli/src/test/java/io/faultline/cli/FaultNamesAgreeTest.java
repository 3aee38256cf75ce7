package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.agent.FaultCatalog;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No fault name exists in one place and not the others: the agent's catalogue ({@link FaultSpecs})
 * is the source, and the agent's registered faults, the JSON Schema, the experiment-file checks,
 * {@code faultline faults}, {@code attack --help} and the completion script all hold exactly its
 * names.
 */
class FaultNamesAgreeTest {

  private static final List<String> NAMES = FaultSpecs.names();

  @Test
  void theAgentRegistersEveryCatalogueFault() {
    assertThat(FaultCatalog.offline().names()).containsExactlyInAnyOrderElementsOf(NAMES);
  }

  @Test
  void theSchemaEnumAndPerFaultRulesNameExactlyTheCatalogue() {
    JsonNode schema = ExperimentSchema.bundled();
    List<String> enumNames = new ArrayList<>();
    schema.at("/$defs/attack/properties/fault/enum").forEach(n -> enumNames.add(n.asText()));
    List<String> ruleNames = new ArrayList<>();
    schema
        .at("/$defs/attack/allOf")
        .forEach(r -> ruleNames.add(r.at("/if/properties/fault/const").asText()));
    assertThat(enumNames).isEqualTo(NAMES);
    assertThat(ruleNames).isEqualTo(NAMES);
  }

  @Test
  void theFileChecksAcceptEveryFaultOnItsPlatformsAndNoOther() {
    for (FaultSpec spec : FaultSpecs.ALL) {
      for (String platform : FaultSpecs.PLATFORMS) {
        List<String> errors = errors(fileWith(spec, platform));
        List<String> faultErrors =
            errors.stream().filter(e -> e.startsWith("method[0].fault")).toList();
        if (spec.platforms().contains(platform)) {
          assertThat(errors).as(spec.name() + " on " + platform).isEmpty();
        } else {
          assertThat(faultErrors)
              .as(spec.name() + " on " + platform)
              .singleElement()
              .asString()
              .contains("does not run on platform " + platform);
        }
      }
    }
  }

  @Test
  void faultsListsEveryFaultInTextAndJson() throws Exception {
    FaultsCommand text = new FaultsCommand();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    text.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    assertThat(new picocli.CommandLine(text).execute()).isZero();
    List<String> listed =
        buffer
            .toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> !l.startsWith(" "))
            .map(l -> l.split("\\s+")[0])
            .toList();
    assertThat(listed).isEqualTo(NAMES);

    FaultsCommand json = new FaultsCommand();
    buffer.reset();
    json.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    assertThat(new picocli.CommandLine(json).execute("--output", "json")).isZero();
    List<String> inJson = new ArrayList<>();
    new ObjectMapper()
        .readTree(buffer.toString(StandardCharsets.UTF_8))
        .forEach(f -> inJson.add(f.get("name").asText()));
    assertThat(inJson).isEqualTo(NAMES);
  }

  @Test
  void attackHelpAndCompletionOfferEveryFault() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    var cli = FaultlineCli.commandLine();
    cli.setOut(new PrintWriter(buffer, true));
    assertThat(cli.execute("attack", "--help")).isZero();
    String help = buffer.toString(StandardCharsets.UTF_8);

    CompletionCommand completion = new CompletionCommand();
    ByteArrayOutputStream script = new ByteArrayOutputStream();
    completion.out = new PrintStream(script, true, StandardCharsets.UTF_8);
    completion.call();
    String bash = script.toString(StandardCharsets.UTF_8);
    for (FaultSpec spec : FaultSpecs.ALL) {
      assertThat(help).as("attack --help").containsPattern("(?m)^  " + spec.name() + " ");
      for (FaultSpec.Parameter p : spec.parameters()) {
        assertThat(help).as("attack --help, " + spec.name()).contains(p.name() + "=");
      }
      assertThat(bash).as("completion").contains(spec.name());
    }
  }

  private static List<String> errors(String yaml) {
    try {
      ExperimentFileParser.parse("x.yaml", yaml);
      return List.of();
    } catch (io.faultline.cli.experiment.ExperimentFileException e) {
      return e.errors();
    }
  }

  /** A minimal valid file of {@code platform} with one attack of {@code spec}. */
  static String fileWith(FaultSpec spec, String platform) {
    String groups =
        switch (platform) {
          case "local" -> "  control: {processes: [ctl]}\n  experimental: {processes: [exp]}\n";
          case "kubernetes" ->
              "  control: {namespace: s, labels: {g: c}}\n"
                  + "  experimental: {namespace: s, labels: {g: e}}\n";
          default ->
              "  control: {namespace: s, labels: {g: c}, tags: {g: c}}\n"
                  + "  experimental: {namespace: s, labels: {g: e}, tags: {g: e}}\n";
        };
    StringBuilder params = new StringBuilder();
    for (FaultSpec.Parameter p : spec.parameters()) {
      if (p.required()) {
        params.append(params.isEmpty() ? "" : ", ").append(p.name()).append(": eu-west-1a");
      }
    }
    return "metadata: {name: t}\n"
        + "groups:\n  platform: "
        + platform
        + "\n"
        + groups
        + "steadyState:\n  warmup: 10s\n  window: 5s\n"
        + "  metrics:\n    - {name: http.latency.ms, source: http-probe, direction: increase}\n"
        + "method:\n  - fault: "
        + spec.name()
        + "\n    selector: {kind: "
        + spec.kindOn(platform)
        + ", names: ["
        + (platform.equals("local") ? "exp" : "t1")
        + "], mode: one}\n"
        + "    parameters: {"
        + params
        + "}\n    duration: 5s\n";
  }
}
