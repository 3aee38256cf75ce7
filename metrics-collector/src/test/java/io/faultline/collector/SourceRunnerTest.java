package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class SourceRunnerTest {

  private final List<MetricSample> published = new CopyOnWriteArrayList<>();
  private final Samples samples = new Samples("e1");

  /** A source whose rounds do what the test says. */
  private final class Scripted implements MetricSource {
    final String name;
    final Duration interval;
    final AtomicInteger rounds = new AtomicInteger();
    final Round round;

    interface Round {
      List<MetricSample> run(int n) throws Exception;
    }

    Scripted(String name, long intervalMs, Round round) {
      this.name = name;
      this.interval = Duration.ofMillis(intervalMs);
      this.round = round;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Duration interval() {
      return interval;
    }

    @Override
    public List<MetricSample> collect() throws Exception {
      return round.run(rounds.incrementAndGet());
    }
  }

  private static void await(BooleanSupplier condition, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within " + timeoutMs + " ms");
      }
      Thread.sleep(20);
    }
  }

  private List<MetricSample> of(String metric, String target) {
    return published.stream()
        .filter(s -> s.getMetric().equals(metric) && s.getTarget().equals(target))
        .toList();
  }

  @Test
  void failingAndHangingSourcesYieldErrorSamplesWhileAHealthyOneKeepsItsCadence() throws Exception {
    Scripted healthy =
        new Scripted(
            "healthy",
            200,
            n ->
                List.of(
                    samples.of("h.value", Group.CONTROL, "h", System.currentTimeMillis(), n, "")));
    Scripted failing =
        new Scripted(
            "failing",
            250,
            n -> {
              if (n == 1) {
                return List.of(
                    samples.of(
                        "f.value", Group.EXPERIMENTAL, "f", System.currentTimeMillis(), 1, "x"));
              }
              throw new IOException("server down");
            });
    Scripted hanging =
        new Scripted(
            "hanging",
            300,
            n -> {
              Thread.sleep(60_000);
              return List.of();
            });
    // load the Avro classes first: their one-off initialisation can outlast a 250 ms round
    samples.of("warm", Group.CONTROL, "w", 0, 0, "");
    try (SourceRunner runner =
        new SourceRunner("e1", List.of(healthy, failing, hanging), published::add)) {
      runner.start();
      await(() -> of("h.value", "h").size() >= 15, 20_000);
      await(() -> of(SourceRunner.SOURCE_ERRORS, "hanging").size() >= 2, 20_000);
    }
    // the healthy source kept its 200 ms cadence although the others failed or hung
    List<MetricSample> healthySamples = of("h.value", "h");
    long span =
        healthySamples.get(healthySamples.size() - 1).getTimestamp()
            - healthySamples.get(0).getTimestamp();
    double meanGap = span / (double) (healthySamples.size() - 1);
    assertThat(meanGap).isBetween(150.0, 260.0);
    assertThat(healthySamples).noneMatch(MetricSample::getError);

    // every round counts its source's errors per group: 0 for the healthy one
    assertThat(of(SourceRunner.SOURCE_ERRORS, "healthy"))
        .hasSizeGreaterThanOrEqualTo(2 * 14)
        .allSatisfy(s -> assertThat(s.getValue()).isZero())
        .extracting(MetricSample::getGroup)
        .contains(Group.CONTROL, Group.EXPERIMENTAL);

    // the failing source: 1 per group per failed round, and an error sample (NaN) of the series
    // it had produced
    List<MetricSample> failingErrors = of(SourceRunner.SOURCE_ERRORS, "failing");
    assertThat(failingErrors)
        .anySatisfy(
            s -> {
              assertThat(s.getValue()).isEqualTo(1);
              assertThat(s.getError()).isFalse(); // a real count the analyzer can judge
              assertThat(s.getLabels())
                  .containsEntry("source", "failing")
                  .containsEntry("reason", "IOException: server down");
            });
    List<MetricSample> gaps = of("f.value", "f").stream().filter(MetricSample::getError).toList();
    assertThat(gaps).isNotEmpty();
    assertThat(gaps.get(0).getValue()).isNaN();
    assertThat(gaps.get(0).getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(gaps.get(0).getUnit()).isEqualTo("x");

    // the hanging source: its round timed out at its interval, then it was still busy
    assertThat(of(SourceRunner.SOURCE_ERRORS, "hanging"))
        .extracting(s -> s.getLabels().get("reason"))
        .allMatch(
            r -> r.startsWith("timeout after 300 ms") || r.equals("previous round still running"))
        .anyMatch(r -> r.startsWith("timeout"));
  }

  @Test
  void rejectsATimeoutLongerThanTheInterval() {
    MetricSource slow =
        new MetricSource() {
          @Override
          public String name() {
            return "slow";
          }

          @Override
          public Duration interval() {
            return Duration.ofSeconds(1);
          }

          @Override
          public Duration timeout() {
            return Duration.ofSeconds(2);
          }

          @Override
          public List<MetricSample> collect() {
            return List.of();
          }
        };
    assertThatThrownBy(() -> new SourceRunner("e", List.of(slow), s -> {}))
        .hasMessage("slow.timeout must not exceed slow.interval");
  }

  @Test
  void aPartialFailureCountsItsErrorSamplesPerGroup() throws Exception {
    Scripted partial =
        new Scripted(
            "partial",
            200,
            n ->
                List.of(
                    samples.of("p.ok", Group.CONTROL, "c", System.currentTimeMillis(), 1, ""),
                    samples.failed(
                        "p.bad", Group.EXPERIMENTAL, "x", System.currentTimeMillis(), "", "down"),
                    samples.failed(
                        "p.worse",
                        Group.EXPERIMENTAL,
                        "x",
                        System.currentTimeMillis(),
                        "",
                        "down")));
    try (SourceRunner runner = new SourceRunner("e1", List.of(partial), published::add)) {
      runner.start();
      await(() -> of(SourceRunner.SOURCE_ERRORS, "partial").size() >= 4, 20_000);
    }
    List<MetricSample> counts = of(SourceRunner.SOURCE_ERRORS, "partial");
    assertThat(counts.stream().filter(s -> s.getGroup() == Group.EXPERIMENTAL))
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.getValue()).isEqualTo(2);
              assertThat(s.getLabels()).containsEntry("reason", "down");
            });
    assertThat(counts.stream().filter(s -> s.getGroup() == Group.CONTROL))
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getValue()).isZero());
  }
}
