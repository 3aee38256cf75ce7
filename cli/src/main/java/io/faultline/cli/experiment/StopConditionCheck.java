package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.cli.experiment.ExperimentDefinition.StopCondition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One stop condition of {@code guards.stopConditions}. {@link #check()} returns why the experiment
 * must halt, or empty. A condition that cannot be evaluated {@value #MAX_FAILURES} times in a row
 * halts too: an experiment never runs blind.
 */
public abstract class StopConditionCheck {

  public static final int MAX_FAILURES = 3;

  private int failures;

  public static StopConditionCheck of(StopCondition c) {
    return c.type().equals("prometheus")
        ? new PrometheusQuery(c.url(), c.query())
        : new CloudWatchAlarm(c.alarmName(), c.region());
  }

  public abstract String describe();

  /** The condition's own evaluation: a reason to halt, or empty; throws when it cannot tell. */
  protected abstract Optional<String> evaluate() throws Exception;

  public final Optional<String> check() {
    try {
      Optional<String> r = evaluate();
      failures = 0;
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      failures++;
      if (failures >= MAX_FAILURES) {
        return Optional.of(
            describe()
                + " could not be evaluated "
                + failures
                + " times in a row: "
                + e.getMessage());
      }
      return Optional.empty();
    }
  }

  /** Halts when the instant query returns a non-empty result. */
  static final class PrometheusQuery extends StopConditionCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String url;
    private final String query;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    PrometheusQuery(String url, String query) {
      this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      this.query = query;
    }

    @Override
    public String describe() {
      return "prometheus query '" + query + "' at " + url;
    }

    @Override
    protected Optional<String> evaluate() throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      url
                          + "/api/v1/query?query="
                          + URLEncoder.encode(query, StandardCharsets.UTF_8)))
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      JsonNode body = JSON.readTree(response.body());
      if (!"success".equals(body.path("status").asText())) {
        throw new IOException(
            "status " + body.path("status").asText() + ": " + body.path("error").asText());
      }
      JsonNode result = body.path("data").path("result");
      boolean hit =
          result.isArray() ? !result.isEmpty() : !result.isMissingNode() && !result.isNull();
      if (!hit) {
        return Optional.empty();
      }
      List<String> values = new ArrayList<>();
      if (result.isArray()) {
        result.forEach(
            r -> values.add(r.path("metric").toString() + "=" + r.path("value").path(1).asText()));
      }
      return Optional.of(describe() + " returned " + String.join(", ", values));
    }
  }

  /** Halts when the alarm's state is ALARM (read with the aws CLI, so its credentials apply). */
  static final class CloudWatchAlarm extends StopConditionCheck {
    private final String name;
    private final String region;

    CloudWatchAlarm(String name, String region) {
      this.name = name;
      this.region = region;
    }

    @Override
    public String describe() {
      return "CloudWatch alarm " + name + (region == null ? "" : " (" + region + ")");
    }

    @Override
    protected Optional<String> evaluate() throws IOException, InterruptedException {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "aws",
                  "cloudwatch",
                  "describe-alarms",
                  "--alarm-names",
                  name,
                  "--query",
                  "MetricAlarms[0].StateValue",
                  "--output",
                  "text"));
      if (region != null) {
        cmd.addAll(List.of("--region", region));
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("aws cloudwatch describe-alarms timed out");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new IOException("aws cloudwatch describe-alarms: " + out);
      }
      return out.equals("ALARM") ? Optional.of(describe() + " is in ALARM") : Optional.empty();
    }
  }
}
