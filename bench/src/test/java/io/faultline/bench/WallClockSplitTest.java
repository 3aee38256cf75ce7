package io.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** The throughput bench's wall-clock split (docs/adr/0069): thread roles and Streams' timers. */
class WallClockSplitTest {

  @Test
  void threadsAreCountedByTheirRole() {
    assertThat(ThreadCpu.role("bench-tp10000s1.-6f1c-StreamThread-2")).isEqualTo("stream");
    assertThat(
            ThreadCpu.role(
                "kafka-producer-network-thread | bench-tp10000s1.-6f1c-StreamThread-2-producer"))
        .isEqualTo("stream-producer-io");
    assertThat(ThreadCpu.role("bench-tp10000s1.-6f1c-StreamThread-1-restore-consumer-x"))
        .isEqualTo("stream-clients");
    assertThat(ThreadCpu.role("bench-tp10000s1.-6f1c-GlobalStreamThread"))
        .isEqualTo("global-stream");
    assertThat(ThreadCpu.role("main")).isEqualTo("bench-main");
    assertThat(ThreadCpu.role("data-plane-kafka-request-handler-0")).isEqualTo("broker-and-other");
  }

  @Test
  void theSplitSumsTotalsAveragesTheRestAndCountsTotalsFromAReading() {
    String t1 = "app-StreamThread-1";
    String t2 = "app-StreamThread-2";
    Map<MetricName, Metric> start = new LinkedHashMap<>();
    put(start, "blocked-time-ns-total", "stream-thread-metrics", "thread-id", t1, 1e9);
    put(start, "blocked-time-ns-total", "stream-thread-metrics", "thread-id", t2, 0);
    put(start, "flush-time-ns-total", "producer-metrics", "client-id", t1 + "-producer", 0.5e9);
    Map<MetricName, Metric> end = new LinkedHashMap<>();
    put(end, "blocked-time-ns-total", "stream-thread-metrics", "thread-id", t1, 3e9);
    put(end, "blocked-time-ns-total", "stream-thread-metrics", "thread-id", t2, 2e9);
    put(end, "commit-latency-avg", "stream-thread-metrics", "thread-id", t1, 100);
    put(end, "commit-latency-avg", "stream-thread-metrics", "thread-id", t2, 300);
    put(end, "flush-time-ns-total", "producer-metrics", "client-id", t1 + "-producer", 2e9);
    // not the stream threads' producer: the bench's own, an admin, a restore consumer
    put(end, "flush-time-ns-total", "producer-metrics", "client-id", "bench-producer", 9e9);
    put(end, "fetch-latency-avg", "consumer-metrics", "client-id", t1 + "-restore-consumer", 9);
    put(end, "fetch-latency-avg", "consumer-metrics", "client-id", t1 + "-consumer", 40);

    Map<String, Double> figures =
        StreamThreadSplit.of(end).since(StreamThreadSplit.of(start)).figures();

    assertThat(figures.get("thread.blocked-time-s-total")).isCloseTo(4.0, within(1e-9));
    assertThat(figures.get("thread.commit-latency-avg")).isCloseTo(200.0, within(1e-9));
    assertThat(figures.get("producer.flush-time-s-total")).isCloseTo(1.5, within(1e-9));
    assertThat(figures.get("consumer.fetch-latency-avg")).isCloseTo(40.0, within(1e-9));
  }

  @Test
  void theRunQueueWaitIsReadOnLinux() {
    Map<String, long[]> start = ThreadCpu.schedstat();
    long spin = 0;
    for (int i = 0; i < 5_000_000; i++) {
      spin += i % 7;
    }
    assertThat(spin).isPositive();
    Map<String, Double> wait = ThreadCpu.runQueueWait(start);
    if (start.isEmpty()) {
      assertThat(wait).isEmpty(); // not Linux: nothing to read, nothing claimed
    } else {
      assertThat(wait.get("process-runqueue-wait")).isGreaterThanOrEqualTo(0.0);
      assertThat(wait).containsEntry("stream-runqueue-wait", 0.0); // no stream thread here
    }
  }

  private static void put(
      Map<MetricName, Metric> metrics,
      String name,
      String group,
      String tag,
      String client,
      double value) {
    MetricName m = new MetricName(name, group, "", Map.of(tag, client));
    metrics.put(
        m,
        new Metric() {
          @Override
          public MetricName metricName() {
            return m;
          }

          @Override
          public Object metricValue() {
            return value;
          }
        });
  }
}
