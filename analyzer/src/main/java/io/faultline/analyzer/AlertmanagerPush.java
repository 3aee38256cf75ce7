package io.faultline.analyzer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.common.DaemonThreads;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the analyzer's alerts to Alertmanager's v2 API ({@code POST /api/v2/alerts}). It reads the
 * committed records of the {@code alerts} topic in its own consumer group, so an alert the
 * exactly-once topology aborted is never pushed; a FIRING alert is sent without an end, a RESOLVED
 * one with {@code endsAt}. Labels: alertname, experiment, metric, severity, service, the incident's
 * SEV level ({@code sev}) and the attack. Alertmanager deduplicates by labels, so a re-push after a
 * restart is harmless.
 */
public final class AlertmanagerPush implements AutoCloseable {

  static final String ALERT_NAME = "FaultlineSteadyStateDeviation";
  private static final Logger log = LoggerFactory.getLogger(AlertmanagerPush.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private KafkaConsumer<String, byte[]> consumer;
  private Thread thread;
  private volatile boolean running;

  public AlertmanagerPush(String baseUrl) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.endpoint = URI.create(base + "/api/v2/alerts");
  }

  /** The v2 API body for some alerts: a JSON array of postable alerts. */
  static String body(List<Alert> alerts) {
    ArrayNode array = JSON.createArrayNode();
    for (Alert a : alerts) {
      ObjectNode node = array.addObject();
      ObjectNode labels = node.putObject("labels");
      labels.put("alertname", ALERT_NAME);
      labels.put("experiment", a.getExperimentId());
      labels.put("metric", a.getMetric());
      labels.put("severity", a.getSeverity());
      labels.put("service", a.getService());
      if (a.getSev() != null) {
        labels.put("sev", a.getSev());
      }
      if (a.getAttackId() != null) {
        labels.put("attack", a.getAttackId());
      }
      node.putObject("annotations").put("summary", a.getReason()).put("alertId", a.getAlertId());
      node.put("startsAt", Instant.ofEpochMilli(a.getFiredAt()).toString());
      if (a.getStatus() == AlertStatus.RESOLVED) {
        node.put(
            "endsAt", Instant.ofEpochMilli(Math.max(a.getTimestamp(), a.getFiredAt())).toString());
      }
    }
    return array.toString();
  }

  /** Posts alerts; throws when Alertmanager does not answer 200. */
  public void push(List<Alert> alerts) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(alerts)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "POST " + endpoint + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }

  /** Starts forwarding the alerts topic (committed records only) in a background thread. */
  public AlertmanagerPush start(
      String bootstrapServers, Map<String, String> kafka, String groupId, Topics topics) {
    Map<String, Object> conf = new HashMap<>(kafka);
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    conf.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer = new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics.alerts().name()));
    AvroSerde<Alert> serde = AvroSerde.of(Alert.class);
    running = true;
    thread =
        DaemonThreads.named("analyzer-alertmanager-push")
            .newThread(
                () -> {
                  try {
                    while (running) {
                      List<Alert> batch = new ArrayList<>();
                      for (ConsumerRecord<String, byte[]> r :
                          consumer.poll(Duration.ofMillis(500))) {
                        try {
                          batch.add(serde.decode(r.value()));
                        } catch (RuntimeException e) {
                          log.warn(
                              "alerts offset {}: not an Alert ({}); skipped",
                              r.offset(),
                              e.getMessage());
                        }
                      }
                      if (!batch.isEmpty()) {
                        pushWithRetry(batch);
                      }
                      consumer.commitSync();
                    }
                  } catch (WakeupException e) {
                    // closing
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    consumer.close(Duration.ofSeconds(2));
                  }
                });
    thread.start();
    log.info("pushing alerts to {}", endpoint);
    return this;
  }

  private void pushWithRetry(List<Alert> batch) throws InterruptedException {
    for (int attempt = 1; running; attempt++) {
      try {
        push(batch);
        return;
      } catch (IOException e) {
        log.warn("alertmanager push attempt {} failed: {}", attempt, e.getMessage());
        Thread.sleep(Math.min(30_000L, 500L * attempt));
      }
    }
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
