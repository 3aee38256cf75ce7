package io.faultline.cli;

import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.cli.experiment.DemoExperiment;
import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.Alert;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Durations;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.SteadyState;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code faultline demo}: embedded Kafka, Scale as control + experimental, agent, collector and
 * analyzer in one command, running the built-in experiment {@code examples/local-demo.yaml} (steady
 * state, CPU attack, recovery, kill, recovery: its hypotheses, attacks and parameters; the options
 * override its phase lengths, rate and CPUs) and printing the verdict.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run a real experiment on this machine: an embedded Kafka, Scale as a control",
      "and an experimental instance, the attack agent, the collector and the analyzer.",
      "Attacks: a CPU burn, then a kill of the experimental instance.",
      "Prints the verdict with MTTD and MTTR.",
      "Exit code: 0 when the experiment ran and produced a verdict, 2 on error."
    })
public final class DemoCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  @Option(
      names = "--data-dir",
      description = "Where the broker's data, targets and logs go (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".faultline", "demo");

  /** The experiment the demo runs; the options below default to its values. */
  private final ExperimentDefinition demo = DemoExperiment.definition();

  @Option(
      names = "--steady",
      description = "Steady-state phase before the first attack (default: the file's warmup, 30s).")
  String steady = Durations.format(demo.steadyState().warmup());

  @Option(
      names = "--cpu-attack",
      description = "Length of the CPU attack (default: the file's, 30s).")
  String cpuAttack = Durations.format(demo.method().attacks().get(0).duration());

  @Option(
      names = "--recovery",
      description = "Observation after each attack (default: the file's gap between them, 30s).")
  String recovery =
      Durations.format(
          demo.method().attacks().get(1).start().minus(demo.method().attacks().get(0).end()));

  @Option(
      names = "--jvm-warmup",
      description =
          "Traffic before the experiment, not judged, so no JVM is cold (default: the file's, 15s).")
  String jvmWarmup = Durations.format(demo.groups().local().jvmWarmup());

  @Option(
      names = "--rps",
      description = "Requests per second sent to each group (default: the file's, 20).")
  int rps = demo.groups().local().rps();

  @Option(names = "--window", description = "Analysis window (default: the file's, 5s).")
  String window = Durations.format(demo.steadyState().window());

  @Option(
      names = "--control-cpus",
      description =
          "CPUs the control instance is pinned to (default: the file's, 0; none = unpinned).")
  String controlCpus = demo.groups().local().controlCpus();

  @Option(
      names = "--experimental-cpus",
      description =
          "CPUs the experimental instance is pinned to (default: the file's, 1; none = unpinned).")
  String experimentalCpus = demo.groups().local().experimentalCpus();

  @Option(
      names = "--broker-only",
      description = "Only start the embedded broker and print its address; Ctrl-C stops it.")
  boolean brokerOnly;

  /** Where progress and the verdict go; tests replace it. */
  PrintStream out = System.out;

  private final long begin = System.currentTimeMillis();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private volatile String phase = "starting";

  @Override
  public Integer call() throws Exception {
    Duration steadyFor = Durations.parse("--steady", steady);
    Duration cpuFor = Durations.parse("--cpu-attack", cpuAttack);
    Duration recoveryFor = Durations.parse("--recovery", recovery);
    Thread cleanup = new Thread(this::stopAll, "faultline-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      return runDemo(steadyFor, cpuFor, recoveryFor);
    } catch (RuntimeException e) {
      log.error("demo failed", e);
      out.println();
      out.println("faultline demo failed: " + e.getMessage());
      out.println("The full log is in " + System.getProperty("faultline.log.file"));
      return 2;
    } finally {
      stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException alreadyShuttingDown) {
        // Ctrl-C: the hook is running stopAll() itself
      }
    }
  }

  private int runDemo(Duration steadyFor, Duration cpuFor, Duration recoveryFor) throws Exception {
    say("faultline demo: data in " + dataDir.toAbsolutePath());
    Files.createDirectories(dataDir);
    // A fresh broker each run, so the analyzer's local state of an earlier run must go too.
    deleteRecursively(dataDir.resolve("analyzer-state"));
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), true);
    started.push(kafka);
    String bootstrap = kafka.bootstrapServers();
    say("Kafka broker (KRaft, in-process) at " + bootstrap);
    if (brokerOnly) {
      say("broker only: Ctrl-C to stop");
      Thread.currentThread().join();
    }
    Topics topics = Topics.defaults();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    String experimentId = "demo-" + UUID.randomUUID().toString().substring(0, 8);
    say("experiment " + experimentId);

    DemoTargets targets =
        DemoTargets.start(dataDir.resolve("targets"), controlCpus, experimentalCpus, this::say);
    started.push(targets);

    AnalyzerConfig analyzerConfig =
        AnalyzerConfig.fromMap(
            Map.of(
                "bootstrap.servers", bootstrap,
                "analyzer.window", window,
                "analyzer.state.dir", dataDir.resolve("analyzer-state").toString()));
    KafkaStreams analyzer = AnalyzerApp.start(analyzerConfig);
    started.push(() -> analyzer.close(Duration.ofSeconds(10)));

    AutoCloseable agent = DemoTargets.startAgent(bootstrap, dataDir.resolve("targets"));
    started.push(agent);

    // Fresh JVMs (Scale, and this one) get faster for a while as their code is compiled; traffic
    // under another experiment id warms them up so the baseline is not learned on cold code.
    Duration warmFor = Durations.parse("--jvm-warmup", jvmWarmup);
    if (!warmFor.isZero()) {
      try (DemoTargets.Probe warm =
          targets.startProbe(bootstrap, experimentId + "-jvm-warmup", rps)) {
        phase("JVM warm-up (not judged)", warmFor, warm, null);
      }
    }
    CommandPublisher commands = new CommandPublisher(bootstrap, topics, experimentId);
    started.push(commands);
    // the file's steady-state hypothesis, before any sample (latency may rise 25%, errors 2 points)
    long now = System.currentTimeMillis();
    Experiment declared =
        new ExperimentPlan(demo, experimentId).experiment(ExperimentState.RUNNING, now, now, null);
    declared.setWindowMs(Durations.parse("--window", window).toMillis());
    declared.setWarmupMs(steadyFor.toMillis());
    commands.experiment(declared);
    DemoTargets.Probe probe = targets.startProbe(bootstrap, experimentId, rps);
    started.push(probe);

    ExperimentFollower follower =
        new ExperimentFollower(bootstrap, topics, experimentId, this::onEvent);
    Thread followerThread = new Thread(follower, "faultline-demo-follower");
    followerThread.setDaemon(true);
    followerThread.start();
    started.push(follower);

    say("all components up in " + (System.currentTimeMillis() - begin) / 1000 + " s");
    phase("steady state", steadyFor, probe, follower);
    AttackSpec cpu = demo.method().attacks().get(0);
    commands.start(cpu.fault(), cpu.selector().names(), cpuFor, cpu.parameters());
    phase("CPU attack", cpuFor, probe, follower);
    phase("recovery", recoveryFor, probe, follower);
    AttackSpec shutdown = demo.method().attacks().get(1);
    commands.start(
        shutdown.fault(), shutdown.selector().names(), shutdown.duration(), shutdown.parameters());
    phase("shutdown attack + recovery", recoveryFor.plusSeconds(5), probe, follower);

    ExperimentResult result = awaitFinalResult(follower, probe, Duration.ofSeconds(30));
    printVerdict(result);
    return result == null ? 2 : 0;
  }

  /** Waits until every attack has ended and either recovered or shown no deviation. */
  private ExperimentResult awaitFinalResult(
      ExperimentFollower follower, DemoTargets.Probe probe, Duration limit)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    phase = "waiting for the final verdict";
    while (System.currentTimeMillis() < deadline) {
      ExperimentResult r = follower.latestResult();
      if (r != null
          && r.getAttacks().size() >= 2
          && r.getAttacks().stream()
              .allMatch(
                  a ->
                      a.getEndedAt() != null && (a.getMttdMs() == null || a.getMttrMs() != null))) {
        return r;
      }
      progress(probe, follower);
      Thread.sleep(2000);
    }
    return follower.latestResult();
  }

  private void phase(
      String name, Duration length, DemoTargets.Probe probe, ExperimentFollower follower)
      throws InterruptedException {
    phase = name;
    say("== " + name + " (" + Durations.format(length) + ")");
    long end = System.currentTimeMillis() + length.toMillis();
    while (System.currentTimeMillis() < end) {
      Thread.sleep(Math.min(3000, Math.max(1, end - System.currentTimeMillis())));
      progress(probe, follower);
    }
  }

  private void progress(DemoTargets.Probe probe, ExperimentFollower follower) {
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "[%4ds] %-26s ", elapsed(), phase));
    line.append(probe.summary());
    var verdicts = follower == null ? Map.<String, WindowVerdict>of() : follower.latestVerdicts();
    for (var shown :
        List.of(Map.entry("http.latency.ms", "latency"), Map.entry("http.error", "errors"))) {
      WindowVerdict v = verdicts.get(shown.getKey());
      if (v != null) {
        line.append(" | ")
            .append(shown.getValue())
            .append(' ')
            .append(
                v.getState() == SteadyState.INSUFFICIENT_DATA
                    ? "insufficient data"
                    : v.getState().name());
      }
    }
    out.println(line.toString().stripTrailing());
  }

  private void onEvent(Object event) {
    if (event instanceof AttackEvent e) {
      String detail =
          e.getReason() != null
              ? " (" + e.getReason() + ")"
              : e.getTargets().isEmpty() ? "" : " on " + String.join(", ", e.getTargets());
      say("attack " + e.getFault() + " " + e.getType() + detail);
    } else if (event instanceof Alert a) {
      say("alert " + a.getStatus() + ": " + a.getReason());
    }
  }

  private void printVerdict(ExperimentResult r) {
    out.println();
    if (r == null) {
      out.println("VERDICT: none - the analyzer produced no result (see the log)");
      return;
    }
    for (AttackOutcome a : r.getAttacks()) {
      out.printf(
          Locale.ROOT,
          "  %-13s started +%ds  %s%n",
          a.getFault(),
          (a.getStartedAt() - begin) / 1000,
          a.getMttdMs() == null
              ? "no deviation detected"
              : String.format(
                  Locale.ROOT,
                  "deviated (%s); MTTD %.1f s; MTTR %s",
                  String.join(", ", a.getDeviatingMetrics()),
                  a.getMttdMs() / 1000.0,
                  a.getMttrMs() == null
                      ? "not recovered"
                      : String.format(Locale.ROOT, "%.1f s", a.getMttrMs() / 1000.0)));
    }
    String verdict =
        r.getVerdict() == Verdict.DEVIATED
            ? "the experimental group DEVIATED from its steady state during the attacks"
            : r.getVerdict() == Verdict.STEADY
                ? "the experimental group stayed in its steady state (hypothesis held)"
                : "inconclusive";
    out.printf(
        Locale.ROOT,
        "VERDICT: %s; MTTD %s, MTTR %s (%d windows judged, demo wall time %d s)%n",
        verdict,
        seconds(r.getMttdMs()),
        seconds(r.getMttrMs()),
        r.getWindowsJudged(),
        elapsed());
  }

  private static String seconds(Long ms) {
    return ms == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private long elapsed() {
    return (System.currentTimeMillis() - begin) / 1000;
  }

  private void say(String message) {
    out.printf(Locale.ROOT, "[%4ds] %s%n", elapsed(), message);
    log.info(message);
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private synchronized void stopAll() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", c, e.toString());
      }
    }
  }
}
