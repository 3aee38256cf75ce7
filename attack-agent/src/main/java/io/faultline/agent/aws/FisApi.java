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
 * not available to this build, so this small client stands in for it.
 */
public final class FisApi {

  public record Template(String id, String description, Map<String, String> tags) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  /** {@code endpoint} null means the region's public endpoint. */
  public FisApi(URI endpoint, String region, AwsCredentialsProvider credentials) {
    this.endpoint =
        endpoint != null ? endpoint : URI.create("https://fis." + region + ".amazonaws.com");
    this.region = region;
    this.credentials = credentials;
  }

  public List<Template> listTemplates() throws IOException, InterruptedException {
    JsonNode body = call(SdkHttpMethod.GET, "/experimentTemplates", null);
    List<Template> templates = new java.util.ArrayList<>();
    for (JsonNode t : body.path("experimentTemplates")) {
      Map<String, String> tags = new java.util.TreeMap<>();
      t.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
      templates.add(new Template(t.path("id").asText(), t.path("description").asText(""), tags));
    }
    return templates;
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

  private JsonNode call(SdkHttpMethod method, String path, String body)
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
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "FIS "
              + method
              + " "
              + path
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
