package io.faultline.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The two charts of the repository, rendered offline with helm-java (helm's own Go code). */
final class Charts {

  static final Path ROOT = Path.of(System.getProperty("faultline.root", "..")).toAbsolutePath();
  static final Path FAULTLINE = ROOT.resolve("charts/faultline").normalize();
  static final Path SCALE = ROOT.resolve("charts/scale").normalize();

  private Charts() {}

  /** The production-like values file shipped with a chart (ci/production-values.yaml). */
  static Path productionValues(Path chart) {
    return chart.resolve("ci/production-values.yaml");
  }

  /**
   * {@code helm template} with the given values files and --set pairs (key, value, key, value...).
   */
  static String template(Path chart, List<Path> valuesFiles, String... sets) {
    TemplateCommand cmd =
        new Helm(chart)
            .template()
            .withName("fl")
            .withNamespace("faultline")
            .withKubeVersion("1.31.0");
    valuesFiles.forEach(cmd::withValuesFile);
    for (int i = 0; i < sets.length; i += 2) {
      cmd.set(sets[i], sets[i + 1]);
    }
    return cmd.call();
  }

  /**
   * Every YAML document of helm's output as a fabric8 object (typed where fabric8 knows the kind).
   */
  static List<HasMetadata> parse(String rendered) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : rendered.split("(?m)^---\\s*$")) {
      String body = doc.replaceAll("(?m)^#.*$", "").strip();
      if (body.isEmpty()) {
        continue;
      }
      KubernetesResource resource = Serialization.unmarshal(body, KubernetesResource.class);
      if (!(resource instanceof HasMetadata object)) {
        throw new AssertionError("not a Kubernetes object: " + body);
      }
      out.add(object);
    }
    return out;
  }

  /**
   * {@code helm lint --strict} of the chart with the given values merged over its values.yaml: helm
   * lint takes no values file, so the chart is copied with the merged values.yaml.
   */
  static LintResult lint(Path chart, Path valuesOverride, Path tempDir) {
    if (valuesOverride == null) {
      return new Helm(chart).lint().strict().call();
    }
    Path copy = tempDir.resolve(chart.getFileName());
    copyTree(chart, copy);
    Map<String, Object> base = yaml(chart.resolve("values.yaml"));
    Map<String, Object> merged = deepMerge(base, yaml(valuesOverride));
    try {
      Files.writeString(copy.resolve("values.yaml"), Serialization.asYaml(merged));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Helm(copy).lint().strict().call();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) {
    try {
      Map<String, Object> map = Serialization.unmarshal(Files.readString(file), Map.class);
      return map == null ? new LinkedHashMap<>() : map;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach(
        (k, v) -> {
          Object old = out.get(k);
          if (old instanceof Map<?, ?> oldMap && v instanceof Map<?, ?> newMap) {
            out.put(k, deepMerge((Map<String, Object>) oldMap, (Map<String, Object>) newMap));
          } else {
            out.put(k, v);
          }
        });
    return out;
  }

  static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
