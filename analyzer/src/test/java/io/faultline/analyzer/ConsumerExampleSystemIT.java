package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.PublishedSchemas;
import io.faultline.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/examples/faultline_consumer.py, the Python reader of docs/consumers.md, decodes the alerts
 * and results the analyzer wrote, with the schemas {@code faultline schemas export} writes (Debian
 * package {@code python3-avro}; skipped without it).
 */
@Tag("side-by-side")
class ConsumerExampleSystemIT {

  private static final long T0 = 1_700_000_000_000L;

  @Test
  void thePythonExampleDecodesAlertsAndResultsTheAnalyzerWrote() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    assumeTrue(
        Files.isExecutable(python)
            && new ProcessBuilder(python.toString(), "-c", "import avro.io, avro.schema")
                    .start()
                    .waitFor()
                == 0,
        "python3-avro (Debian package) not installed");
    Path script = DashboardPrometheusSystemIT.locate("docs/examples/faultline_consumer.py");
    Path dir = Files.createTempDirectory("consumer-example");
    PublishedSchemas.export(dir.resolve("schemas"));

    List<byte[]> alerts = new ArrayList<>();
    List<byte[]> results = new ArrayList<>();
    analyze(alerts, results);
    assertThat(alerts).isNotEmpty();
    assertThat(results).isNotEmpty();
    List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
    command.add(dir.resolve("schemas").toString());
    byte[] alert = alerts.get(0);
    byte[] result = results.get(results.size() - 1);
    Files.write(dir.resolve("alert.bin"), alert);
    Files.write(dir.resolve("result.bin"), result);
    command.add(dir.resolve("alert.bin").toString());
    command.add(dir.resolve("result.bin").toString());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = out.lines().map(l -> read(json, l)).toList();
    var decodedAlert = AvroSerde.of(io.faultline.schema.Alert.class).decode(alert);
    assertThat(lines.get(0).get("alertId").asText()).isEqualTo(decodedAlert.getAlertId());
    assertThat(lines.get(0).get("status").asText()).isEqualTo("FIRING");
    assertThat(lines.get(0).get("metric").asText()).isEqualTo("http.latency.ms");
    var decodedResult = AvroSerde.of(io.faultline.schema.ExperimentResult.class).decode(result);
    assertThat(lines.get(1).get("experimentId").asText()).isEqualTo("py-exp");
    assertThat(lines.get(1).get("verdict").asText()).isEqualTo(decodedResult.getVerdict().name());
    assertThat(lines.get(1).get("windowsJudged").asLong())
        .isEqualTo(decodedResult.getWindowsJudged());
  }

  private static JsonNode read(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  /** Warm-up, then an attack that doubles the experimental group's latency. */
  private static void analyze(List<byte[]> alerts, List<byte[]> results) throws Exception {
    Topics topics = new Topics("py.", 1);
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of())) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      TestInputTopic<String, AttackEvent> events = analyzer.input(topics.attackEvents());
      TestOutputTopic<String, byte[]> alertOut = analyzer.rawOutput(topics.alerts());
      TestOutputTopic<String, byte[]> resultOut = analyzer.rawOutput(topics.results());
      AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
      Random random = new Random(7);
      for (int w = 0; w < 10; w++) {
        if (w == 4) {
          events.pipeInput(
              "py-exp",
              AttackEvent.newBuilder()
                  .setEventId("ev")
                  .setExperimentId("py-exp")
                  .setAttackId("attack-py")
                  .setType(AttackEventType.STARTED)
                  .setFault("cpu-burn")
                  .setTimestamp(T0 + 20_000)
                  .build(),
              T0 + 20_000);
        }
        for (int i = 0; i < 50; i++) {
          long ts = T0 + w * 5000L + i * 100L;
          for (Group g : new Group[] {Group.CONTROL, Group.EXPERIMENTAL}) {
            double mean = g == Group.EXPERIMENTAL && w >= 4 ? 60 : 20;
            metrics.pipeInput(
                Topics.metricKey("py-exp", "http.latency.ms"),
                serde.encode(
                    MetricSample.newBuilder()
                        .setExperimentId("py-exp")
                        .setMetric("http.latency.ms")
                        .setGroup(g)
                        .setTarget(g.name())
                        .setTimestamp(ts)
                        .setValue(mean * (1 + 0.1 * random.nextGaussian()))
                        .setUnit("ms")
                        .build()),
                ts);
          }
        }
      }
      alerts.addAll(alertOut.readValuesToList());
      results.addAll(resultOut.readValuesToList());
    }
  }
}
