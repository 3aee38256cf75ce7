package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.schema.Experiment;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

class HypothesesTest {

  /** The global table as a store that counts its reads (each one an Avro decode in the app). */
  private final AtomicInteger reads = new AtomicInteger();

  private final AtomicReference<Experiment> table = new AtomicReference<>();

  @Test
  void aDefinitionReadsTheTableOnceHoweverManyQuestionsARecordAsks() {
    table.set(experiment(0.25, 7));
    Hypotheses hypotheses = hypotheses();
    Hypotheses.Definition definition = hypotheses.definition("e1");
    Hypothesis latency = definition.of("http.latency.ms");
    Hypothesis errors = definition.of("http.errors");
    int q = definition.recoveryWindows(3);
    int warmup = definition.warmupWindows(4, 5_000);
    long learnUntil = definition.learnUntil();
    Experiment experiment = definition.experiment();

    assertThat(reads.get()).isEqualTo(1);
    assertThat(latency)
        .isEqualTo(Hypothesis.of("http.latency.ms", table.get().getHypotheses().get(0)));
    assertThat(latency).isNotEqualTo(Hypothesis.defaultFor("http.latency.ms"));
    assertThat(errors).isEqualTo(Hypothesis.defaultFor("http.errors"));
    assertThat(q).isEqualTo(7);
    assertThat(warmup).isEqualTo(12); // 60 s of warm-up in windows of 5 s
    assertThat(learnUntil).isEqualTo(1_000_000L + 60_000L);
    assertThat(experiment).isEqualTo(table.get());
  }

  @Test
  void theNextRecordSeesTheTableAsItIsThen() {
    table.set(experiment(0.25, 7));
    Hypotheses hypotheses = hypotheses();
    assertThat(hypotheses.definition("e1").recoveryWindows(3)).isEqualTo(7);
    table.set(experiment(0.25, 9)); // the global table updated between two records
    assertThat(hypotheses.definition("e1").recoveryWindows(3)).isEqualTo(9);
    table.set(null); // tombstoned
    Hypotheses.Definition gone = hypotheses.definition("e1");
    assertThat(gone.recoveryWindows(3)).isEqualTo(3);
    assertThat(gone.of("http.latency.ms")).isEqualTo(Hypothesis.defaultFor("http.latency.ms"));
    assertThat(gone.experiment()).isNull();
    assertThat(reads.get()).isEqualTo(3); // an absent definition is read once too
  }

  @Test
  void aBadDeclarationGetsTheDefault() {
    table.set(experiment(-1.0, 7));
    Hypotheses.Definition definition = hypotheses().definition("e1");
    assertThat(definition.of("http.latency.ms"))
        .isEqualTo(Hypothesis.defaultFor("http.latency.ms"));
  }

  private static Experiment experiment(double tolerance, int recoveryWindows) {
    return Experiment.newBuilder()
        .setExperimentId("e1")
        .setStartedAt(1_000_000L)
        .setWarmupMs(60_000L)
        .setRecoveryWindows(recoveryWindows)
        .setHypotheses(
            List.of(
                MetricHypothesis.newBuilder()
                    .setMetric("http.latency.ms")
                    .setDirection(HypothesisDirection.INCREASE)
                    .setTolerance(tolerance)
                    .build()))
        .build();
  }

  @SuppressWarnings("unchecked")
  private Hypotheses hypotheses() {
    TimestampedKeyValueStore<String, Experiment> store =
        (TimestampedKeyValueStore<String, Experiment>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {TimestampedKeyValueStore.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("get")) {
                    throw new UnsupportedOperationException(method.getName());
                  }
                  reads.incrementAndGet();
                  Experiment e = table.get();
                  return e == null ? null : ValueAndTimestamp.make(e, 0L);
                });
    ProcessingContext context =
        (ProcessingContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ProcessingContext.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getStateStore")
                      && Hypotheses.STORE.equals(args[0])) {
                    return store;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    Hypotheses hypotheses = new Hypotheses();
    hypotheses.init(context);
    return hypotheses;
  }
}
