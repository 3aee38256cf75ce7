package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.testsupport.Scrape;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The collector as deployed: a config choosing several sources, samples on the metrics topic. */
class CollectorIT {

  @Test
  void severalSourcesPublishWhileADeadOneReportsErrors() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("cit"), 1);
    try (StubHttp app =
        new StubHttp(
            4,
            ex -> {
              if (ex.getRequestURI().getPath().equals("/metrics")) {
                StubHttp.reply(ex, 200, "text/plain", "app_requests_total{code=\"200\"} 42\n");
              } else {
                StubHttp.reply(ex, 200, "text/plain", "ok");
              }
            })) {
      Map<String, String> m = new HashMap<>();
      m.put("bootstrap.servers", TestBroker.bootstrapServers());
      m.put("experiment.id", "exp-9");
      m.put("topics.prefix", topics.prefix());
      m.put("sources", "http,prometheus,scrape,host");
      m.put("probe.targets", "CONTROL=c@" + app.url("/a") + ",EXPERIMENTAL=x@" + app.url("/b"));
      m.put("probe.rps", "20");
      m.put("probe.interval", "500ms");
      m.put("prometheus.url", "http://127.0.0.1:1"); // nothing listens: every round fails
      m.put("prometheus.query.app.rate", "rate(app_requests_total{group=\"$group\"}[1m])");
      m.put("prometheus.interval", "500ms");
      m.put("prometheus.timeout", "200ms");
      m.put("scrape.targets", "CONTROL=c@" + app.url("/metrics"));
      m.put("scrape.metric.app.requests", "app_requests_total");
      m.put("scrape.interval", "500ms");
      m.put("host.processes", "EXPERIMENTAL=collector@pid:" + ProcessHandle.current().pid());
      m.put("host.interval", "500ms");
      CollectorConfig config = CollectorConfig.fromMap(m);
      ComponentMetrics metrics = new ComponentMetrics();
      try (KafkaSampleSink sink =
              new KafkaSampleSink(config.bootstrapServers(), topics, config.kafka());
          SourceRunner runner =
              start(
                  config,
                  sink,
                  new CollectorMetrics(metrics.kafkaClient(sink::clientMetrics).registry()));
          ComponentEndpoint endpoint =
              ComponentEndpoint.start("collector", "127.0.0.1", 0, () -> null, metrics)) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (runner.rounds().get("http") < 6 && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        assertThat(runner.failures().get("prometheus")).isGreaterThanOrEqualTo(3);
        assertThat(runner.failures().get("http")).isZero();

        Scrape scrape = Scrape.of("http://127.0.0.1:" + endpoint.port() + "/metrics");
        assertThat(scrape.value("faultline_collector_samples_total", "source=\"http\""))
            .isGreaterThan(0.0);
        assertThat(scrape.value("faultline_collector_source_errors_total", "source=\"prometheus\""))
            .isGreaterThanOrEqualTo(3.0);
        assertThat(scrape.value("faultline_collector_source_errors_total", "source=\"http\""))
            .isZero();
        assertThat(
                scrape.value("faultline_collector_rounds_total", "source=\"prometheus\"", "failed"))
            .isGreaterThanOrEqualTo(3.0);
        assertThat(scrape.value("kafka_producer_record_send_total")).isGreaterThan(0.0);
        assertThat(scrape.has("kafka_producer_request_latency_avg")).isTrue();
        assertThat(scrape.has("jvm_threads_current")).isTrue();
        assertThat(scrape.promtoolProblems()).isIn(null, "");
      }
    }
    List<MetricSample> samples = new ArrayList<>();
    try (var metrics = TopicFollower.start(topics.metrics())) {
      for (ConsumerRecord<String, MetricSample> r :
          metrics.recordsUntil(
              rs ->
                  rs.stream().filter(r -> r.value().getMetric().equals("http.latency.p99")).count()
                      >= 8,
              Duration.ofSeconds(15))) {
        assertThat(r.key()).isEqualTo("exp-9|" + r.value().getMetric());
      }
      Thread.sleep(1000); // drain what is left
      samples.addAll(metrics.values());
    }
    assertThat(samples.stream().filter(s -> s.getMetric().equals("http.latency.p99")))
        .extracting(MetricSample::getGroup)
        .contains(Group.CONTROL, Group.EXPERIMENTAL);
    assertThat(samples.stream().filter(s -> s.getMetric().equals("app.requests")))
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getValue()).isEqualTo(42));
    assertThat(samples.stream().filter(s -> s.getMetric().equals("process.alive")))
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getValue()).isEqualTo(1));
    // every round of every source counts its failures per group: 1 for the dead server, 0 else
    List<MetricSample> sourceErrors =
        samples.stream().filter(s -> s.getMetric().equals(SourceRunner.SOURCE_ERRORS)).toList();
    assertThat(sourceErrors.stream().filter(s -> s.getTarget().equals("prometheus")))
        .hasSizeGreaterThanOrEqualTo(6)
        .allSatisfy(
            s -> {
              assertThat(s.getValue()).isEqualTo(1);
              assertThat(s.getLabels().get("reason")).contains("ConnectException");
            })
        .extracting(MetricSample::getGroup)
        .contains(Group.CONTROL, Group.EXPERIMENTAL);
    assertThat(sourceErrors.stream().filter(s -> !s.getTarget().equals("prometheus")))
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getValue()).isZero());
  }

  private static SourceRunner start(
      CollectorConfig config, KafkaSampleSink sink, CollectorMetrics metrics) {
    assertThat(sink.awaitLeaders(Duration.ofSeconds(30))).isTrue();
    return CollectorMain.run(config, sink, metrics);
  }
}
