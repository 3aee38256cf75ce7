package io.faultline.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * PromQL instant queries against a Prometheus server ({@code GET /api/v1/query}): one query
 * template per metric, run once per group with {@code $group} replaced by the group's label value,
 * e.g. {@code rate(app_requests_total{group="$group"}[1m])}. Every series of the result becomes a
 * sample (target: its {@code instance} label, else the group's value); an empty result or a failed
 * query becomes an error sample of that metric and group.
 */
public final class PrometheusQuerySource implements MetricSource {

  /** Configuration of the query source (keys {@code prometheus.*}). */
  public record Settings(
      URI url,
      Map<String, String> queries,
      Map<Group, String> groupValues,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      URI url = URI.create(c.required("prometheus.url", "e.g. http://127.0.0.1:9090"));
      Map<String, String> queries = c.under("prometheus.query.");
      if (queries.isEmpty()) {
        throw new IllegalArgumentException(
            "prometheus.query.<metric>: at least one query template is needed, e.g."
                + " prometheus.query.app.requests=sum(rate(app_requests_total{group=\"$group\"}[1m]))");
      }
      Map<Group, String> values = new EnumMap<>(Group.class);
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        values.put(g, c.perGroup("prometheus.group", g, ConfigMap.groupValue(g)));
      }
      Duration interval =
          c.duration("prometheus.interval", "5s", Duration.ofMillis(100), Duration.ofHours(1));
      Duration timeout =
          c.duration("prometheus.timeout", "2s", Duration.ofMillis(10), Duration.ofHours(1));
      return new Settings(
          url,
          Collections.unmodifiableMap(new java.util.TreeMap<>(queries)),
          Collections.unmodifiableMap(values),
          interval,
          timeout);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Settings settings;
  private final Samples samples;
  private final HttpClient client;

  public PrometheusQuerySource(Settings settings, Samples samples) {
    this.settings = settings;
    this.samples = samples;
    this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  @Override
  public String name() {
    return "prometheus";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public List<MetricSample> collect() throws IOException, InterruptedException {
    long now = System.currentTimeMillis();
    List<MetricSample> out = new ArrayList<>();
    IOException unreachable = null;
    int failed = 0;
    for (Map.Entry<String, String> q : new TreeMap<>(settings.queries()).entrySet()) {
      for (Map.Entry<Group, String> g : settings.groupValues().entrySet()) {
        String promql = q.getValue().replace("$group", g.getValue());
        try {
          List<MetricSample> got = query(q.getKey(), g.getKey(), g.getValue(), promql, now);
          if (got.isEmpty()) {
            out.add(samples.failed(q.getKey(), g.getKey(), g.getValue(), now, "", "no data"));
          }
          out.addAll(got);
        } catch (IOException e) {
          failed++;
          unreachable = e;
          out.add(samples.failed(q.getKey(), g.getKey(), g.getValue(), now, "", Samples.reason(e)));
        }
      }
    }
    if (failed == settings.queries().size() * settings.groupValues().size()) {
      throw unreachable;
    }
    return out;
  }

  private List<MetricSample> query(
      String metric, Group group, String groupValue, String promql, long nowMs)
      throws IOException, InterruptedException {
    String time = String.format(Locale.ROOT, "%.3f", nowMs / 1000.0);
    URI uri =
        URI.create(
            settings.url().toString().replaceAll("/+$", "")
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time="
                + time);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET().build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IOException("query " + metric + ": HTTP " + response.statusCode() + ", not JSON");
    }
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IOException(
          "query "
              + metric
              + " '"
              + promql
              + "': HTTP "
              + response.statusCode()
              + " "
              + body.path("errorType").asText()
              + ": "
              + body.path("error").asText());
    }
    JsonNode data = body.path("data");
    String type = data.path("resultType").asText();
    List<MetricSample> out = new ArrayList<>();
    switch (type) {
      case "vector" -> {
        for (JsonNode series : data.path("result")) {
          Map<String, String> labels = new TreeMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
          }
          String target = labels.getOrDefault("instance", groupValue);
          out.add(sample(metric, group, target, series.path("value"), labels));
        }
      }
      case "scalar" -> out.add(sample(metric, group, groupValue, data.path("result"), Map.of()));
      default ->
          throw new IOException(
              "query " + metric + ": result type " + type + " (expected vector or scalar)");
    }
    return out;
  }

  private MetricSample sample(
      String metric, Group group, String target, JsonNode value, Map<String, String> labels) {
    long ts = Math.round(value.path(0).asDouble() * 1000);
    double v = PrometheusText.value(value.path(1).asText());
    return samples.of(metric, group, target, ts, v, "", labels);
  }
}
