package io.faultline.cli.experiment;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.faultline.agent.FaultSpecs;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.Groups;
import io.faultline.cli.experiment.ExperimentDefinition.Guards;
import io.faultline.cli.experiment.ExperimentDefinition.Metadata;
import io.faultline.cli.experiment.ExperimentDefinition.Method;
import io.faultline.cli.experiment.ExperimentDefinition.Recovery;
import io.faultline.cli.experiment.ExperimentDefinition.SteadyStateSpec;
import io.faultline.collector.CollectorConfig;
import io.faultline.schema.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an experiment file (YAML) and checks all of it before anything runs: its structure by the
 * JSON Schema ({@link SchemaCheck}), then each section's own rules across fields ({@link
 * MetadataSection}, {@link GroupsSection}, {@link SteadyStateSection}, {@link MethodSection},
 * {@link GuardsSection}), then the whole plan (sources by the collector's rules, blast radius, the
 * plan within {@code guards.maxDuration}). Every error is collected with its path ({@code
 * method[1].duration: ...}) and what is allowed, then reported at once, in the order of the file.
 */
public final class ExperimentFileParser {

  /** Limits that keep a file from asking for more than an experiment should (the schema's too). */
  public static final long MAX_FILE_BYTES = 256 * 1024;

  public static final int MAX_ATTACKS = 50;
  public static final Duration MAX_ATTACK_DURATION = Duration.ofHours(1);
  public static final Duration MAX_TOTAL_DURATION = Duration.ofHours(24);
  public static final Duration MAX_PHASE = Duration.ofHours(1);

  /** The platforms, faults, target kinds and parameters are the agent's catalogue's. */
  public static final Set<String> PLATFORMS = FaultSpecs.PLATFORMS;

  /**
   * The source types a file may name, in the collector's order ({@link CollectorConfig#SOURCES});
   * the schema's enums are generated from this list (ExperimentSchema).
   */
  public static final List<String> SOURCE_ORDER =
      CollectorConfig.SOURCES.stream().map(ExperimentFileParser::fileType).toList();

  /** The same, sorted, as messages list them. */
  static final Set<String> SOURCES = new TreeSet<>(SOURCE_ORDER);

  /** The collector's name of a source type of the file ({@code http-probe} is {@code http}). */
  static String collectorType(String fileType) {
    return "http-probe".equals(fileType) ? "http" : fileType;
  }

  /** The file's name of a collector source ({@code http} is {@code http-probe}). */
  static String fileType(String collectorType) {
    return "http".equals(collectorType) ? "http-probe" : collectorType;
  }

  static final Set<String> DIRECTIONS = new TreeSet<>(List.of("increase", "decrease", "either"));
  static final List<String> STATISTICS = List.of("mean", "p99", "spread");

  // a key given twice is an error, not the last one silently kept
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExperimentFileParser() {}

  /** Reads and validates a file; throws with every problem when there is any. */
  public static ExperimentDefinition read(Path file) {
    if (Files.isDirectory(file)) {
      throw new ExperimentFileException(
          file.toString(), List.of("a directory: give an experiment file (YAML)"));
    }
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new ExperimentFileException(file.toString(), List.of("no such file"));
    } catch (IOException e) {
      throw new ExperimentFileException(file.toString(), List.of("cannot read the file: " + e));
    }
    if (size > MAX_FILE_BYTES) {
      throw new ExperimentFileException(
          file.toString(),
          List.of(
              "file is " + size + " bytes; an experiment file may be at most " + MAX_FILE_BYTES));
    }
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new ExperimentFileException(file.toString(), List.of("cannot read the file: " + e));
    }
  }

  /** Validates YAML text; {@code name} is used in messages only. */
  public static ExperimentDefinition parse(String name, String text) {
    if (text.length() > MAX_FILE_BYTES) {
      throw new ExperimentFileException(
          name,
          List.of(
              "file is too large; an experiment file may be at most " + MAX_FILE_BYTES + " bytes"));
    }
    JsonNode root;
    try {
      // through JSON text, so YAML-only nodes (!!binary) become what the schema knows: text
      root = JSON.readTree(JSON.writeValueAsString(YamlTree.read(YAML, text)));
    } catch (JacksonException e) {
      throw new ExperimentFileException(name, List.of(YamlSyntax.describe(e, text)));
    } catch (YamlTree.AliasException e) {
      throw new ExperimentFileException(name, List.of(e.getMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // text in memory: not a read that can fail
    }
    FileErrors errors = new FileErrors(root);
    ExperimentDefinition d = definition(root, text, errors);
    if (!errors.isEmpty()) {
      throw new ExperimentFileException(name, errors.inFileOrder());
    }
    return d;
  }

  private static ExperimentDefinition definition(JsonNode root, String text, FileErrors errors) {
    if (root == null || !root.isObject()) {
      errors.add(
          "(file)",
          "must be a mapping with metadata, groups, steadyState, method, guards, recovery, not "
              + SchemaMessages.kindOf(root));
      return null;
    }
    SchemaCheck.check(root, errors);
    FileValues values = new FileValues(errors);
    Metadata metadata = MetadataSection.read(root.get("metadata"));
    Groups groups = GroupsSection.read(root.get("groups"), values);
    boolean localProbe = groups != null && groups.local() != null && groups.local().start();
    SteadyStateSpec steady = SteadyStateSection.read(root.get("steadyState"), localProbe, values);
    List<AttackSpec> attacks = MethodSection.read(root.get("method"), groups, values);
    Guards guards = GuardsSection.read(root.get("guards"), values);
    Recovery recovery = recovery(root.get("recovery"), values);
    if (!errors.isEmpty()) {
      return null;
    }
    ExperimentDefinition d =
        new ExperimentDefinition(
            metadata,
            groups,
            steady,
            new Method(
                attacks.size() > 1 && MethodSection.overlapping(attacks)
                    ? "overlapping"
                    : "sequential",
                attacks),
            guards,
            recovery,
            text);
    GuardsSection.checkBlastRadius(d, values);
    ExperimentPlan.sourceErrors(d).forEach(errors::addLine);
    Duration planned = d.plannedDuration();
    if (planned.compareTo(guards.maxDuration()) > 0) {
      values.error(
          "guards.maxDuration",
          "the plan takes "
              + Durations.formatLimit(planned)
              + " (warm-up + attacks + recovery), more than the "
              + Durations.formatLimit(guards.maxDuration())
              + " allowed; raise it (at most "
              + Durations.formatLimit(MAX_TOTAL_DURATION)
              + ") or shorten the plan");
    }
    return d;
  }

  /** {@code recovery.observe}: how long after the last attack the run keeps watching. */
  private static Recovery recovery(JsonNode n, FileValues values) {
    if (n == null) {
      return new Recovery(Duration.ofSeconds(30));
    }
    if (FileValues.object(n) == null) {
      return null;
    }
    return new Recovery(
        values.duration(
            n, "observe", "recovery.observe", Duration.ofSeconds(30), Duration.ZERO, MAX_PHASE));
  }
}
