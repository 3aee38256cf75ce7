package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.experiment.ExperimentDefinition.SourceEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code steadyState.sources}: what the collectors run for this experiment. The schema checks each
 * entry's shape, this the ranges of its interval and timeout; its settings are checked by the
 * collector's own rules when the plan is built ({@link ExperimentPlan#sourceErrors}).
 */
final class SourcesSection {

  private SourcesSection() {}

  static List<SourceEntry> read(JsonNode n, FileValues values) {
    List<SourceEntry> out = new ArrayList<>();
    if (n == null || !n.isArray()) {
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String path = "steadyState.sources[" + i + "]";
      JsonNode s = FileValues.object(n.get(i));
      if (s == null) {
        continue;
      }
      String type = FileValues.text(s, "type");
      Duration interval =
          values.duration(
              s,
              "interval",
              path + ".interval",
              null,
              Duration.ofMillis(100),
              ExperimentFileParser.MAX_PHASE);
      Duration timeout =
          values.duration(
              s,
              "timeout",
              path + ".timeout",
              null,
              Duration.ofMillis(10),
              ExperimentFileParser.MAX_PHASE);
      if (type != null && ExperimentFileParser.SOURCES.contains(type)) {
        out.add(
            new SourceEntry(
                ExperimentFileParser.collectorType(type),
                interval,
                timeout,
                FileValues.map(s.get("settings")),
                selectorMap(s.get("control")),
                selectorMap(s.get("experimental"))));
      }
    }
    return out;
  }

  /** A group's selector of a source: values are text, lists joined by commas, mappings k=v. */
  private static Map<String, String> selectorMap(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (FileValues.object(n) == null) {
      return out;
    }
    n.fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              if (v.isArray()) {
                out.put(e.getKey(), String.join(",", FileValues.names(v)));
              } else if (v.isObject()) {
                List<String> terms = new ArrayList<>();
                FileValues.map(v).forEach((k, x) -> terms.add(k + "=" + x));
                out.put(e.getKey(), String.join(",", terms));
              } else if (v.isValueNode() && !v.isNull()) {
                out.put(e.getKey(), v.asText());
              }
            });
    return out;
  }
}
