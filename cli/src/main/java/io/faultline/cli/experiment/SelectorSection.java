package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.cli.experiment.ExperimentDefinition.Groups;
import io.faultline.cli.experiment.ExperimentDefinition.Selector;
import java.util.List;
import java.util.Map;

/**
 * An attack's {@code selector}. The rules: the kind is the platform's and the fault's, CONTROL is
 * never selected (by name or by its labels), a local name is one of the experimental processes, the
 * mode's N and P are in range; what is left out defaults to the experimental group.
 */
final class SelectorSection {

  private SelectorSection() {}

  static Selector read(JsonNode n, String path, Groups groups, FaultSpec spec, FileValues values) {
    String platform = groups == null ? null : groups.platform();
    if (n == null) {
      // Local default: every experimental process.
      if ("local".equals(platform)
          && groups.experimental() != null
          && (spec == null || spec.kindOn(platform).equals("process"))) {
        return new Selector("process", groups.experimental().processes(), null, Map.of(), "all");
      }
      values.error(path, "required: kind, and names or namespace + labels");
      return null;
    }
    if (FileValues.object(n) == null) {
      return null;
    }
    String defaultKind =
        spec != null ? spec.kindOn(platform) : "local".equals(platform) ? "process" : "pod";
    String kind = FileValues.textOr(n, "kind", defaultKind);
    if (platform != null && !FaultSpecs.kindsOn(platform).contains(kind)) {
      values.error(
          path + ".kind",
          "'"
              + kind
              + "' is not a "
              + platform
              + " target kind; one of "
              + FaultSpecs.kindsOn(platform));
    } else if (spec != null && !kind.equals(spec.kindOn(platform))) {
      values.error(
          path + ".kind",
          "'" + kind + "': " + spec.name() + " takes targets of kind " + spec.kindOn(platform));
    }
    List<String> names = FileValues.names(n.get("names"));
    String namespace = FileValues.text(n, "namespace");
    Map<String, String> labels = FileValues.map(n.get("labels"));
    // N and P in range too: the schema's pattern is the agent's own rule
    // (TargetSelection.MODE_PATTERN)
    String mode = FileValues.textOr(n, "mode", "one");
    if (groups != null && groups.control() != null) {
      for (int i = 0; i < names.size(); i++) {
        if (groups.control().processes().contains(names.get(i))) {
          values.error(
              path + ".names[" + i + "]",
              "'" + names.get(i) + "' is in the CONTROL group, which is never attacked");
        } else if ("local".equals(platform)
            && "process".equals(kind) // a local zone is named by its zone, e.g. zone-a
            && groups.experimental() != null
            && !groups.experimental().processes().contains(names.get(i))) {
          values.error(
              path + ".names[" + i + "]",
              "'"
                  + names.get(i)
                  + "' is not in groups.experimental.processes "
                  + groups.experimental().processes());
        }
      }
      if (!groups.control().labels().isEmpty()
          && !labels.isEmpty()
          && labels.entrySet().containsAll(groups.control().labels().entrySet())) {
        values.error(
            path + ".labels", "match the CONTROL group's labels, which are never attacked");
      }
    }
    if (names.isEmpty() && labels.isEmpty() && groups != null && groups.experimental() != null) {
      if ("local".equals(platform)) {
        names = groups.experimental().processes();
      } else {
        labels = groups.experimental().labels();
      }
    }
    if (namespace == null && groups != null && groups.experimental() != null) {
      namespace = groups.experimental().namespace();
    }
    return new Selector(kind, names, namespace, labels, mode);
  }
}
