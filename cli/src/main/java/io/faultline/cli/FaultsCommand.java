package io.faultline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code faultline faults}: the agent's fault catalogue, every fault with its parameters. */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    header = "List every fault with its target kind, platforms and parameters.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:listed", ExitCodes.USAGE_OR_ERROR_OFFLINE},
    description = {
      "List every fault an agent has, with the target kind it takes, the experiment-file",
      "platforms it runs on, and each parameter's range, unit, default and meaning."
    })
public final class FaultsCommand implements Callable<Integer> {

  /** The fault names, for picocli's completion and help. */
  public static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return FaultSpecs.names().iterator();
    }
  }

  /** The platforms, for picocli's completion. */
  public static final class Platforms implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return FaultSpecs.PLATFORMS.iterator();
    }
  }

  @Option(
      names = "--platform",
      completionCandidates = Platforms.class,
      description = "Only the faults of this platform: ${COMPLETION-CANDIDATES}.")
  String platform;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}).",
      defaultValue = "text")
  String output = "text";

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (platform != null && !FaultSpecs.PLATFORMS.contains(platform)) {
      err.println(
          "faultline faults: --platform '"
              + platform
              + "': must be one of "
              + String.join(", ", FaultSpecs.PLATFORMS));
      return 2;
    }
    if (!output.equals("text") && !output.equals("json")) {
      err.println("faultline faults: --output '" + output + "': must be text or json");
      return 2;
    }
    List<FaultSpec> specs = platform == null ? FaultSpecs.ALL : FaultSpecs.on(platform);
    out.print(output.equals("json") ? json(specs, platform) : table(specs, platform));
    return 0;
  }

  /**
   * The kind a fault's targets are on {@code platform}, or, for every platform (null), each kind it
   * takes somewhere, its own first ({@code process|pod}).
   */
  private static String kind(FaultSpec spec, String platform) {
    return platform == null ? String.join("|", spec.kinds()) : spec.kindOn(platform);
  }

  /** One block per fault: name, kind, platforms and help, then a line per parameter. */
  static String table(List<FaultSpec> specs, String platform) {
    StringBuilder s = new StringBuilder();
    for (FaultSpec spec : specs) {
      s.append(
          String.format(
              "%-18s kind %-12s %-15s %s%n",
              spec.name(), kind(spec, platform), String.join(",", platforms(spec)), spec.help()));
      for (FaultSpec.Parameter p : spec.parameters()) {
        boolean text = p.type() == FaultSpec.Type.TEXT;
        String range = text ? "text" : p.allowed() + (p.unit().isEmpty() ? "" : " " + p.unit());
        s.append(
            String.format(
                "    %-18s %-20s default %-14s %s%n",
                p.name(), range, p.shownDefault(), p.help() + (text ? ": " + p.format() : "")));
      }
    }
    return s.toString();
  }

  /** One line per fault with its parameters' ranges (wrapped at 80), for {@code attack --help}. */
  static String summary() {
    StringBuilder s = new StringBuilder();
    for (FaultSpec spec : FaultSpecs.ALL) {
      StringBuilder line =
          new StringBuilder(
              String.format("  %-18s %-13s", spec.name(), String.join("|", spec.kinds())));
      int indent = line.length();
      int lineStart = 0;
      for (FaultSpec.Parameter p : spec.parameters()) {
        String param =
            p.name()
                + "="
                + (p.type() == FaultSpec.Type.TEXT ? "TEXT" : p.allowed().replace(", ", "|"));
        if (line.length() - lineStart + 1 + param.length() > 79) {
          line.append('\n');
          lineStart = line.length();
          line.append(" ".repeat(indent));
        }
        line.append(' ').append(param);
      }
      s.append(line.toString().stripTrailing()).append('\n');
    }
    return s.toString();
  }

  /**
   * The catalogue as JSON: {@code kind} is the kind on {@code platform} (null: the fault's own, the
   * one {@code attack} defaults to), {@code kinds} the kind on each of its platforms
   * (docs/adr/0034).
   */
  static String json(List<FaultSpec> specs, String platform) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (FaultSpec spec : specs) {
      ObjectNode f = all.addObject();
      f.put("name", spec.name());
      f.put("kind", spec.kindOn(platform));
      ArrayNode platforms = f.putArray("platforms");
      platforms(spec).forEach(platforms::add);
      ObjectNode kinds = f.putObject("kinds");
      platforms(spec).forEach(p -> kinds.put(p, spec.kindOn(p)));
      f.put("help", spec.help());
      ArrayNode parameters = f.putArray("parameters");
      for (FaultSpec.Parameter p : spec.parameters()) {
        ObjectNode n = parameters.addObject();
        n.put("name", p.name());
        n.put("type", p.type().name().toLowerCase(java.util.Locale.ROOT));
        if (p.type() == FaultSpec.Type.INTEGER || p.type() == FaultSpec.Type.DURATION) {
          n.put("min", p.min());
          n.put("max", p.max());
        }
        if (p.type() == FaultSpec.Type.CHOICE) {
          ArrayNode choices = n.putArray("choices");
          p.choices().forEach(choices::add);
        }
        if (p.type() == FaultSpec.Type.TEXT) {
          n.put("pattern", p.pattern());
        }
        n.put("unit", p.unit());
        n.put("default", p.defaultValue());
        if (p.defaultValue() == null && p.defaultHelp() != null) {
          n.put("defaultHelp", p.defaultHelp());
        }
        n.put("required", p.required());
        n.put("allowed", p.allowed());
        n.put("help", p.help());
      }
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all)
          + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> platforms(FaultSpec spec) {
    return List.copyOf(new TreeSet<>(spec.platforms()));
  }
}
