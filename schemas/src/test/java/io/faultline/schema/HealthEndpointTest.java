package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

  @Test
  void answers200WhileHealthyAnd503WithTheReasonWhenNot() throws Exception {
    AtomicReference<String> problem = new AtomicReference<>();
    try (HealthEndpoint health = HealthEndpoint.start("agent", "127.0.0.1", 0, problem::get)) {
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
    assertThat(HealthEndpoint.port("agent.http.port", null)).isEqualTo(-1);
    assertThat(HealthEndpoint.port("agent.http.port", " 8080 ")).isEqualTo(8080);
    assertThatThrownBy(() -> HealthEndpoint.port("collector.http.port", "http"))
        .hasMessage("collector.http.port 'http': use 0..65535 (0 = any free port) or -1 for none");
  }

  @Test
  void aPortInUseNamesTheKey() {
    try (HealthEndpoint first = HealthEndpoint.start("agent", "127.0.0.1", 0, () -> null)) {
      assertThatThrownBy(() -> HealthEndpoint.start("agent", "127.0.0.1", first.port(), () -> null))
          .hasMessageStartingWith("agent.http.port " + first.port() + ": cannot listen on");
    }
  }
}
