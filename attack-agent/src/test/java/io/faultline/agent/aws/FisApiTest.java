package io.faultline.agent.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** FisApi against WireMock: paging through nextToken, retries with backoff on 429 and 5xx. */
class FisApiTest {

  private WireMockServer server;
  private FisApi fis;

  @BeforeEach
  void start() {
    server =
        new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    fis =
        new FisApi(
            URI.create("http://127.0.0.1:" + server.port()),
            "eu-west-1",
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
            new FisApi.Backoff(4, Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private static String templates(String nextToken, String... ids) {
    StringBuilder b = new StringBuilder("{\"experimentTemplates\":[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(ids[i])
          .append("\",\"tags\":{\"faultline\":\"yes\"}}");
    }
    b.append("]");
    if (nextToken != null) {
      b.append(",\"nextToken\":\"").append(nextToken).append('"');
    }
    return b.append('}').toString();
  }

  @Test
  void listTemplatesFollowsNextTokenThroughEveryPage() throws Exception {
    server.stubFor(
        get(urlEqualTo("/experimentTemplates"))
            .willReturn(aResponse().withStatus(200).withBody(templates("p/2+", "t1", "t2"))));
    server.stubFor(
        get(urlEqualTo("/experimentTemplates?nextToken=p%2F2%2B"))
            .willReturn(aResponse().withStatus(200).withBody(templates("p3", "t3"))));
    server.stubFor(
        get(urlEqualTo("/experimentTemplates?nextToken=p3"))
            .willReturn(aResponse().withStatus(200).withBody(templates(null, "t4"))));
    List<FisApi.Template> all = fis.listTemplates();
    assertThat(all).extracting(FisApi.Template::id).containsExactly("t1", "t2", "t3", "t4");
    assertThat(all.get(3).tags()).containsEntry("faultline", "yes");
    server.verify(1, getRequestedFor(urlEqualTo("/experimentTemplates?nextToken=p3")));
  }

  @Test
  void throttlingAndServerErrorsAreRetriedWithTheSameClientToken() throws Exception {
    server.stubFor(
        post(urlEqualTo("/experiments"))
            .inScenario("start")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0"))
            .willSetStateTo("throttled"));
    server.stubFor(
        post(urlEqualTo("/experiments"))
            .inScenario("start")
            .whenScenarioStateIs("throttled")
            .willReturn(aResponse().withStatus(503).withBody("{\"message\":\"busy\"}"))
            .willSetStateTo("busy"));
    server.stubFor(
        post(urlEqualTo("/experiments"))
            .inScenario("start")
            .whenScenarioStateIs("busy")
            .willReturn(
                aResponse().withStatus(200).withBody("{\"experiment\":{\"id\":\"EXP1\"}}")));
    assertThat(fis.startExperiment("t1", Map.of("faultline", "e1"))).isEqualTo("EXP1");
    var requests = server.findAll(postRequestedFor(urlEqualTo("/experiments")));
    assertThat(requests).hasSize(3);
    String token =
        requests.get(0).getBodyAsString().replaceAll(".*\"clientToken\":\"([^\"]+)\".*", "$1");
    assertThat(requests).allSatisfy(r -> assertThat(r.getBodyAsString()).contains(token));
  }

  @Test
  void aPersistentServerErrorFailsAfterTheLastAttemptNamingIt() {
    server.stubFor(delete(urlEqualTo("/experiments/EXP1")).willReturn(aResponse().withStatus(500)));
    assertThatThrownBy(() -> fis.stopExperiment("EXP1"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("FIS DELETE /experiments/EXP1 answered 500 (after 4 attempts)");
    server.verify(4, deleteRequestedFor(urlEqualTo("/experiments/EXP1")));
  }

  @Test
  void aClientErrorIsNotRetried() {
    server.stubFor(
        delete(urlEqualTo("/experiments/EXP2"))
            .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"bad\"}")));
    assertThatThrownBy(() -> fis.stopExperiment("EXP2"))
        .hasMessage("FIS DELETE /experiments/EXP2 answered 400: {\"message\":\"bad\"}");
    server.verify(1, deleteRequestedFor(urlEqualTo("/experiments/EXP2")));
  }

  @Test
  void theBackoffDoublesUpToItsCap() {
    FisApi.Backoff b = new FisApi.Backoff(5, Duration.ofMillis(200), Duration.ofSeconds(1));
    java.util.Random always =
        new java.util.Random() {
          @Override
          public double nextDouble() {
            return 0.999999;
          }
        };
    assertThat(b.delay(1, always).toMillis()).isEqualTo(199);
    assertThat(b.delay(2, always).toMillis()).isEqualTo(399);
    assertThat(b.delay(4, always).toMillis()).isEqualTo(999);
  }
}
