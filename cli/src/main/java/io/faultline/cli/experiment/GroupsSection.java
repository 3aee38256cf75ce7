package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.experiment.ExperimentDefinition.GroupSelector;
import io.faultline.cli.experiment.ExperimentDefinition.Groups;
import io.faultline.cli.experiment.ExperimentDefinition.Local;
import io.faultline.cli.experiment.ExperimentDefinition.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code groups}: how to find CONTROL and EXPERIMENTAL on the platform. The rules here are the ones
 * across fields: what each platform needs, groups that differ, {@code local} only locally.
 */
final class GroupsSection {

  private GroupsSection() {}

  static Groups read(JsonNode n, FileValues values) {
    if (FileValues.object(n) == null) {
      return null;
    }
    String platform = FileValues.text(n, "platform");
    if (platform != null && !ExperimentFileParser.PLATFORMS.contains(platform)) {
      platform = null; // the schema names the platforms
    }
    GroupSelector control = selector(n.get("control"), "groups.control", platform, values);
    GroupSelector experimental =
        selector(n.get("experimental"), "groups.experimental", platform, values);
    if (control != null && experimental != null) {
      for (String p : control.processes()) {
        if (experimental.processes().contains(p)) {
          values.error(
              "groups.experimental.processes",
              "'" + p + "' is also in groups.control.processes; a target belongs to one group");
        }
      }
      if (("kubernetes".equals(platform) || "aws".equals(platform))
          && control.labels().equals(experimental.labels())
          && Objects.equals(control.namespace(), experimental.namespace())) {
        values.error(
            "groups.experimental.labels",
            "select the same pods as groups.control; they must differ (e.g. faultline.io/group)");
      }
    }
    return new Groups(platform, control, experimental, local(n.get("local"), platform, values));
  }

  private static Local local(JsonNode l, String platform, FileValues values) {
    if (l == null) {
      return null;
    }
    if (!"local".equals(platform)) {
      values.error("groups.local", "only allowed with platform local");
      return null;
    }
    if (FileValues.object(l) == null) {
      return null;
    }
    Integer rps = FileValues.integer(l, "rps");
    Integer replicas = FileValues.integer(l, "replicas");
    String controlCpus = FileValues.textOr(l, "controlCpus", "0");
    String experimentalCpus = FileValues.textOr(l, "experimentalCpus", "1");
    for (var cpus :
        Map.of("controlCpus", controlCpus, "experimentalCpus", experimentalCpus).entrySet()) {
      if (!Local.CPUS.matcher(cpus.getValue()).matches()) {
        values.error(
            "groups.local." + cpus.getKey(),
            "'" + cpus.getValue() + "' is not " + Local.CPUS_ALLOWED);
      }
    }
    return new Local(
        FileValues.bool(l, "start"),
        controlCpus,
        experimentalCpus,
        values.duration(
            l,
            "jvmWarmup",
            "groups.local.jvmWarmup",
            Duration.ofSeconds(15),
            Duration.ZERO,
            Duration.ofMinutes(10)),
        rps == null ? 20 : rps,
        replicas == null ? 0 : replicas,
        pipeline(l.get("pipeline")),
        values.duration(
            l,
            "jvmSettle",
            "groups.local.jvmSettle",
            Local.DEFAULT_JVM_SETTLE,
            Duration.ZERO,
            Duration.ofMinutes(10)));
  }

  /** {@code groups.local.pipeline}; the schema checks the ranges. */
  private static Pipeline pipeline(JsonNode p) {
    if (FileValues.object(p) == null) {
      return null;
    }
    Integer songs = FileValues.integer(p, "songs");
    Integer runs = FileValues.integer(p, "runs");
    Integer perTask = FileValues.integer(p, "filesPerTask");
    return new Pipeline(
        songs == null ? 1000 : songs,
        runs == null ? 1 : runs,
        perTask == null ? 50 : perTask,
        p.hasNonNull("alpha") ? p.get("alpha").asDouble() : 0.01,
        p.hasNonNull("tolerance") ? p.get("tolerance").asDouble() : 0.25,
        p.hasNonNull("attackAfter") ? p.get("attackAfter").asDouble() : 0.25);
  }

  private static GroupSelector selector(
      JsonNode n, String path, String platform, FileValues values) {
    if (FileValues.object(n) == null) {
      return null;
    }
    List<String> processes = FileValues.names(n.get("processes"));
    String namespace = FileValues.text(n, "namespace");
    Map<String, String> labels = FileValues.map(n.get("labels"));
    Map<String, String> tags = FileValues.map(n.get("tags"));
    if ("local".equals(platform) && processes.isEmpty()) {
      values.error(path + ".processes", "required with platform local: the target process names");
    }
    if ("kubernetes".equals(platform) || "aws".equals(platform)) {
      if (namespace == null) {
        values.error(path + ".namespace", "required with platform " + platform);
      }
      if (labels.isEmpty()) {
        values.error(
            path + ".labels",
            "required with platform " + platform + ", e.g. faultline.io/group: control");
      }
    }
    if ("aws".equals(platform) && tags.isEmpty()) {
      values.error(
          path + ".tags", "required with platform aws: the EC2 tags of this group's nodes");
    }
    return new GroupSelector(processes, namespace, labels, tags);
  }
}
