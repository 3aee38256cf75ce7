package io.faultline.collector;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.thirdparty.jackson.core.JsonToken;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORGenerator;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORParser;

/**
 * GetMetricData against WireMock in the protocol CloudWatch's client of SDK 2.40.17 really speaks:
 * Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/GetMetricData, CBOR
 * bodies, header smithy-protocol: rpc-v2-cbor), not the older awsQuery form protocol.
 */
class CloudWatchSourceTest {

  private static final String PATH =
      "/service/GraniteServiceVersion20100801/operation/GetMetricData";
  private static final CBORFactory CBOR = new CBORFactory();

  private WireMockServer wiremock;

  @BeforeEach
  void start() {
    wiremock = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wiremock.start();
  }

  @AfterEach
  void stop() {
    wiremock.stop();
  }

  private CloudWatchSource source(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("cloudwatch.endpoint", "http://127.0.0.1:" + wiremock.port());
    m.put("cloudwatch.cluster", "scale-eks");
    m.put("cloudwatch.namespace", "scale");
    m.put("cloudwatch.workload.control", "scale-control");
    m.put("cloudwatch.workload.experimental", "scale-experimental");
    m.putAll(extra);
    return new CloudWatchSource(
        CloudWatchSource.Settings.fromMap(new ConfigMap(m)),
        new Samples("e1"),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
  }

  /** One MetricDataResult: id, timestamps (epoch seconds) and values. */
  private record Result(String id, long[] epochSeconds, double[] values) {}

  private static byte[] response(List<Result> results, String nextToken) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("MetricDataResults");
      g.writeStartArray();
      for (Result r : results) {
        g.writeStartObject();
        g.writeStringField("Id", r.id());
        g.writeStringField("Label", r.id());
        g.writeFieldName("Timestamps");
        g.writeStartArray();
        for (long t : r.epochSeconds()) {
          g.writeTag(1); // CBOR epoch-seconds timestamp
          g.writeNumber((double) t);
        }
        g.writeEndArray();
        g.writeFieldName("Values");
        g.writeStartArray();
        for (double v : r.values()) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeStringField("StatusCode", "Complete");
        g.writeEndObject();
      }
      g.writeEndArray();
      if (nextToken != null) {
        g.writeStringField("NextToken", nextToken);
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private void stub(String scenario, String state, String next, byte[] body) {
    wiremock.stubFor(
        post(urlEqualTo(PATH))
            .inScenario(scenario)
            .whenScenarioStateIs(state)
            .willSetStateTo(next)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(body)));
  }

  /** Decodes a CBOR body into maps, lists, strings and numbers. */
  private static Object decode(byte[] body) throws IOException {
    try (CBORParser p = (CBORParser) CBOR.createParser(body)) {
      p.nextToken();
      return read(p);
    }
  }

  private static Object read(CBORParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Object> m = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        m.put(name, read(p));
      }
      return m;
    }
    if (t == JsonToken.START_ARRAY) {
      List<Object> l = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        l.add(read(p));
      }
      return l;
    }
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t.isNumeric()) {
      return p.getNumberValue();
    }
    return p.getText();
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> requestBodies() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (LoggedRequest r : wiremock.findAll(postRequestedFor(urlEqualTo(PATH)))) {
      out.add((Map<String, Object>) decode(r.getBody()));
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void followsNextTokenAndPublishesTheLatestDatapointPerGroupAndMetric() throws Exception {
    long t0 = 1_764_000_000L;
    // page 1: control CPU (q0) with two datapoints; page 2: experimental CPU (q5)
    stub(
        "paging",
        Scenario.STARTED,
        "page2",
        response(
            List.of(new Result("q0", new long[] {t0, t0 + 60}, new double[] {12.5, 14.0})),
            "token-2"));
    stub(
        "paging",
        "page2",
        "done",
        response(List.of(new Result("q5", new long[] {t0 + 60}, new double[] {71.0})), null));

    List<MetricSample> samples = source(Map.of()).collect();

    List<Map<String, Object>> bodies = requestBodies();
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(0)).doesNotContainKey("NextToken");
    assertThat(bodies.get(1)).containsEntry("NextToken", "token-2");
    List<Map<String, Object>> queries =
        (List<Map<String, Object>>) bodies.get(0).get("MetricDataQueries");
    assertThat(queries).hasSize(10); // 5 Container Insights metrics x 2 groups
    Map<String, Object> metric =
        (Map<String, Object>)
            ((Map<String, Object>) queries.get(0).get("MetricStat")).get("Metric");
    assertThat(metric).containsEntry("Namespace", "ContainerInsights");
    assertThat(metric).containsEntry("MetricName", "pod_cpu_utilization");
    assertThat((List<Map<String, Object>>) metric.get("Dimensions"))
        .extracting(d -> d.get("Name") + "=" + d.get("Value"))
        .containsExactly("ClusterName=scale-eks", "Namespace=scale", "PodName=scale-control");
    assertThat(
            wiremock
                .findAll(postRequestedFor(urlEqualTo(PATH)))
                .get(0)
                .getHeader("smithy-protocol"))
        .isEqualTo("rpc-v2-cbor");

    MetricSample control =
        samples.stream()
            .filter(s -> s.getMetric().equals("cpu.utilization") && s.getGroup() == Group.CONTROL)
            .findFirst()
            .orElseThrow();
    assertThat(control.getValue()).isEqualTo(14.0);
    assertThat(control.getTimestamp()).isEqualTo((t0 + 60) * 1000);
    assertThat(control.getTarget()).isEqualTo("scale-control");
    assertThat(control.getUnit()).isEqualTo("percent");
    assertThat(control.getError()).isFalse();
    MetricSample experimental =
        samples.stream()
            .filter(
                s -> s.getMetric().equals("cpu.utilization") && s.getGroup() == Group.EXPERIMENTAL)
            .findFirst()
            .orElseThrow();
    assertThat(experimental.getValue()).isEqualTo(71.0);
    // a metric without datapoints is an error sample, not a gap
    assertThat(samples.stream().filter(s -> s.getMetric().equals("memory.utilization")))
        .hasSize(2)
        .allSatisfy(s -> assertThat(s.getError()).isTrue());
  }

  @Test
  @SuppressWarnings("unchecked")
  void sendsAtMostFiveHundredQueriesPerCall() throws Exception {
    stub("batches", Scenario.STARTED, Scenario.STARTED, response(List.of(), null));
    CloudWatchSource source = source(Map.of());
    List<CloudWatchSource.Query> queries = new ArrayList<>();
    for (int i = 0; i < 1_201; i++) {
      queries.add(
          CloudWatchSource.query(
              i,
              CloudWatchSource.CONTAINER_INSIGHTS.get(0),
              Group.EXPERIMENTAL,
              "w" + i,
              List.of(),
              60));
    }
    List<MetricSample> samples = source.collect(queries);
    assertThat(requestBodies())
        .extracting(b -> ((List<Object>) b.get("MetricDataQueries")).size())
        .containsExactly(500, 500, 201);
    assertThat(samples).hasSize(1_201);
  }

  @Test
  void retriesAThrottledCall() throws Exception {
    wiremock.stubFor(
        post(urlEqualTo(PATH))
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("ok")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(throttling())));
    stub(
        "throttle",
        "ok",
        "ok",
        response(List.of(new Result("q0", new long[] {1_764_000_000L}, new double[] {3})), null));
    List<MetricSample> samples = source(Map.of()).collect();
    assertThat(wiremock.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(2);
    assertThat(
            samples.stream().filter(s -> s.getMetric().equals("cpu.utilization") && !s.getError()))
        .hasSize(1);
  }

  private static byte[] throttling() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("__type", "com.amazonaws.cloudwatch#Throttling");
      g.writeStringField("message", "Rate exceeded");
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Test
  void settingsNameTheMissingKey() {
    assertThatThrownBy(
            () ->
                CloudWatchSource.Settings.fromMap(
                    new ConfigMap(
                        Map.of(
                            "cloudwatch.workload.control",
                            "a",
                            "cloudwatch.workload.experimental",
                            "b"))))
        .hasMessageStartingWith("cloudwatch.cluster: required");
    assertThatThrownBy(
            () ->
                CloudWatchSource.Settings.fromMap(
                    new ConfigMap(
                        Map.of(
                            "cloudwatch.cluster", "c",
                            "cloudwatch.workload.control", "a",
                            "cloudwatch.workload.experimental", "b",
                            "cloudwatch.period", "45s"))))
        .hasMessageContaining("cloudwatch.period 45s: must be 1, 5, 10, 30 or a multiple of 60");
  }

  @Test
  @SuppressWarnings("unchecked")
  void putMetricDataSendsBatchesOfAtMostOneThousand() throws Exception {
    String put = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    wiremock.stubFor(
        post(urlEqualTo(put))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(response(List.of(), null))));
    Samples samples = new Samples("e1");
    try (CloudWatchMetricPublisher publisher =
        new CloudWatchMetricPublisher(
            "Faultline",
            software.amazon.awssdk.regions.Region.US_EAST_1,
            java.net.URI.create("http://127.0.0.1:" + wiremock.port()),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
            java.time.Duration.ofHours(1))) {
      for (int i = 0; i < 2_500; i++) {
        publisher.publish(
            samples.of("http.latency.p99", Group.EXPERIMENTAL, "x", 1_764_000_000_000L, i, "ms"));
      }
      publisher.publish(samples.failed("http.latency.p99", Group.CONTROL, "c", 0, "ms", "down"));
    }
    List<LoggedRequest> requests = wiremock.findAll(postRequestedFor(urlEqualTo(put)));
    List<Map<String, Object>> bodies = new ArrayList<>();
    for (LoggedRequest r : requests) {
      bodies.add((Map<String, Object>) decode(r.getBody()));
    }
    assertThat(bodies)
        .extracting(b -> ((List<Object>) b.get("MetricData")).size())
        .containsExactly(1000, 1000, 500); // the error sample is not sent
    Map<String, Object> datum =
        (Map<String, Object>) ((List<Object>) bodies.get(0).get("MetricData")).get(7);
    assertThat(bodies.get(0)).containsEntry("Namespace", "Faultline");
    assertThat(datum)
        .containsEntry("MetricName", "http.latency.p99")
        .containsEntry("Unit", "Milliseconds");
    assertThat(((Number) datum.get("Value")).doubleValue()).isEqualTo(7.0);
    assertThat((List<Map<String, Object>>) datum.get("Dimensions"))
        .extracting(d -> d.get("Name") + "=" + d.get("Value"))
        .containsExactly("Experiment=e1", "Group=EXPERIMENTAL", "Target=x");
  }
}
