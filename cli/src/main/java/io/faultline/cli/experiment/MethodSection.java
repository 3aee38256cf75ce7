package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.Groups;
import io.faultline.cli.experiment.ExperimentDefinition.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code method}: the attacks and their schedule. The fault and its parameters are checked against
 * the agent's catalogue ({@link FaultSpecs}), in the words the agent would reject them with; an
 * attack without {@code start} begins when the previous one ends.
 */
final class MethodSection {

  private MethodSection() {}

  static List<AttackSpec> read(JsonNode n, Groups groups, FileValues values) {
    List<AttackSpec> attacks = new ArrayList<>();
    if (n == null || !n.isArray() || n.size() > ExperimentFileParser.MAX_ATTACKS) {
      return attacks; // the schema says what is wrong with the list
    }
    Duration previousEnd = Duration.ZERO;
    for (int i = 0; i < n.size(); i++) {
      AttackSpec a = attack(n.get(i), "method[" + i + "]", groups, previousEnd, values);
      attacks.add(a);
      if (a != null) {
        previousEnd = a.end();
      }
    }
    return attacks;
  }

  /** Whether any two attacks run at the same time. */
  static boolean overlapping(List<AttackSpec> attacks) {
    for (int i = 0; i < attacks.size(); i++) {
      for (int j = i + 1; j < attacks.size(); j++) {
        AttackSpec a = attacks.get(i);
        AttackSpec b = attacks.get(j);
        if (a.start().compareTo(b.end()) < 0 && b.start().compareTo(a.end()) < 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static AttackSpec attack(
      JsonNode n, String path, Groups groups, Duration previousEnd, FileValues values) {
    if (FileValues.object(n) == null) {
      return null;
    }
    String platform = groups == null ? null : groups.platform();
    String fault = FileValues.text(n, "fault");
    FaultSpec spec = fault == null ? null : FaultSpecs.named(fault).orElse(null);
    if (fault != null && spec == null) {
      values.error(
          path + ".fault",
          "'"
              + fault
              + "' is not a fault"
              + FaultSpecs.hint(fault)
              + (platform == null ? "" : "; " + platform + " faults: " + names(platform)));
    } else if (spec != null && platform != null && !spec.platforms().contains(platform)) {
      values.error(
          path + ".fault",
          "'"
              + fault
              + "' does not run on platform "
              + platform
              + " (only "
              + String.join(", ", new TreeSet<>(spec.platforms()))
              + "); "
              + platform
              + " faults: "
              + names(platform));
      spec = null;
    }
    String name = FileValues.textOr(n, "name", fault == null ? "attack" : fault);
    Selector selector =
        SelectorSection.read(n.get("selector"), path + ".selector", groups, spec, values);
    Map<String, String> params = FileValues.map(n.get("parameters"));
    if (spec != null) {
      spec.problems(params).forEach((field, problem) -> values.error(path + "." + field, problem));
    }
    Duration start =
        values.duration(
            n,
            "start",
            path + ".start",
            previousEnd,
            Duration.ZERO,
            ExperimentFileParser.MAX_TOTAL_DURATION);
    Duration duration =
        values.duration(
            n,
            "duration",
            path + ".duration",
            null,
            Duration.ofSeconds(1),
            ExperimentFileParser.MAX_ATTACK_DURATION);
    if (start == null || duration == null) {
      return null;
    }
    return new AttackSpec(name, fault, selector, params, start, duration);
  }

  private static String names(String platform) {
    return String.join(", ", FaultSpecs.on(platform).stream().map(FaultSpec::name).toList());
  }
}
