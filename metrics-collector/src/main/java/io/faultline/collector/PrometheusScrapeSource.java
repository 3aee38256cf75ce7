package io.faultline.collector;

import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scrapes each target's {@code /metrics} text exposition directly (no Prometheus server) and turns
 * configured selectors into samples: {@code
 * scrape.metric.app.requests=app_requests_total{code="200"}} publishes {@code app.requests} = the
 * sum of the matching series of each target.
 */
public final class PrometheusScrapeSource implements MetricSource {

  /** Configuration of the scrape source (keys {@code scrape.*}). */
  public record Settings(
      List<ConfigMap.GroupTarget> targets,
      Map<String, PrometheusText.Series> metrics,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      List<ConfigMap.GroupTarget> targets =
          c.targets("scrape.targets", "http://127.0.0.1:8081/metrics");
      if (targets.isEmpty()) {
        throw new IllegalArgumentException(
            "scrape.targets: required (GROUP=name@url,... e.g."
                + " CONTROL=scale-control@http://127.0.0.1:8081/metrics)");
      }
      for (ConfigMap.GroupTarget t : targets) {
        URI uri = URI.create(t.spec());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new IllegalArgumentException(
              "scrape.targets entry " + t.name() + ": URL must be http or https");
        }
      }
      Map<String, PrometheusText.Series> metrics = new LinkedHashMap<>();
      c.under("scrape.metric.")
          .forEach(
              (name, selector) -> {
                try {
                  metrics.put(name, PrometheusText.selector(selector));
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(
                      "scrape.metric." + name + " '" + selector + "': " + e.getMessage());
                }
              });
      if (metrics.isEmpty()) {
        throw new IllegalArgumentException(
            "scrape.metric.<metric>: at least one selector is needed, e.g."
                + " scrape.metric.app.requests=app_requests_total{code=\"200\"}");
      }
      return new Settings(
          List.copyOf(targets),
          Map.copyOf(metrics),
          c.duration("scrape.interval", "5s", Duration.ofMillis(100), Duration.ofHours(1)),
          c.duration("scrape.timeout", "2s", Duration.ofMillis(10), Duration.ofHours(1)));
    }
  }

  private final Settings settings;
  private final Samples samples;
  private final HttpClient client;

  public PrometheusScrapeSource(Settings settings, Samples samples) {
    this.settings = settings;
    this.samples = samples;
    this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  @Override
  public String name() {
    return "scrape";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public List<MetricSample> collect() throws IOException, InterruptedException {
    return TargetRound.collect(
        settings.targets(), settings.metrics().keySet(), samples, this::observe);
  }

  /** Each configured metric of one target: the sum of its matching series. */
  private List<MetricSample> observe(ConfigMap.GroupTarget t, long ts)
      throws IOException, InterruptedException {
    List<PrometheusText.Series> series = scrape(t);
    List<MetricSample> out = new ArrayList<>();
    for (Map.Entry<String, PrometheusText.Series> m : settings.metrics().entrySet()) {
      double sum = 0;
      int matched = 0;
      for (PrometheusText.Series s : series) {
        if (s.matches(m.getValue())) {
          sum += s.value();
          matched++;
        }
      }
      out.add(
          matched == 0
              ? samples.failed(m.getKey(), t.group(), t.name(), ts, "", "no matching series")
              : samples.of(m.getKey(), t.group(), t.name(), ts, sum, ""));
    }
    return out;
  }

  private List<PrometheusText.Series> scrape(ConfigMap.GroupTarget t)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(t.spec()))
            .timeout(settings.timeout())
            .header("Accept", "text/plain;version=0.0.4")
            .GET()
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "scrape " + t.name() + " " + t.spec() + ": HTTP " + response.statusCode());
    }
    return PrometheusText.parse(response.body());
  }
}
