package io.faultline.agent.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * The three calls of the AWS Fault Injection Service REST API faultline needs (list templates,
 * start and stop an experiment), signed with SigV4 by the SDK's signer. The SDK's own fis module is
 * not available to this build, so this small client stands in for it, with what the SDK would do:
 * it follows {@code nextToken} through every page of templates, and retries a call answered 429
 * (throttled) or 5xx, or that failed to connect, with exponential backoff and full jitter (200 ms
 * doubling to at most 5 s, 5 attempts; a {@code Retry-After} header is honoured). StartExperiment
 * keeps its {@code clientToken} across retries, so a retry never starts a second experiment.
 */
public final class FisApi {

  public record Template(String id, String description, Map<String, String> tags) {}

  /** How calls are retried: attempts in all, the first delay, the longest delay. */
  public record Backoff(int attempts, Duration first, Duration max) {
    public static final Backoff DEFAULT =
        new Backoff(5, Duration.ofMillis(200), Duration.ofSeconds(5));

    /** The delay before retry {@code n} (1 = the first retry): full jitter over the cap. */
    Duration delay(int n, java.util.Random random) {
      long cap = Math.min(max.toMillis(), first.toMillis() << Math.min(n - 1, 20));
      return Duration.ofMillis(cap <= 0 ? 0 : (long) (random.nextDouble() * cap));
    }
  }

  /** At most this many pages of templates are read (100 templates each). */
  static final int MAX_PAGES = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final Backoff backoff;
  private final java.util.Random random = new java.util.Random();

  /** {@code endpoint} null means the region's public endpoint. */
  public FisApi(URI endpoint, String region, AwsCredentialsProvider credentials) {
    this(endpoint, region, credentials, Backoff.DEFAULT);
  }

  public FisApi(URI endpoint, String region, AwsCredentialsProvider credentials, Backoff backoff) {
    this.endpoint =
        endpoint != null ? endpoint : URI.create("https://fis." + region + ".amazonaws.com");
    this.region = region;
    this.credentials = credentials;
    this.backoff = backoff;
  }

  /** Every template, page after page. */
  public List<Template> listTemplates() throws IOException, InterruptedException {
    List<Template> templates = new java.util.ArrayList<>();
    String next = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      String path =
          next == null
              ? "/experimentTemplates"
              : "/experimentTemplates?nextToken="
                  + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8);
      JsonNode body = call(SdkHttpMethod.GET, path, null);
      for (JsonNode t : body.path("experimentTemplates")) {
        Map<String, String> tags = new java.util.TreeMap<>();
        t.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        templates.add(new Template(t.path("id").asText(), t.path("description").asText(""), tags));
      }
      next = body.path("nextToken").isTextual() ? body.path("nextToken").asText() : null;
      if (next == null || next.isEmpty()) {
        return templates;
      }
    }
    throw new IOException(
        "FIS ListExperimentTemplates: still a nextToken after " + MAX_PAGES + " pages");
  }

  /** Starts an experiment from the template; returns the experiment id. */
  public String startExperiment(String templateId, Map<String, String> tags)
      throws IOException, InterruptedException {
    String request =
        JSON.writeValueAsString(
            Map.of(
                "clientToken", UUID.randomUUID().toString(),
                "experimentTemplateId", templateId,
                "tags", tags));
    JsonNode body = call(SdkHttpMethod.POST, "/experiments", request);
    String id = body.path("experiment").path("id").asText("");
    if (id.isEmpty()) {
      throw new IOException("FIS StartExperiment for " + templateId + " returned no experiment id");
    }
    return id;
  }

  /** Stops an experiment; returns its state afterwards (e.g. stopping). */
  public String stopExperiment(String experimentId) throws IOException, InterruptedException {
    JsonNode body = call(SdkHttpMethod.DELETE, "/experiments/" + experimentId, null);
    return body.path("experiment").path("state").path("status").asText("stopping");
  }

  /** One call, retried on 429, 5xx and connection failures as {@link Backoff} says. */
  private JsonNode call(SdkHttpMethod method, String path, String body)
      throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = send(method, path, body);
      } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
        if (attempt >= backoff.attempts()) {
          throw new IOException(
              "FIS " + method + " " + path + ": " + e + " (after " + attempt + " attempts)", e);
        }
        Thread.sleep(backoff.delay(attempt, random).toMillis());
        continue;
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
      }
      boolean retryable = status == 429 || status / 100 == 5;
      if (!retryable || attempt >= backoff.attempts()) {
        throw new IOException(
            "FIS "
                + method
                + " "
                + path
                + " answered "
                + status
                + (retryable ? " (after " + attempt + " attempts)" : "")
                + ": "
                + response.body());
      }
      Thread.sleep(retryAfter(response).orElse(backoff.delay(attempt, random)).toMillis());
    }
  }

  /** A {@code Retry-After} in seconds, capped at the backoff's longest delay. */
  private java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .flatMap(
            v -> {
              try {
                Duration d = Duration.ofSeconds(Long.parseLong(v.strip()));
                return java.util.Optional.of(d.compareTo(backoff.max()) > 0 ? backoff.max() : d);
              } catch (NumberFormatException e) {
                return java.util.Optional.empty(); // an HTTP date: use the backoff
              }
            });
  }

  /** Signs (again for every attempt: the signature carries the time) and sends. */
  private HttpResponse<String> send(SdkHttpMethod method, String path, String body)
      throws IOException, InterruptedException {
    URI uri = endpoint.resolve(path);
    SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(method).uri(uri);
    if (body != null) {
      unsigned.putHeader("Content-Type", "application/json");
    }
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(credentials.resolveCredentials())
                    .request(unsigned.build())
                    .payload(body == null ? null : ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "fis")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .method(
                method.name(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    signed
        .request()
        .forEachHeader(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> request.header(name, v));
              }
            });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
