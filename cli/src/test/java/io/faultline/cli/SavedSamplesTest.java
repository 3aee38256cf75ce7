package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.analyzer.AnalyzerTopology;
import io.faultline.analyzer.ScratchStateDirectory;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.SavedSamples;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --save-samples}: a run judged by the analyzer's topology as the demo's analyzer judges it
 * (its window, its experiment's warm-up and hypotheses, the default horizon, the STARTED event),
 * saved by {@link SavedSamples}, then judged again by {@code faultline analyze} from the saved
 * files with the line the run printed, by both engines: the same first deviating window, or none.
 */
class SavedSamplesTest {

  private static final long WINDOW = 5_000;
  private static final long T0 = 1_800_000_000_000L; // a multiple of the window
  private static final long WARMUP = 100_000;
  private static final long BURN = 30_000;
  private static final long START_DELAY = 300; // the STARTED event after the planned start
  private static final String LATENCY = "http.latency.ms";

  @TempDir Path dir;

  @Test
  void aSavedRunIsJudgedAgainAsTheAnalyzerJudgedItLive() throws Exception {
    Path saved = dir.resolve("burn");
    // the demo's ramping burn: the experimental latency rises over the attack's 30 s to x2.5
    WindowVerdict live = saveAndJudgeLive(saved, 1, 1.5);
    assertThat(live).as("the live analyzer found the burn").isNotNull();
    for (String engine : List.of("offline", "stream")) {
      JsonNode again = analyzeAgain(saved, engine);
      assertThat(again.get("verdict").asText()).as(engine).isEqualTo("deviation");
      long detected = java.time.Instant.parse(again.get("detected_at").asText()).toEpochMilli();
      assertThat(detected)
          .as("%s: detected in the live analyzer's first deviating window", engine)
          .isGreaterThanOrEqualTo(live.getWindowStart())
          .isLessThan(live.getWindowEnd());
    }
    assertSavedFiles(saved);
  }

  @Test
  void aSavedRunWithoutAnEffectIsJudgedAgainWithoutADeviation() throws Exception {
    Path saved = dir.resolve("null");
    assertThat(saveAndJudgeLive(saved, 7, 0.0)).isNull();
    for (String engine : List.of("offline", "stream")) {
      assertThat(analyzeAgain(saved, engine).get("verdict").asText())
          .as(engine)
          .isEqualTo("no_deviation");
    }
  }

  /** Every sample of each group but the failed ones, the attack, the run and the command. */
  private static void assertSavedFiles(Path saved) throws Exception {
    List<String> control = Files.readAllLines(saved.resolve(LATENCY + ".control.csv"));
    List<String> experimental = Files.readAllLines(saved.resolve(LATENCY + ".experimental.csv"));
    assertThat(control.get(0)).isEqualTo("timestamp,value");
    // 20 a second per group over the run's 200 s, the failed one of each group left out
    assertThat(control).hasSize(1 + 4000 - 1);
    assertThat(experimental).hasSize(1 + 4000 - 1);
    assertThat(Files.readAllLines(saved.resolve("attacks.csv")))
        .containsExactly(
            "attack,fault,started_ms,started_offset_ms,ended_ms,ended_offset_ms,detected_ms,"
                + "mttd_ms",
            "cpu,cpu-burn,"
                + (T0 + WARMUP + START_DELAY)
                + ","
                + (WARMUP + START_DELAY)
                + ","
                + (T0 + WARMUP + START_DELAY + BURN)
                + ","
                + (WARMUP + START_DELAY + BURN)
                + ",,");
    String readme = Files.readString(saved.resolve("README.txt"));
    assertThat(readme)
        .contains("warm-up ends: 2027-01-15T08:01:40Z (offset 1m40s, 20 windows)")
        .contains(LATENCY + ": control 3999 rows, experimental 3999 rows; left out: 2 failed")
        .contains("--datapoint 5s --warmup 20 --horizon 720");
  }

  @Test
  void refusesAFileOrAnUnwritableDirectoryNamingTheOption() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThat(SavedSamples.problem(file))
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("--save-samples " + file + ": is a file"));
    assertThat(SavedSamples.problem(file.resolve("below")))
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("--save-samples " + file.resolve("below")));
    assertThat(SavedSamples.problem(dir.resolve("new/dir"))).isEmpty();
    assertThat(dir.resolve("new/dir")).isDirectory();

    RunCommand run = new RunCommand();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    run.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code =
        new CommandLine(run).execute("examples-absent.yaml", "--save-samples", file.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--save-samples " + file + ": is a file, not a directory");
  }

  /**
   * The demo's shape (20 requests a second per group, lognormal latency, 100 s of warm-up, a 30 s
   * burn that multiplies the experimental latency by up to 1 + {@code rise}, 70 s after), judged by
   * the analyzer's topology with the demo's analyzer settings, saved into {@code saved}. Returns
   * the live first DEVIATING window of the latency, or null.
   */
  private static WindowVerdict saveAndJudgeLive(Path saved, long seed, double rise)
      throws Exception {
    Experiment experiment =
        Experiment.newBuilder()
            .setExperimentId("demo-saved")
            .setName("local-demo")
            .setState(ExperimentState.COMPLETED)
            .setStartedAt(T0)
            .setEndedAt(T0 + 200_000)
            .setWindowMs(WINDOW)
            .setWarmupMs(WARMUP)
            .setHypotheses(
                List.of(
                    MetricHypothesis.newBuilder()
                        .setMetric(LATENCY)
                        .setDirection(HypothesisDirection.INCREASE)
                        .setTolerance(0.25)
                        .setAlpha(0.01)
                        .setCritical(true)
                        .build()))
            .build();
    long burnStart = T0 + WARMUP + START_DELAY;
    List<AttackEvent> events =
        List.of(
            event("started", AttackEventType.STARTED, burnStart),
            event("rolled-back", AttackEventType.ROLLED_BACK, burnStart + BURN));
    Random random = new Random(seed);
    List<MetricSample> samples = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      for (Group g : new Group[] {Group.CONTROL, Group.EXPERIMENTAL}) {
        long at = T0 + i * 50L + (g == Group.CONTROL ? 0 : 7);
        double factor = 1;
        if (g == Group.EXPERIMENTAL && at >= burnStart && at < burnStart + BURN) {
          factor = 1 + rise * (at - burnStart) / (double) BURN;
        }
        double ms = 8 * Math.exp(0.3 * random.nextGaussian()) * factor;
        samples.add(sample(g, at, ms, i == 1234));
      }
    }
    // in memory where the machine allows: the driver syncs the stores at every record
    Path state = ScratchStateDirectory.create("saved-samples-live");
    List<WindowVerdict> verdicts = new ArrayList<>();
    Topics topics = new Topics("live.", 1);
    AnalyzerConfig config =
        AnalyzerConfig.fromMap(
            Map.of(
                "bootstrap.servers", "live:9092",
                "analyzer.window", "5s",
                "analyzer.recovery.windows", "3",
                "analyzer.state.dir", state.toString()));
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            AnalyzerTopology.build(topics, config), AnalyzerApp.streamsProperties(config))) {
      driver
          .createInputTopic(
              topics.experiments().name(),
              Serdes.String().serializer(),
              AvroSerde.of(Experiment.class).serializer())
          .pipeInput(experiment.getExperimentId(), experiment, T0);
      TestInputTopic<String, AttackEvent> attackEvents =
          driver.createInputTopic(
              topics.attackEvents().name(),
              Serdes.String().serializer(),
              AvroSerde.of(AttackEvent.class).serializer());
      TestInputTopic<String, byte[]> metrics =
          driver.createInputTopic(
              topics.metrics().name(),
              Serdes.String().serializer(),
              Serdes.ByteArray().serializer());
      AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
      List<Object> timeline = new ArrayList<>(samples);
      timeline.addAll(events);
      timeline.sort(Comparator.comparingLong(SavedSamplesTest::at));
      for (Object o : timeline) {
        if (o instanceof AttackEvent e) {
          attackEvents.pipeInput(e.getExperimentId(), e, e.getTimestamp());
        } else {
          MetricSample s = (MetricSample) o;
          metrics.pipeInput(
              Topics.metricKey(s.getExperimentId(), s.getMetric()),
              serde.encode(s),
              s.getTimestamp());
        }
      }
      // a sample two windows on closes the last window
      long end = T0 + 4000 * 50L + 2 * WINDOW;
      metrics.pipeInput(
          Topics.metricKey("demo-saved", "end"),
          serde.encode(sample(Group.CONTROL, end, 0, false, "end")),
          end);
      driver
          .createOutputTopic(
              topics.steadyState().name(),
              Serdes.String().deserializer(),
              AvroSerde.of(WindowVerdict.class).deserializer())
          .readValuesToList()
          .stream()
          .filter(v -> LATENCY.equals(v.getMetric()))
          .forEach(verdicts::add);
    } finally {
      ScratchStateDirectory.delete(state);
    }
    assertThat(verdicts).as("the live analyzer judged the latency").isNotEmpty();
    SavedSamples.write(
        saved,
        new ExperimentRecording(
            "demo-saved", experiment, events, verdicts, List.of(), null, samples));
    return verdicts.stream()
        .filter(v -> v.getState() == SteadyState.DEVIATING)
        .findFirst()
        .orElse(null);
  }

  /** {@code faultline analyze} with the line README.txt gives, its JSON. */
  private static JsonNode analyzeAgain(Path saved, String engine) throws Exception {
    JsonNode json =
        SavedRunAnalysis.analyze(SavedRunAnalysis.printedArgs(saved, "--engine", engine), 0, 1);
    assertThat(json.get("sequential").get("datapoint").asText()).isEqualTo("5s");
    assertThat(json.get("sequential").get("horizon").asLong()).isEqualTo(720);
    assertThat(json.get("sequential").get("warm_up_datapoints").asInt()).isEqualTo(20);
    return json;
  }

  private static long at(Object o) {
    return o instanceof AttackEvent e ? e.getTimestamp() : ((MetricSample) o).getTimestamp();
  }

  private static AttackEvent event(String id, AttackEventType type, long at) {
    return AttackEvent.newBuilder()
        .setEventId(id)
        .setExperimentId("demo-saved")
        .setAttackId("cpu")
        .setType(type)
        .setFault("cpu-burn")
        .setTimestamp(at)
        .setTargets(List.of("scale-experimental"))
        .build();
  }

  private static MetricSample sample(Group g, long at, double value, boolean error) {
    return sample(g, at, value, error, LATENCY);
  }

  private static MetricSample sample(Group g, long at, double value, boolean error, String metric) {
    return MetricSample.newBuilder()
        .setExperimentId("demo-saved")
        .setMetric(metric)
        .setGroup(g)
        .setTarget(g == Group.CONTROL ? "scale-control" : "scale-experimental")
        .setTimestamp(at)
        .setValue(error ? 0 : value)
        .setError(error)
        .setUnit("ms")
        .build();
  }
}
