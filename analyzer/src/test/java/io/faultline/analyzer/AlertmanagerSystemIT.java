package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A real Alertmanager (Debian package {@code prometheus-alertmanager}) receives pushed alerts. */
@Tag("side-by-side")
class AlertmanagerSystemIT {

  @Test
  void aPushedAlertIsActiveInAlertmanagerAndItsResolutionEndsIt() throws Exception {
    Path binary =
        ExternalServer.binary(
            "prometheus-alertmanager", "/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager");
    Path dir = Files.createTempDirectory("alertmanager-it");
    Files.writeString(
        dir.resolve("alertmanager.yml"),
        "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
    int port = ExternalServer.freePort();
    try (ExternalServer server =
        ExternalServer.start(
            dir,
            port,
            List.of(
                binary.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="))) {
      server.awaitReady("/-/ready", Duration.ofSeconds(60));
      long now = System.currentTimeMillis();
      Alert firing =
          Alert.newBuilder()
              .setAlertId("am-exp|http.latency.ms|" + now)
              .setExperimentId("am-exp")
              .setMetric("http.latency.ms")
              .setStatus(AlertStatus.FIRING)
              .setSeverity("warning")
              .setReason("http.latency.ms experimental mean 60 vs control 20")
              .setAttackId("attack-am")
              .setFiredAt(now)
              .setTimestamp(now)
              .setService("checkout")
              .setSev("SEV1")
              .build();
      AlertmanagerPush push = new AlertmanagerPush("http://127.0.0.1:" + port);
      push.push(List.of(firing));

      JsonNode active = new ObjectMapper().readTree(server.get("/api/v2/alerts?active=true"));
      assertThat(active).hasSize(1);
      JsonNode labels = active.get(0).get("labels");
      assertThat(labels.get("alertname").asText()).isEqualTo(AlertmanagerPush.ALERT_NAME);
      assertThat(labels.get("experiment").asText()).isEqualTo("am-exp");
      assertThat(labels.get("metric").asText()).isEqualTo("http.latency.ms");
      assertThat(labels.get("sev").asText()).isEqualTo("SEV1");
      assertThat(labels.get("service").asText()).isEqualTo("checkout");
      assertThat(labels.get("attack").asText()).isEqualTo("attack-am");
      assertThat(active.get(0).get("annotations").get("summary").asText()).contains("mean 60");

      Alert resolved =
          Alert.newBuilder(firing)
              .setStatus(AlertStatus.RESOLVED)
              .setTimestamp(System.currentTimeMillis())
              .build();
      push.push(List.of(resolved));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      JsonNode still = null;
      while (System.nanoTime() < deadline) {
        still = new ObjectMapper().readTree(server.get("/api/v2/alerts?active=true"));
        if (still.isEmpty()) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(still).as("active alerts after the RESOLVED push").isEmpty();
    }
  }
}
