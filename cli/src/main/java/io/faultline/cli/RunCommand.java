package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.ExperimentFileException;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.PlanText;
import io.faultline.cli.experiment.StopConditionCheck;
import io.faultline.cli.report.Outcome;
import io.faultline.schema.Alert;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Durations;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code faultline run FILE}: validates an experiment file, publishes the Experiment and its attack
 * commands on schedule, follows the topics live, enforces the guards, and exits with what happened
 * to the hypothesis.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run an experiment file against a Kafka cluster: publish the experiment and its attacks on",
      "schedule, follow steadystate, attack.events, alerts and results live, enforce the guards.",
      "Ctrl-C halts the experiment's attacks (HALT_ALL) and waits until they are rolled back.",
      "Exit code: 0 hypothesis held, 1 not held, 2 error (also: invalid file, every error listed),",
      "3 aborted (guard, stop condition, analyzer auto-abort, Ctrl-C)."
    })
public final class RunCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Parameters(index = "0", paramLabel = "FILE", description = "The experiment file (YAML).")
  Path file;

  @Option(
      names = "--dry-run",
      description =
          "Check the file and print the plan and the commands; needs no broker, sends nothing.")
  boolean dryRun;

  @Option(
      names = "--ask-agents",
      description =
          "With --dry-run: publish the attacks as dry runs, so the agents report the targets they"
              + " would hit (needs the cluster); attack nothing.")
  boolean askAgents;

  @Option(names = "--experiment-id", description = "Experiment id (default: <name>-<random>).")
  String experimentId;

  @Option(
      names = "--data-dir",
      description =
          "Working directory for local components (groups.local.start) (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".faultline", "run");

  @Option(
      names = "--agent-timeout",
      description =
          "How long an attack may wait for an agent's answer (default: ${DEFAULT-VALUE}).")
  String agentTimeout = "30s";

  @Option(
      names = "--progress-every",
      description = "Progress line interval (default: ${DEFAULT-VALUE}).")
  String progressEvery = "3s";

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;

  private final long begin = System.currentTimeMillis();
  private final AtomicReference<String> abortReason = new AtomicReference<>();
  private final AtomicReference<Integer> abortCode = new AtomicReference<>();
  private final Map<String, AttackEventType> attackStates = new ConcurrentHashMap<>();
  private final Set<String> myCommands = ConcurrentHashMap.newKeySet();
  // A REJECTED event may carry no attack id, only the command's id.
  private final Map<String, String> commandAttack = new ConcurrentHashMap<>();
  private volatile Thread runner;
  private volatile String phase = "starting";
  private ExperimentDefinition definition;
  private ExperimentPlan plan;
  private Topics topics;
  private KafkaProducer<String, byte[]> producer;
  private CommandSender commands;
  private long createdAt;
  private Long startedAt;

  @Override
  public Integer call() {
    try {
      definition = ExperimentFileParser.read(file);
    } catch (ExperimentFileException e) {
      out.println("faultline run: " + e.getMessage());
      return Outcome.ERROR;
    }
    plan =
        new ExperimentPlan(
            definition,
            experimentId != null ? experimentId : ExperimentPlan.newExperimentId(definition));
    topics = new Topics(kafka.topicsPrefix, 3);
    PlanText.print(plan, topics.experiments().name(), out);
    if (dryRun && !askAgents) {
      for (int i = 0; i < definition.method().attacks().size(); i++) {
        out.println("  would send " + PlanText.command(plan.start(i, true)));
      }
      out.println();
      out.println(
          "DRY RUN: the file is valid; nothing was sent (--ask-agents has the agents report the"
              + " targets they would hit)");
      return Outcome.HELD;
    }
    runner = Thread.currentThread();
    // Only the real command line owns the process's signals (not a test runner's JVM).
    Object previous =
        Boolean.getBoolean("faultline.cli.main")
            ? installSignalHandlers()
            : new HashMap<String, Object>();
    LocalPlatform platform = null;
    ExperimentFollower follower = null;
    try {
      Map<String, Object> client = kafka.clientConfig();
      try (Admin admin = Admin.create(client)) {
        int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        TopicProvisioner.ensure(admin, topics, (short) Math.min(3, brokers));
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(
            "no Kafka broker answered at " + client.get("bootstrap.servers") + " within 30 s");
      } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
        // Where the CLI may not create topics, they must exist already: say so and go on.
        say(
            "could not check or create the topics ("
                + e.getMessage()
                + "); using them as they are");
      }
      producer =
          new KafkaProducer<>(
              producerConfig(client), new StringSerializer(), new ByteArraySerializer());
      commands =
          CommandSender.of(producer, topics, "faultline run " + definition.metadata().name());
      var local = definition.groups().local();
      if (local != null && local.start()) {
        say("starting the local platform (Scale x2, agent" + (dryRun ? "" : ", analyzer") + ")");
        platform = LocalPlatform.start(definition, client, topics, dataDir, !dryRun, this::say);
      }
      follower = new ExperimentFollower(client, topics, plan.experimentId(), this::onRecord);
      Thread t = new Thread(follower, "faultline-run-follower");
      t.setDaemon(true);
      t.start();
      return dryRun ? dryRun() : execute(platform, follower);
    } catch (InterruptedException e) {
      return finishAborted(follower);
    } catch (Exception e) {
      if (abortReason.get() != null) {
        return finishAborted(follower);
      }
      log.warn(
          "run failed", e); // the stack trace goes to the log file; the terminal gets the message
      out.println("faultline run: " + e.getMessage());
      if (startedAt != null) {
        haltAndWait(follower);
        publishExperiment(ExperimentState.FAILED);
      }
      return Outcome.ERROR;
    } finally {
      runner = null;
      restoreSignalHandlers(previous);
      if (follower != null) {
        follower.close();
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (platform != null) {
        platform.close();
      }
    }
  }

  private int execute(LocalPlatform platform, ExperimentFollower follower) throws Exception {
    var local = definition.groups().local();
    if (platform != null && !local.jvmWarmup().isZero()) {
      try (AutoCloseable warm = platform.startProbe(plan.experimentId() + "-jvm-warmup")) {
        waitPhase("JVM warm-up (not judged)", local.jvmWarmup(), follower);
      }
    }
    if (platform != null) {
      platform.startProbe(plan.experimentId());
    }
    createdAt = System.currentTimeMillis();
    startedAt = createdAt;
    publishExperiment(ExperimentState.RUNNING);
    say(
        "experiment "
            + plan.experimentId()
            + " RUNNING (planned "
            + Durations.format(definition.plannedDuration())
            + ")");
    List<StopConditionCheck> stops = new ArrayList<>();
    definition.guards().stopConditions().forEach(c -> stops.add(StopConditionCheck.of(c)));
    ScheduledExecutorService guard =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread g = new Thread(r, "faultline-run-guards");
              g.setDaemon(true);
              return g;
            });
    try {
      if (!stops.isEmpty()) {
        long every = definition.guards().checkInterval().toMillis();
        guard.scheduleWithFixedDelay(
            () -> {
              for (StopConditionCheck s : stops) {
                s.check().ifPresent(why -> abort("stop condition: " + why, Outcome.ABORTED));
              }
            },
            0,
            every,
            TimeUnit.MILLISECONDS);
      }
      long t0 = startedAt + definition.steadyState().warmup().toMillis();
      waitUntil("steady-state warm-up", t0, follower);
      List<AttackSpec> attacks = definition.method().attacks();
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < attacks.size(); i++) {
        order.add(i);
      }
      order.sort((a, b) -> attacks.get(a).start().compareTo(attacks.get(b).start()));
      Map<Integer, Long> sentAt = new HashMap<>();
      for (int i : order) {
        AttackSpec a = attacks.get(i);
        waitUntil(phaseBefore(i), t0 + a.start().toMillis(), follower);
        AttackCommand start = plan.start(i, false);
        send(start);
        sentAt.put(i, System.currentTimeMillis());
        phase = "attack " + a.name();
        say("START " + a.fault() + " (" + a.name() + ") for " + Durations.format(a.duration()));
      }
      long lastEnd = t0 + attacks.stream().mapToLong(a -> a.end().toMillis()).max().orElse(0);
      waitUntil("attacks", lastEnd, follower);
      waitUntil("recovery", lastEnd + definition.recovery().observe().toMillis(), follower);
      ExperimentResult result = awaitFinalResult(follower);
      checkAbort();
      Outcome outcome =
          Outcome.of(
              result,
              plan.experiment(ExperimentState.RUNNING, 0, null, null).getHypotheses(),
              null);
      publishExperiment(
          outcome.exitCode() == Outcome.ABORTED
              ? ExperimentState.ABORTED
              : ExperimentState.COMPLETED);
      printVerdict(result, outcome);
      return outcome.exitCode();
    } finally {
      guard.shutdownNow();
    }
  }

  private String phaseBefore(int index) {
    return index == 0 ? "steady-state warm-up" : phase;
  }

  /** The analyzer's result once every started attack has ended and recovered (or not), bounded. */
  private ExperimentResult awaitFinalResult(ExperimentFollower follower)
      throws InterruptedException {
    long windows = definition.steadyState().window().toMillis();
    long deadline = System.currentTimeMillis() + Math.max(30_000, 4 * windows);
    phase = "final verdict";
    long started =
        attackStates.values().stream().filter(s -> s != AttackEventType.REJECTED).count();
    long nextProgress = 0;
    while (System.currentTimeMillis() < deadline) {
      checkAbort();
      ExperimentResult r = follower.latestResult();
      if (r != null
          && r.getAttacks().size() >= started
          && r.getAttacks().stream()
              .allMatch(
                  a ->
                      a.getEndedAt() != null && (a.getMttdMs() == null || a.getMttrMs() != null))) {
        return r;
      }
      if (System.currentTimeMillis() >= nextProgress) {
        progress(follower);
        nextProgress =
            System.currentTimeMillis()
                + Durations.parse("--progress-every", progressEvery).toMillis();
      }
      Thread.sleep(200);
    }
    return follower.latestResult();
  }

  private void waitPhase(String name, Duration length, ExperimentFollower follower)
      throws InterruptedException {
    waitUntil(name, System.currentTimeMillis() + length.toMillis(), follower);
  }

  /** Sleeps until {@code until}, printing progress and checking guards; throws when aborted. */
  private void waitUntil(String name, long until, ExperimentFollower follower)
      throws InterruptedException {
    if (!name.equals(phase)) {
      phase = name;
    }
    long every = Durations.parse("--progress-every", progressEvery).toMillis();
    long nextProgress = System.currentTimeMillis() + every;
    long maxEnd =
        startedAt == null
            ? Long.MAX_VALUE
            : startedAt + definition.guards().maxDuration().toMillis();
    while (System.currentTimeMillis() < until) {
      checkAbort();
      if (System.currentTimeMillis() > maxEnd) {
        abort(
            "guards.maxDuration "
                + Durations.format(definition.guards().maxDuration())
                + " reached",
            Outcome.ABORTED);
        checkAbort();
      }
      Thread.sleep(Math.max(1, Math.min(200, until - System.currentTimeMillis())));
      if (System.currentTimeMillis() >= nextProgress) {
        progress(follower);
        nextProgress += every;
      }
    }
  }

  private void checkAbort() throws InterruptedException {
    if (abortReason.get() != null) {
      throw new InterruptedException(abortReason.get());
    }
  }

  /** Asks the run to stop: from a guard, a listener or a signal. The first reason wins. */
  void abort(String reason, int code) {
    if (abortReason.compareAndSet(null, reason)) {
      abortCode.set(code);
      Thread t = runner;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private int finishAborted(ExperimentFollower follower) {
    Thread.interrupted();
    String reason = abortReason.get() == null ? "interrupted" : abortReason.get();
    int code = abortCode.get() == null ? Outcome.ABORTED : abortCode.get();
    out.println();
    say("ABORTING: " + reason);
    if (startedAt != null || dryRun) {
      haltAndWait(follower);
      if (startedAt != null) {
        publishExperiment(ExperimentState.ABORTED);
      }
    }
    Outcome outcome =
        code == Outcome.ABORTED
            ? Outcome.of(null, List.of(), reason)
            : new Outcome(code, "ERROR", reason);
    out.println("VERDICT: " + outcome.headline() + " - " + outcome.why());
    out.println("report: faultline report " + plan.experimentId() + " --html report.html");
    return outcome.exitCode();
  }

  /** Publishes HALT_ALL and waits (up to 30 s) until every started attack is rolled back. */
  private void haltAndWait(ExperimentFollower follower) {
    try {
      AttackCommand halt = plan.haltAll();
      send(halt);
      say("HALT_ALL sent for " + plan.experimentId());
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline && !activeAttacks().isEmpty()) {
        Thread.sleep(100);
      }
      List<String> left = activeAttacks();
      say(
          left.isEmpty()
              ? "every attack rolled back"
              : "NOT confirmed rolled back within 30 s: " + left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      out.println("faultline run: could not halt: " + e.getMessage());
    }
  }

  private List<String> activeAttacks() {
    List<String> active = new ArrayList<>();
    attackStates.forEach(
        (id, s) -> {
          if (s == AttackEventType.STARTED || s == AttackEventType.ACCEPTED) {
            active.add(id);
          }
        });
    return active;
  }

  private int dryRun() throws InterruptedException {
    phase = "dry run";
    Duration timeout = Durations.parse("--agent-timeout", agentTimeout);
    Map<String, String> commandToAttack = new HashMap<>();
    for (int i = 0; i < definition.method().attacks().size(); i++) {
      AttackCommand c = plan.start(i, true);
      commandToAttack.put(c.getCommandId(), c.getAttackId());
      send(c);
    }
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline
        && !attackStates.keySet().containsAll(commandToAttack.values())) {
      checkAbort();
      Thread.sleep(100);
    }
    boolean rejected = attackStates.values().stream().anyMatch(s -> s == AttackEventType.REJECTED);
    boolean missing = !attackStates.keySet().containsAll(commandToAttack.values());
    out.println();
    if (missing) {
      out.println(
          "DRY RUN: no agent answered within "
              + Durations.format(timeout)
              + " for some attacks (is one running on this cluster?)");
      return Outcome.ERROR;
    }
    out.println(
        rejected
            ? "DRY RUN: some attacks would be REJECTED (see above)"
            : "DRY RUN: every attack was accepted; nothing was touched");
    return rejected ? Outcome.NOT_HELD : Outcome.HELD;
  }

  private void onRecord(Object record) {
    if (record instanceof AttackEvent e) {
      String attack =
          e.getAttackId() != null
              ? e.getAttackId()
              : e.getCommandId() == null ? "" : commandAttack.getOrDefault(e.getCommandId(), "");
      if (e.getType() != AttackEventType.UNKNOWN && !attack.isEmpty()) {
        attackStates.put(attack, e.getType());
      }
      String detail =
          (e.getTargets().isEmpty() ? "" : " on " + String.join(", ", e.getTargets()))
              + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
      say(
          (dryRun && e.getType() == AttackEventType.ACCEPTED ? "would hit: " : "attack ")
              + e.getFault()
              + " "
              + e.getType()
              + detail
              + (e.getAgentId().isEmpty() ? "" : " [agent " + e.getAgentId() + "]"));
      if (!dryRun
          && (e.getType() == AttackEventType.REJECTED || e.getType() == AttackEventType.FAILED)) {
        abort(
            "attack "
                + attack
                + " was "
                + e.getType()
                + (e.getReason() == null ? "" : ": " + e.getReason()),
            Outcome.ERROR);
      }
    } else if (record instanceof Alert a) {
      say("alert " + a.getStatus() + " " + a.getMetric() + ": " + a.getReason());
    } else if (record instanceof WindowVerdict v) {
      for (MetricSpec m : definition.steadyState().metrics()) {
        if (m.name().equals(v.getMetric())
            && m.abortThreshold() != null
            && v.getState() == SteadyState.DEVIATING
            && Math.abs(v.getEffect()) > m.abortThreshold()) {
          abort(
              String.format(
                  Locale.ROOT,
                  "%s effect %.2f beyond its abortThreshold %.2f",
                  m.name(),
                  v.getEffect(),
                  m.abortThreshold()),
              Outcome.ABORTED);
        }
      }
    } else if (record instanceof AttackCommand c) {
      if (!myCommands.contains(c.getCommandId()) && startedAt != null) {
        abort(
            "HALT_ALL from " + (c.getIssuedBy().isBlank() ? "another client" : c.getIssuedBy()),
            Outcome.ABORTED);
      }
    } else if (record instanceof ExperimentResult r && r.getAborted()) {
      abort(
          "analyzer: " + (r.getAbortReason() == null ? "auto-abort" : r.getAbortReason()),
          Outcome.ABORTED);
    }
  }

  private void send(AttackCommand command) {
    myCommands.add(command.getCommandId());
    if (command.getAttackId() != null) {
      commandAttack.put(command.getCommandId(), command.getAttackId());
    }
    commands.send(command);
  }

  private void publishExperiment(ExperimentState state) {
    boolean ended = state != ExperimentState.RUNNING && state != ExperimentState.PENDING;
    Experiment e =
        plan.experiment(state, createdAt, startedAt, ended ? System.currentTimeMillis() : null);
    try {
      sendRecord(
          topics.experiments().name(),
          plan.experimentId(),
          AvroSerde.of(Experiment.class).encode(e));
    } catch (RuntimeException ex) {
      out.println(
          "faultline run: could not publish the experiment's state "
              + state
              + ": "
              + ex.getMessage());
    }
  }

  private void sendRecord(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish to " + topic + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> producerConfig(Map<String, Object> client) {
    Map<String, Object> conf = new HashMap<>(client);
    conf.put("acks", "all");
    conf.put("enable.idempotence", "true");
    // HALT_ALL on Ctrl-C and the auto-abort must fail in bounded time when Kafka is away
    conf.putIfAbsent("max.block.ms", "10000");
    conf.putIfAbsent("delivery.timeout.ms", "40000");
    return conf;
  }

  /** The phase at a moment of the plan: which attacks run, or warm-up / between / recovery. */
  private String phaseAt(long now) {
    if (startedAt == null) {
      return phase;
    }
    long t0 = startedAt + definition.steadyState().warmup().toMillis();
    if (now < t0) {
      return "steady-state warm-up";
    }
    List<String> running = new ArrayList<>();
    long lastEnd = t0;
    for (AttackSpec a : definition.method().attacks()) {
      if (now >= t0 + a.start().toMillis() && now < t0 + a.end().toMillis()) {
        running.add(a.name());
      }
      lastEnd = Math.max(lastEnd, t0 + a.end().toMillis());
    }
    if (!running.isEmpty()) {
      return "attack " + String.join("+", running);
    }
    if (now < lastEnd) {
      return "between attacks";
    }
    return now < lastEnd + definition.recovery().observe().toMillis() ? "recovery" : phase;
  }

  private void progress(ExperimentFollower follower) {
    long total = definition.plannedDuration().toSeconds();
    long elapsed = startedAt == null ? 0 : (System.currentTimeMillis() - startedAt) / 1000;
    int width = 20;
    int filled = total == 0 ? width : (int) Math.min(width, elapsed * width / total);
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            Locale.ROOT,
            "[%4ds] %-22s [%s%s] %3d/%ds",
            elapsed(),
            phaseAt(System.currentTimeMillis()),
            "#".repeat(filled),
            ".".repeat(width - filled),
            elapsed,
            total));
    Map<String, WindowVerdict> verdicts = follower.latestVerdicts();
    for (MetricSpec m : definition.steadyState().metrics()) {
      WindowVerdict v = verdicts.get(m.name());
      if (v == null) {
        line.append(" | ").append(m.name()).append(" -");
      } else {
        line.append(
            String.format(
                Locale.ROOT,
                " | %s C %s E %s %s",
                m.name(),
                figure(v.getControl().getMean()),
                figure(v.getExperimental().getMean()),
                v.getState() == SteadyState.INSUFFICIENT_DATA ? "no-data" : v.getState().name()));
      }
    }
    out.println(line);
  }

  private static String figure(double v) {
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private void printVerdict(ExperimentResult r, Outcome outcome) {
    out.println();
    if (r != null) {
      for (MetricJudgement m : r.getMetrics()) {
        out.printf(
            Locale.ROOT,
            "  %-20s %-9s %-8s %d/%d windows deviating%n",
            m.getMetric(),
            m.getClassification() == io.faultline.schema.Classification.UNKNOWN
                ? "n/a"
                : m.getClassification().name(),
            m.getState().name(),
            m.getDeviatingWindows(),
            m.getWindows());
      }
      for (var a : r.getAttacks()) {
        out.printf(
            Locale.ROOT,
            "  attack %-14s MTTD %s, MTTR %s%s%n",
            a.getFault(),
            secs(a.getMttdMs()),
            secs(a.getMttrMs()),
            a.getDeviatingMetrics().isEmpty()
                ? ""
                : " (" + String.join(", ", a.getDeviatingMetrics()) + ")");
      }
      out.printf(
          Locale.ROOT,
          "  score %s, MTTD %s, MTTR %s, %d windows judged%n",
          r.getScore() == null ? "n/a" : String.format(Locale.ROOT, "%.0f", r.getScore()),
          secs(r.getMttdMs()),
          secs(r.getMttrMs()),
          r.getWindowsJudged());
    }
    out.println(
        "VERDICT: "
            + outcome.headline()
            + " - "
            + outcome.why()
            + " (exit "
            + outcome.exitCode()
            + ")");
    out.println("report: faultline report " + plan.experimentId() + " --html report.html");
  }

  private static String secs(Long ms) {
    return ms == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private long elapsed() {
    return (System.currentTimeMillis() - begin) / 1000;
  }

  private void say(String message) {
    out.printf(Locale.ROOT, "[%4ds] %s%n", elapsed(), message);
    log.info(message);
  }

  // Ctrl-C and SIGTERM: stop the run through abort() so the attacks are halted before exiting.
  @SuppressWarnings("restriction")
  private Object installSignalHandlers() {
    Map<String, Object> previous = new HashMap<>();
    for (String name : List.of("INT", "TERM")) {
      try {
        previous.put(
            name,
            sun.misc.Signal.handle(
                new sun.misc.Signal(name),
                s -> abort("interrupted by SIG" + name, Outcome.ABORTED)));
      } catch (RuntimeException | LinkageError e) {
        log.debug("no {} handler: {}", name, e.toString());
      }
    }
    return previous;
  }

  @SuppressWarnings({"restriction", "unchecked"})
  private static void restoreSignalHandlers(Object previous) {
    ((Map<String, Object>) previous)
        .forEach(
            (name, handler) -> {
              try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), (sun.misc.SignalHandler) handler);
              } catch (RuntimeException | LinkageError e) {
                log.debug("cannot restore {}: {}", name, e.toString());
              }
            });
  }
}
