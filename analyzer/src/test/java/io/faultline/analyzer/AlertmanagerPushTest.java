package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The push against a fake Alertmanager on loopback that records what it receives. */
class AlertmanagerPushTest {

  @Test
  void thePushCarriesTheIncidentsSevAndServiceAsLabels() throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v2/alerts",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try {
      Alert firing =
          Alert.newBuilder()
              .setAlertId("e|m|1000")
              .setExperimentId("e")
              .setMetric("m")
              .setStatus(AlertStatus.FIRING)
              .setFiredAt(1_000)
              .setTimestamp(1_000)
              .setService("checkout")
              .setSev("SEV1")
              .build();
      Alert older = Alert.newBuilder(firing).setAlertId("e|m|2000").setSev(null).build();

      new AlertmanagerPush("http://127.0.0.1:" + server.getAddress().getPort())
          .push(List.of(firing, older));

      assertThat(bodies).hasSize(1);
      JsonNode body = new ObjectMapper().readTree(bodies.get(0));
      assertThat(body.get(0).get("labels").get("sev").asText()).isEqualTo("SEV1");
      assertThat(body.get(0).get("labels").get("service").asText()).isEqualTo("checkout");
      // an alert written before SEV levels (Alert v1) has no sev label rather than an empty one
      assertThat(body.get(1).get("labels").has("sev")).isFalse();
    } finally {
      server.stop(0);
    }
  }
}
