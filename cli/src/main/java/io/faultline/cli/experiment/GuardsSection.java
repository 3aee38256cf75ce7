package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.Guards;
import io.faultline.cli.experiment.ExperimentDefinition.Selector;
import io.faultline.cli.experiment.ExperimentDefinition.StopCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code guards}: the longest run, the blast radius and the stop conditions. The rules here: the
 * durations' ranges, and once the whole file is read, each selector's mode within the blast radius
 * ({@link #checkBlastRadius}).
 */
final class GuardsSection {

  static final Duration DEFAULT_MAX_DURATION = Duration.ofHours(1);
  static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  private GuardsSection() {}

  static Guards read(JsonNode n, FileValues values) {
    if (n == null) {
      return new Guards(DEFAULT_MAX_DURATION, null, null, List.of(), DEFAULT_CHECK_INTERVAL);
    }
    if (FileValues.object(n) == null) {
      return null;
    }
    Duration max =
        values.duration(
            n,
            "maxDuration",
            "guards.maxDuration",
            DEFAULT_MAX_DURATION,
            Duration.ofSeconds(1),
            ExperimentFileParser.MAX_TOTAL_DURATION);
    Duration every =
        values.duration(
            n,
            "checkInterval",
            "guards.checkInterval",
            DEFAULT_CHECK_INTERVAL,
            Duration.ofSeconds(1),
            Duration.ofMinutes(5));
    JsonNode b = FileValues.object(n.get("blastRadius"));
    List<StopCondition> stops = new ArrayList<>();
    JsonNode s = n.get("stopConditions");
    if (s != null && s.isArray()) {
      s.forEach(c -> stops.add(stopCondition(c)));
    }
    return new Guards(
        max,
        FileValues.integer(b, "maxTargets"),
        FileValues.integer(b, "maxPercent"),
        stops,
        every);
  }

  /** Exactly one of {@code prometheus} and {@code cloudwatchAlarm} (the schema holds that). */
  private static StopCondition stopCondition(JsonNode n) {
    if (FileValues.object(n) == null || n.size() != 1) {
      return null;
    }
    JsonNode p = FileValues.object(n.get("prometheus"));
    if (p != null) {
      return new StopCondition(
          "prometheus", FileValues.text(p, "url"), FileValues.text(p, "query"), null, null);
    }
    JsonNode c = FileValues.object(n.get("cloudwatchAlarm"));
    if (c != null) {
      return new StopCondition(
          "cloudwatch", null, null, FileValues.text(c, "name"), FileValues.text(c, "region"));
    }
    return null;
  }

  /** Each attack's selector mode within {@code guards.blastRadius}. */
  static void checkBlastRadius(ExperimentDefinition d, FileValues values) {
    Integer maxTargets = d.guards().maxTargets();
    Integer maxPercent = d.guards().maxPercent();
    List<AttackSpec> attacks = d.method().attacks();
    for (int i = 0; i < attacks.size(); i++) {
      Selector s = attacks.get(i).selector();
      if (s == null) {
        continue;
      }
      String path = "method[" + i + "].selector.mode";
      int fixed =
          s.mode().startsWith("fixed:")
              ? Integer.parseInt(s.mode().substring(6))
              : s.mode().equals("one")
                  ? 1
                  : s.mode().equals("all") && !s.names().isEmpty() ? s.names().size() : -1;
      if (maxTargets != null && fixed > maxTargets) {
        values.error(
            path,
            "'"
                + s.mode()
                + "' may hit "
                + fixed
                + " targets; guards.blastRadius.maxTargets is "
                + maxTargets);
      }
      if (maxPercent != null && s.mode().contains("percent:")) {
        int p = Integer.parseInt(s.mode().substring(s.mode().indexOf(':') + 1));
        if (p > maxPercent) {
          values.error(
              path, "'" + s.mode() + "' exceeds guards.blastRadius.maxPercent " + maxPercent);
        }
      }
      if (maxPercent != null
          && s.mode().equals("all")
          && s.names().isEmpty()
          && Set.of("process", "pod", "node").contains(s.kind())) {
        values.error(
            path,
            "'all' may hit 100% of the experimental targets; guards.blastRadius.maxPercent is "
                + maxPercent);
      }
    }
  }
}
