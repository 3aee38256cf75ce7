package io.faultline.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch job's steady state from Spark's monitoring REST API ({@code /api/v1/applications/...}) of
 * each group's driver: the latest application's jobs, stages and executors. A batch metric has one
 * value per run or per stage, so the analyzer sees few samples of it; the values are what a
 * control/experimental comparison of runs needs (docs/adr/0025).
 */
public final class SparkSource implements MetricSource {

  /** Configuration of the spark source (keys {@code spark.*}). */
  public record Settings(List<ConfigMap.GroupTarget> targets, Duration interval, Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      List<ConfigMap.GroupTarget> targets = c.targets("spark.targets", "http://127.0.0.1:4040");
      if (targets.isEmpty()) {
        throw new IllegalArgumentException(
            "spark.targets: required (GROUP=name@url of the driver's UI,... e.g."
                + " EXPERIMENTAL=extract-experimental@http://127.0.0.1:4041)");
      }
      for (ConfigMap.GroupTarget t : targets) {
        URI uri = URI.create(t.spec());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new IllegalArgumentException(
              "spark.targets entry " + t.name() + ": URL must be http or https");
        }
      }
      return new Settings(
          List.copyOf(targets),
          c.duration("spark.interval", "5s", Duration.ofMillis(100), Duration.ofHours(1)),
          c.duration("spark.timeout", "2s", Duration.ofMillis(10), Duration.ofHours(1)));
    }
  }

  /** Every metric a round publishes per target; also what a failed round marks as missing. */
  static final List<String> METRICS =
      List.of(
          "spark.jobs.running",
          "spark.jobs.failed",
          "spark.job.duration.ms",
          "spark.tasks.completed",
          "spark.tasks.failed",
          "spark.executors.active",
          "spark.executors.lost",
          "spark.records.per_s",
          "spark.shuffle.fetch_failures");

  // Spark writes "2026-12-05T13:10:11.123GMT"
  private static final DateTimeFormatter SPARK_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'GMT'");

  private final Settings settings;
  private final Samples samples;
  private final HttpClient client;
  private final ObjectMapper json = new ObjectMapper();

  public SparkSource(Settings settings, Samples samples) {
    this.settings = settings;
    this.samples = samples;
    this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public List<MetricSample> collect() throws IOException, InterruptedException {
    return TargetRound.collect(settings.targets(), METRICS, samples, this::observe);
  }

  private List<MetricSample> observe(ConfigMap.GroupTarget t, long ts)
      throws IOException, InterruptedException {
    String base = t.spec().replaceAll("/+$", "") + "/api/v1/applications";
    JsonNode apps = get(base);
    if (!apps.isArray() || apps.isEmpty()) {
      throw new IOException("spark " + t.name() + " " + t.spec() + ": no application");
    }
    String app = apps.get(0).path("id").asText();
    return figures(
            get(base + "/" + app + "/jobs"),
            get(base + "/" + app + "/stages"),
            get(base + "/" + app + "/allexecutors"),
            Instant.ofEpochMilli(ts))
        .entrySet()
        .stream()
        .map(
            e ->
                samples.of(
                    e.getKey(),
                    t.group(),
                    t.name(),
                    ts,
                    e.getValue(),
                    unit(e.getKey()),
                    Map.of("app", app)))
        .toList();
  }

  /**
   * The figures of one application from its jobs, stages and executors as the API returns them: a
   * plain function, tested against recorded answers. The job duration is the latest job's, up to
   * {@code now} while it runs; records/s is its stages' input records over that duration.
   */
  static Map<String, Double> figures(
      JsonNode jobs, JsonNode stages, JsonNode executors, Instant now) {
    double running = 0;
    double failedJobs = 0;
    double completed = 0;
    double failedTasks = 0;
    JsonNode latest = null;
    for (JsonNode j : jobs) {
      String status = j.path("status").asText();
      running += "RUNNING".equals(status) ? 1 : 0;
      failedJobs += "FAILED".equals(status) ? 1 : 0;
      completed += j.path("numCompletedTasks").asDouble();
      failedTasks += j.path("numFailedTasks").asDouble();
      if (latest == null || j.path("jobId").asLong() > latest.path("jobId").asLong()) {
        latest = j;
      }
    }
    double durationMs = Double.NaN;
    double recordsPerS = Double.NaN;
    if (latest != null && latest.has("submissionTime")) {
      Instant start = time(latest.path("submissionTime").asText());
      Instant end =
          latest.has("completionTime") ? time(latest.path("completionTime").asText()) : now;
      durationMs = Math.max(0, Duration.between(start, end).toMillis());
      Set<Long> ids = new HashSet<>();
      latest.path("stageIds").forEach(id -> ids.add(id.asLong()));
      double records = 0;
      for (JsonNode s : stages) {
        if (ids.contains(s.path("stageId").asLong())) {
          records += s.path("inputRecords").asDouble();
        }
      }
      recordsPerS = durationMs > 0 ? records / (durationMs / 1000.0) : 0;
    }
    double fetchFailures = 0;
    for (JsonNode s : stages) {
      if (s.path("failureReason").asText("").contains("FetchFailed")) {
        fetchFailures++;
      }
    }
    double active = 0;
    double lost = 0;
    for (JsonNode e : executors) {
      if ("driver".equals(e.path("id").asText())) {
        continue;
      }
      if (e.path("isActive").asBoolean(true)) {
        active++;
      } else {
        lost++;
      }
    }
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    out.put("spark.jobs.running", running);
    out.put("spark.jobs.failed", failedJobs);
    out.put("spark.job.duration.ms", durationMs);
    out.put("spark.tasks.completed", completed);
    out.put("spark.tasks.failed", failedTasks);
    out.put("spark.executors.active", active);
    out.put("spark.executors.lost", lost);
    out.put("spark.records.per_s", recordsPerS);
    out.put("spark.shuffle.fetch_failures", fetchFailures);
    out.values().removeIf(v -> v.isNaN()); // no job yet: no duration, no rate
    return out;
  }

  static Instant time(String sparkTime) {
    return LocalDateTime.parse(sparkTime, SPARK_TIME).toInstant(ZoneOffset.UTC);
  }

  private static String unit(String metric) {
    return switch (metric) {
      case "spark.job.duration.ms" -> "ms";
      case "spark.records.per_s" -> "records/s";
      case "spark.tasks.completed", "spark.tasks.failed" -> "tasks";
      case "spark.executors.active", "spark.executors.lost" -> "executors";
      case "spark.jobs.running", "spark.jobs.failed" -> "jobs";
      default -> "";
    };
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(settings.timeout()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("spark " + url + ": HTTP " + r.statusCode());
    }
    return json.readTree(r.body());
  }
}
