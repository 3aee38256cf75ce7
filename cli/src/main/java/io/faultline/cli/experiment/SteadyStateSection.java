package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.ExperimentDefinition.SourceEntry;
import io.faultline.cli.experiment.ExperimentDefinition.SteadyStateSpec;
import io.faultline.schema.Durations;
import io.faultline.schema.SampleSummaries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code steadyState}: warm-up, window and the metrics with their hypotheses. The rules here: the
 * phases' ranges, a warm-up of at least 2 windows, a metric named once, an abort threshold beyond
 * the tolerance, a Prometheus metric with its query, and each metric's source among {@code sources}
 * when the file lists them.
 */
final class SteadyStateSection {

  private SteadyStateSection() {}

  /** {@code localProbe}: the local platform drives its own probe, an {@code http} source. */
  static SteadyStateSpec read(JsonNode n, boolean localProbe, FileValues values) {
    if (FileValues.object(n) == null) {
      return null;
    }
    Duration warmup =
        values.duration(
            n,
            "warmup",
            "steadyState.warmup",
            null,
            Duration.ofSeconds(1),
            ExperimentFileParser.MAX_PHASE);
    Duration window =
        values.duration(
            n,
            "window",
            "steadyState.window",
            SampleSummaries.DEFAULT_WINDOW,
            SampleSummaries.MIN_WINDOW,
            ExperimentFileParser.MAX_PHASE);
    if (warmup != null && window != null && warmup.compareTo(window.multipliedBy(2)) < 0) {
      values.error(
          "steadyState.warmup",
          Durations.formatLimit(warmup)
              + " is less than 2 windows ("
              + Durations.formatLimit(window.multipliedBy(2))
              + "); the baseline needs at least 2");
    }
    List<MetricSpec> metrics = new ArrayList<>();
    JsonNode m = n.get("metrics");
    if (m != null && m.isArray()) {
      Set<String> seen = new TreeSet<>();
      for (int i = 0; i < m.size(); i++) {
        MetricSpec spec = metric(m.get(i), "steadyState.metrics[" + i + "]", values);
        if (spec != null && spec.name() != null && !seen.add(spec.name())) {
          values.error(
              "steadyState.metrics[" + i + "].name", "'" + spec.name() + "' is listed twice");
        }
        metrics.add(spec);
      }
    }
    List<SourceEntry> sources = SourcesSection.read(n.get("sources"), values);
    if (!sources.isEmpty()) {
      Set<String> declared = new TreeSet<>();
      sources.forEach(s -> declared.add(s.type()));
      if (localProbe) {
        declared.add("http");
      }
      for (int i = 0; i < metrics.size(); i++) {
        MetricSpec spec = metrics.get(i);
        if (spec != null
            && spec.source() != null
            && !declared.contains(ExperimentFileParser.collectorType(spec.source()))) {
          values.error(
              "steadyState.metrics[" + i + "].source",
              "'"
                  + spec.source()
                  + "' is not among steadyState.sources ("
                  + String.join(", ", declared)
                  + "); add it there or take the metric from a declared source");
        }
      }
    }
    return new SteadyStateSpec(
        warmup, window, FileValues.integer(n, "recoveryWindows"), metrics, sources);
  }

  private static MetricSpec metric(JsonNode n, String path, FileValues values) {
    if (FileValues.object(n) == null) {
      return null;
    }
    String source = null;
    Map<String, String> sourceParams = new LinkedHashMap<>();
    JsonNode s = n.get("source");
    if (s != null && s.isTextual()) {
      source = s.asText();
    } else if (s != null && s.isObject()) {
      source = FileValues.text(s, "type");
      FileValues.map(s)
          .forEach(
              (k, v) -> {
                if (!k.equals("type")) {
                  sourceParams.put(k, v);
                }
              });
    }
    if (source != null && !ExperimentFileParser.SOURCES.contains(source)) {
      source = null; // the schema names the sources
    }
    if ("prometheus".equals(source) && !sourceParams.containsKey("query")) {
      values.error(
          path + ".source.query",
          "required for a prometheus source (use {group} for the group label)");
    }
    Double tolerance = FileValues.decimal(n, "tolerance");
    Double abort = FileValues.decimal(n, "abortThreshold");
    if (tolerance != null && abort != null && abort <= tolerance) {
      values.error(
          path + ".abortThreshold", abort + " must be greater than tolerance " + tolerance);
    }
    String direction = FileValues.textOr(n, "direction", "either");
    return new MetricSpec(
        FileValues.text(n, "name"),
        source,
        sourceParams,
        ExperimentFileParser.DIRECTIONS.contains(direction) ? direction : null,
        tolerance,
        FileValues.decimal(n, "alpha"),
        FileValues.bool(n, "critical"),
        abort,
        statistics(n.get("statistic")),
        FileValues.text(n, "severity"));
  }

  /** {@code statistic: p99} or {@code statistic: [mean, spread]}; absent = the metric's default. */
  private static List<String> statistics(JsonNode n) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    List<String> texts = n.isTextual() ? List.of(n.asText()) : FileValues.names(n);
    List<String> out = new ArrayList<>();
    for (String t : texts) {
      if (ExperimentFileParser.STATISTICS.contains(t) && !out.contains(t)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }
}
