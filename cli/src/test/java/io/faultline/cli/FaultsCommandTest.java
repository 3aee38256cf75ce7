package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code faultline faults}: a fault's kind is the one on the platform asked for (docs/adr/0034).
 */
class FaultsCommandTest {

  @Test
  void jsonGivesExecutorKillItsKindOnEachPlatform() throws Exception {
    JsonNode all = json();
    JsonNode kill = fault(all, "executor-kill");
    assertThat(kill.get("kind").asText()).isEqualTo("process");
    assertThat(kill.get("kinds").toString())
        .isEqualTo("{\"aws\":\"pod\",\"kubernetes\":\"pod\",\"local\":\"process\"}");
    assertThat(fault(json("--platform", "kubernetes"), "executor-kill").get("kind").asText())
        .isEqualTo("pod");
    assertThat(fault(json("--platform", "aws"), "executor-kill").get("kind").asText())
        .isEqualTo("pod");
    assertThat(fault(json("--platform", "local"), "executor-kill").get("kind").asText())
        .isEqualTo("process");
  }

  @Test
  void jsonKindsNameEveryPlatformOfEveryFault() throws Exception {
    for (JsonNode f : json()) {
      Map<String, String> kinds = new TreeMap<>();
      f.get("kinds").fields().forEachRemaining(e -> kinds.put(e.getKey(), e.getValue().asText()));
      assertThat(kinds.keySet()).as(f.get("name").asText()).hasSameSizeAs(f.get("platforms"));
      f.get("platforms").forEach(p -> assertThat(kinds).containsKey(p.asText()));
    }
  }

  @Test
  void textShowsTheKindOnThePlatformAskedFor() {
    assertThat(text()).containsPattern("(?m)^executor-kill +kind process\\|pod ");
    assertThat(text("--platform", "kubernetes")).containsPattern("(?m)^executor-kill +kind pod ");
    assertThat(text("--platform", "local")).containsPattern("(?m)^executor-kill +kind process ");
  }

  private static JsonNode fault(JsonNode all, String name) {
    for (JsonNode f : all) {
      if (f.get("name").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError(name + " not in " + all);
  }

  private static JsonNode json(String... args) throws Exception {
    String[] withJson = new String[args.length + 2];
    System.arraycopy(args, 0, withJson, 0, args.length);
    withJson[args.length] = "--output";
    withJson[args.length + 1] = "json";
    return new ObjectMapper().readTree(text(withJson));
  }

  private static String text(String... args) {
    FaultsCommand command = new FaultsCommand();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    command.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    assertThat(new picocli.CommandLine(command).execute(args)).isZero();
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
