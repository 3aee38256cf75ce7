package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ComponentEndpointTest {

  @Test
  void answers200WhileHealthyAnd503WithTheReasonWhenNot() throws Exception {
    AtomicReference<String> problem = new AtomicReference<>();
    try (ComponentEndpoint health =
        ComponentEndpoint.start("agent", "127.0.0.1", 0, problem::get, new ComponentMetrics())) {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest get =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + "/health"))
              .build();
      HttpResponse<String> ok = client.send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("agent ok\n");

      problem.set("consumer loop stopped");
      HttpResponse<String> bad = client.send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(503);
      assertThat(bad.body()).isEqualTo("agent unhealthy: consumer loop stopped\n");
    }
  }

  @Test
  void portSettingsAreParsedOrNamedWhenWrong() {
    assertThat(ComponentEndpoint.port("agent.http.port", null)).isEqualTo(-1);
    assertThat(ComponentEndpoint.port("agent.http.port", " 8080 ")).isEqualTo(8080);
    assertThatThrownBy(() -> ComponentEndpoint.port("collector.http.port", "http"))
        .hasMessage("collector.http.port 'http': use 0..65535 (0 = any free port) or -1 for none");
  }

  @Test
  void aPortInUseNamesTheKey() {
    try (ComponentEndpoint first =
        ComponentEndpoint.start("agent", "127.0.0.1", 0, () -> null, new ComponentMetrics())) {
      assertThatThrownBy(
              () ->
                  ComponentEndpoint.start(
                      "agent", "127.0.0.1", first.port(), () -> null, new ComponentMetrics()))
          .hasMessageStartingWith("agent.http.port " + first.port() + ": cannot listen on");
    }
  }

  @Test
  void servesTheRegistryAtMetrics() throws Exception {
    ComponentMetrics metrics = new ComponentMetrics();
    try (ComponentEndpoint endpoint =
        ComponentEndpoint.start("collector", "127.0.0.1", 0, () -> null, metrics)) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).contains(ComponentMetrics.CONTENT_TYPE);
      assertThat(r.body()).contains("jvm_threads_current ");
    }
  }
}
