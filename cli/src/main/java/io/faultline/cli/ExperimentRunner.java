package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.StopConditionCheck;
import io.faultline.cli.report.Outcome;
import io.faultline.schema.Alert;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Durations;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one experiment definition against a platform, for {@code run} and {@code demo} alike:
 * publishes the Experiment, sends each attack's START at its time, checks the guards and stop
 * conditions, follows the events and results, halts everything (HALT_ALL) on an abort or Ctrl-C,
 * and ends with the outcome. The clock, the sinks, the feed and the view are injected, so the
 * schedule and the aborts are tested without a broker.
 *
 * <p>Every wait is a loop on the run's own thread: stop conditions are checked there every {@code
 * guards.checkInterval}, so a slow check (at most its own 5 s timeout) delays the loop, never skips
 * it. Aborts from other threads (event listener, signal handler) set the reason and interrupt that
 * thread.
 */
final class ExperimentRunner {

  /** Starts traffic to both groups under an experiment id, until closed. */
  interface Traffic {
    /**
     * @param settling where each response's latency goes too, or null
     */
    AutoCloseable start(String experimentId, JvmSettling settling);
  }

  /**
   * A batch job the attacks are timed against (a pipeline's runs, docs/adr/0040): it starts when
   * the steady-state warm-up ends, and the method's clock starts once the job has made the progress
   * it waits for, so that an attack lands mid-run however fast the machine runs the job.
   */
  interface BatchRuns {
    /** Starts the runs. */
    void begin();

    /**
     * Where the runs stand once they have made that progress (said with the first START), empty
     * before; throws when they can no longer make it (a group's process ended).
     */
    Optional<String> progressReached();
  }

  private static final Logger log = LoggerFactory.getLogger(ExperimentRunner.class);
  private static final long HALT_WAIT_MS = 30_000;

  private final ExperimentDefinition definition;
  private final ExperimentPlan plan;
  private final RunClock clock;
  private final RunSinks sinks;
  private final RunView view;
  private final List<StopConditionCheck> stops;
  private final long progressEveryMs;
  private final AtomicReference<String> abortReason = new AtomicReference<>();
  private final AtomicReference<Integer> abortCode = new AtomicReference<>();
  private final Map<String, AttackEventType> attackStates = new ConcurrentHashMap<>();
  private final Set<String> myCommands = ConcurrentHashMap.newKeySet();
  // A REJECTED event may carry no attack id, only the command's id.
  private final Map<String, String> commandAttack = new ConcurrentHashMap<>();
  // The thread an abort interrupts: the one that built the runner, then the one running it.
  private volatile Thread runner = Thread.currentThread();
  private volatile boolean dryRun;
  private ExperimentFeed feed;
  private volatile ExperimentResult finalResult;
  // the latest state of each of the experiment's alerts, for the demo's history
  private final Map<String, Alert> alerts = new java.util.concurrent.ConcurrentSkipListMap<>();
  private String phase = "starting";
  // waiting for a batch job's progress: time that is not in the plan
  private volatile boolean awaitingRuns;
  private long createdAt;
  private Long startedAt;
  // when the method's clock started: the warm-up's end, or a batch job's progress after it
  private volatile Long methodStart;
  private long nextStopCheck;

  ExperimentRunner(
      ExperimentDefinition definition,
      ExperimentPlan plan,
      RunClock clock,
      RunSinks sinks,
      RunView view,
      List<StopConditionCheck> stops,
      Duration progressEvery) {
    this.definition = definition;
    this.plan = plan;
    this.clock = clock;
    this.sinks = sinks;
    this.view = view;
    this.stops = List.copyOf(stops);
    this.progressEveryMs = Math.max(1, progressEvery.toMillis());
  }

  /** The stop conditions of the file, as the CLI checks them. */
  static List<StopConditionCheck> stopChecks(ExperimentDefinition definition) {
    List<StopConditionCheck> stops = new ArrayList<>();
    definition.guards().stopConditions().forEach(c -> stops.add(StopConditionCheck.of(c)));
    return stops;
  }

  /**
   * Runs the experiment on the calling thread and returns {@code faultline run}'s exit code.
   *
   * @param traffic the local platform's probe, or null when the groups get their traffic elsewhere
   */
  int run(ExperimentFeed feed, Traffic traffic) {
    return run(feed, traffic, null);
  }

  /**
   * As {@link #run(ExperimentFeed, Traffic)}, the attacks timed from {@code batch}'s progress.
   *
   * @param batch a batch job started when the warm-up ends, or null
   */
  int run(ExperimentFeed feed, Traffic traffic, BatchRuns batch) {
    this.feed = feed;
    runner = Thread.currentThread();
    try {
      return execute(traffic, batch);
    } catch (InterruptedException e) {
      return finishAborted();
    } catch (RuntimeException e) {
      return failed(e);
    } finally {
      runner = null;
    }
  }

  /**
   * Sends every attack as a dry run and waits for the agents' answers: 0 all accepted, 1 some
   * rejected, 2 no answer within {@code agentTimeout}.
   */
  int dryRun(ExperimentFeed feed, Duration agentTimeout) {
    this.feed = feed;
    dryRun = true;
    runner = Thread.currentThread();
    phase = "dry run";
    try {
      Map<String, String> commandToAttack = new HashMap<>();
      for (int i = 0; i < definition.method().attacks().size(); i++) {
        AttackCommand c = plan.start(i, true);
        commandToAttack.put(c.getCommandId(), c.getAttackId());
        send(c);
      }
      long deadline = clock.now() + agentTimeout.toMillis();
      while (clock.now() < deadline
          && !attackStates.keySet().containsAll(commandToAttack.values())) {
        checkAbort();
        clock.sleep(100);
      }
      boolean rejected =
          attackStates.values().stream().anyMatch(s -> s == AttackEventType.REJECTED);
      boolean missing = !attackStates.keySet().containsAll(commandToAttack.values());
      view.line("");
      if (missing) {
        view.line(
            "DRY RUN: no agent answered within "
                + Durations.format(agentTimeout)
                + " for some attacks (is one running on this cluster?)");
        return Outcome.ERROR;
      }
      view.line(
          rejected
              ? "DRY RUN: some attacks would be REJECTED (see above)"
              : "DRY RUN: every attack was accepted; nothing was touched");
      return rejected ? Outcome.NOT_HELD : Outcome.HELD;
    } catch (InterruptedException e) {
      return finishAborted();
    } catch (RuntimeException e) {
      view.line("faultline run: " + e.getMessage());
      return Outcome.ERROR;
    } finally {
      runner = null;
    }
  }

  /**
   * The exit code when the run, or the platform's start-up before it, failed with {@code e}: an
   * abort's when one was asked for (the failure is its consequence), else an error, halting what
   * was started.
   */
  int failed(Exception e) {
    if (e instanceof InterruptedException || abortReason.get() != null) {
      return finishAborted();
    }
    log.warn("run failed", e); // the stack trace goes to the log; the terminal gets the message
    view.line("faultline run: " + e.getMessage());
    if (startedAt != null) {
      haltAndWait();
      publishExperiment(ExperimentState.FAILED);
    }
    return Outcome.ERROR;
  }

  private int execute(Traffic traffic, BatchRuns batch) throws InterruptedException {
    var local = definition.groups().local();
    if (traffic != null && local != null && !local.jvmWarmup().isZero()) {
      JvmSettling settling =
          local.jvmSettle().isZero() ? null : new JvmSettling(JvmSettling.Rule.DEMO);
      try (AutoCloseable warm = traffic.start(plan.experimentId() + "-jvm-warmup", settling)) {
        if (settling == null) {
          waitUntil("JVM warm-up (not judged)", clock.now() + local.jvmWarmup().toMillis());
        } else {
          warmUntilSettled(settling, local.jvmWarmup(), local.jvmSettle());
        }
      } catch (InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        log.warn("cannot stop the warm-up traffic: {}", e.toString());
      }
    }
    if (traffic != null) {
      traffic.start(plan.experimentId(), null); // stopped with the platform
    }
    createdAt = clock.now();
    startedAt = createdAt;
    nextStopCheck = createdAt;
    publishExperiment(ExperimentState.RUNNING);
    view.say(
        "experiment "
            + plan.experimentId()
            + " RUNNING (planned "
            + Durations.format(definition.plannedDuration())
            + ")");
    long t0 = startedAt + definition.steadyState().warmup().toMillis();
    waitUntil("steady-state warm-up", t0);
    String batchProgress = null;
    if (batch != null) {
      batch.begin();
      view.say("runs started: the attacks wait for their progress");
      batchProgress = waitForProgress(batch);
      t0 = clock.now();
    }
    methodStart = t0;
    List<AttackSpec> attacks = definition.method().attacks();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < attacks.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> attacks.get(a).start().compareTo(attacks.get(b).start()));
    for (int i : order) {
      AttackSpec a = attacks.get(i);
      waitUntil(phase, t0 + a.start().toMillis());
      send(plan.start(i, false));
      phase = "attack " + a.name();
      view.say(
          "START "
              + a.fault()
              + " ("
              + a.name()
              + ") for "
              + Durations.format(a.duration())
              + (batchProgress == null
                  ? ""
                  : a.start().isZero()
                      ? ", with " + batchProgress
                      : ", " + Durations.format(a.start()) + " after " + batchProgress));
    }
    long lastEnd = t0 + attacks.stream().mapToLong(a -> a.end().toMillis()).max().orElse(0);
    waitUntil("attacks", lastEnd);
    waitUntil("recovery", lastEnd + definition.recovery().observe().toMillis());
    ExperimentResult result = awaitFinalResult();
    finalResult = result;
    checkAbort();
    Outcome outcome =
        Outcome.of(
            result,
            plan.experiment(ExperimentState.RUNNING, 0, null, null).getHypotheses(),
            null,
            definition.steadyState().window().toMillis());
    publishExperiment(
        outcome.exitCode() == Outcome.ABORTED
            ? ExperimentState.ABORTED
            : ExperimentState.COMPLETED);
    if (result == null) {
      view.say(
          "no result from the analyzer within "
              + Durations.format(Duration.ofMillis(resultWaitMs()))
              + " after the recovery phase: is the analyzer running on this cluster and reading"
              + " the experiments topic?");
    }
    view.verdict(result, outcome);
    return outcome.exitCode();
  }

  /** The analyzer's final result of the run, or null (none came, or the run did not get there). */
  /** The latest state of each alert of the experiment seen so far. */
  List<Alert> alerts() {
    return List.copyOf(alerts.values());
  }

  ExperimentResult finalResult() {
    return finalResult;
  }

  /** How much longer the final result may wait for a pipeline's planned runs to finish. */
  static final long PIPELINE_RUNS_WAIT_MS = 300_000;

  /** How long the run waits for the final result after its planned end. */
  long resultWaitMs() {
    return Math.max(30_000, 4 * definition.steadyState().window().toMillis());
  }

  /**
   * The analyzer's result once every started attack has ended and recovered (or not deviated);
   * after {@link #resultWaitMs()} the latest result as it is, or null when none came.
   */
  private ExperimentResult awaitFinalResult() throws InterruptedException {
    var local = definition.groups().local();
    int runs = local == null || local.pipeline() == null ? 0 : local.pipeline().runs();
    // a batch job's runs may outlast the recovery phase: their verdict is part of the result
    long deadline = clock.now() + resultWaitMs() + (runs > 0 ? PIPELINE_RUNS_WAIT_MS : 0);
    phase = "final verdict";
    long started =
        attackStates.values().stream().filter(s -> s != AttackEventType.REJECTED).count();
    long nextProgress = 0;
    while (clock.now() < deadline) {
      checkGuards();
      ExperimentResult r = feed.latestResult();
      if (r != null
          && r.getAttacks().size() >= started
          && r.getAttacks().stream()
              .allMatch(
                  // a batch job's recovery is its runs finishing: MTTR is reported when the
                  // windows give it, not waited for (sparse spark samples leave gaps in them)
                  a ->
                      a.getEndedAt() != null
                          && (a.getMttdMs() == null || a.getMttrMs() != null || runs > 0))
          && (runs == 0
              || (r.getPipeline() != null
                  && Math.min(
                          r.getPipeline().getControlRuns(), r.getPipeline().getExperimentalRuns())
                      >= runs))) {
        return r;
      }
      if (clock.now() >= nextProgress) {
        progress();
        nextProgress = clock.now() + progressEveryMs;
      }
      clock.sleep(200);
    }
    return feed.latestResult();
  }

  /**
   * Waits, checking guards, until the batch job has made the progress the attacks wait for; at the
   * latest until the rest of the plan (attacks and recovery) would no longer fit in {@code
   * guards.maxDuration}, then throws saying so, before any attack started.
   */
  private String waitForProgress(BatchRuns batch) throws InterruptedException {
    phase = "runs' progress";
    awaitingRuns = true;
    long waitFrom = clock.now();
    Duration rest = definition.plannedDuration().minus(definition.steadyState().warmup());
    long deadline = startedAt + definition.guards().maxDuration().minus(rest).toMillis();
    long nextProgress = clock.now() + progressEveryMs;
    try {
      while (true) {
        checkGuards();
        Optional<String> reached = batch.progressReached();
        if (reached.isPresent()) {
          return reached.get();
        }
        if (clock.now() >= deadline) {
          throw new IllegalStateException(
              "the runs did not make the progress the attacks wait for in "
                  + Durations.format(Duration.ofMillis(clock.now() - waitFrom))
                  + ": guards.maxDuration "
                  + Durations.format(definition.guards().maxDuration())
                  + " leaves no time for the plan's attacks and recovery ("
                  + Durations.format(rest)
                  + "); see the groups' logs, or raise guards.maxDuration");
        }
        clock.sleep(Math.max(1, Math.min(200, deadline - clock.now())));
        if (clock.now() >= nextProgress) {
          progress();
          nextProgress += progressEveryMs;
        }
      }
    } finally {
      awaitingRuns = false;
    }
  }

  /**
   * The JVM warm-up with settling (docs/adr/0109): an interval closes every analysis window from
   * the traffic's start; from {@code warmup} on, the warm-up ends at the first interval after which
   * both groups have settled, or {@code cap} after {@code warmup} whatever the latencies say.
   */
  private void warmUntilSettled(JvmSettling settling, Duration warmup, Duration cap)
      throws InterruptedException {
    long start = clock.now();
    long interval = definition.steadyState().window().toMillis();
    long warmEnd = start + warmup.toMillis();
    long capEnd = warmEnd + cap.toMillis();
    String name = "JVM warm-up (not judged)";
    for (long next = start + interval; ; next += interval) {
      waitUntil(name, Math.min(next, capEnd));
      if (clock.now() >= next) {
        settling.closeInterval();
      }
      if (clock.now() >= warmEnd && settling.settled()) {
        view.say(
            "JVM warm-up: settled after "
                + Durations.format(Duration.ofMillis(clock.now() - start))
                + ", last medians "
                + settling.lastMedians());
        return;
      }
      if (clock.now() >= capEnd) {
        view.say(
            "JVM warm-up: not settled after "
                + Durations.format(cap)
                + " more (last medians "
                + settling.lastMedians()
                + "): learning the steady state anyway");
        return;
      }
      if (clock.now() >= warmEnd) {
        name = "JVM warm-up: settling, last medians " + settling.lastMedians();
      }
    }
  }

  /** Sleeps until {@code until}, printing progress and checking guards; throws when aborted. */
  private void waitUntil(String name, long until) throws InterruptedException {
    phase = name;
    long nextProgress = clock.now() + progressEveryMs;
    while (clock.now() < until) {
      checkGuards();
      clock.sleep(Math.max(1, Math.min(200, until - clock.now())));
      if (clock.now() >= nextProgress) {
        progress();
        nextProgress += progressEveryMs;
      }
    }
  }

  private void checkGuards() throws InterruptedException {
    checkAbort();
    if (startedAt == null) {
      return;
    }
    if (clock.now() > startedAt + definition.guards().maxDuration().toMillis()) {
      abort(
          "guards.maxDuration " + Durations.format(definition.guards().maxDuration()) + " reached",
          Outcome.ABORTED);
    }
    if (!stops.isEmpty() && clock.now() >= nextStopCheck) {
      nextStopCheck = clock.now() + definition.guards().checkInterval().toMillis();
      for (StopConditionCheck s : stops) {
        s.check().ifPresent(why -> abort("stop condition: " + why, Outcome.ABORTED));
      }
    }
    checkAbort();
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
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
      }
    }
  }

  private int finishAborted() {
    Thread.interrupted();
    String reason = abortReason.get() == null ? "interrupted" : abortReason.get();
    int code = abortCode.get() == null ? Outcome.ABORTED : abortCode.get();
    view.line("");
    view.say("ABORTING: " + reason);
    if (startedAt != null || dryRun) {
      haltAndWait();
      if (startedAt != null) {
        publishExperiment(ExperimentState.ABORTED);
      }
    }
    Outcome outcome =
        code == Outcome.ABORTED
            ? Outcome.of(null, List.of(), reason, 0)
            : new Outcome(code, "ERROR", reason);
    view.verdict(null, outcome);
    return outcome.exitCode();
  }

  /** Sends HALT_ALL and waits (up to 30 s) until every started attack is rolled back. */
  private void haltAndWait() {
    try {
      send(plan.haltAll());
      view.say("HALT_ALL sent for " + plan.experimentId());
      long deadline = clock.now() + HALT_WAIT_MS;
      while (clock.now() < deadline && !activeAttacks().isEmpty()) {
        clock.sleep(100);
      }
      List<String> left = activeAttacks();
      view.say(
          left.isEmpty()
              ? "every attack rolled back"
              : "NOT confirmed rolled back within 30 s: " + left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      view.line("faultline run: could not halt: " + e.getMessage());
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

  /** Each record the feed sees for this experiment: events, alerts, verdicts, commands, results. */
  void onRecord(Object record) {
    if (record instanceof AttackEvent e) {
      onEvent(e);
    } else if (record instanceof Alert a) {
      alerts.put(a.getAlertId(), a);
      view.say("alert " + a.getStatus() + " " + a.getMetric() + ": " + a.getReason());
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

  private void onEvent(AttackEvent e) {
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
    view.say(
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
  }

  private void send(AttackCommand command) {
    myCommands.add(command.getCommandId());
    if (command.getAttackId() != null) {
      commandAttack.put(command.getCommandId(), command.getAttackId());
    }
    sinks.send(command);
  }

  private void publishExperiment(ExperimentState state) {
    boolean ended = state != ExperimentState.RUNNING && state != ExperimentState.PENDING;
    try {
      sinks.publish(plan.experiment(state, createdAt, startedAt, ended ? clock.now() : null));
    } catch (RuntimeException ex) {
      view.line(
          "faultline run: could not publish the experiment's state "
              + state
              + ": "
              + ex.getMessage());
    }
  }

  private void progress() {
    long now = clock.now();
    view.progress(
        phaseAt(now),
        startedAt == null ? 0 : now - startedAt - batchWait(now),
        feed.latestVerdicts());
  }

  /**
   * How long the plan has stood still for a batch job's progress: not planned time, so the progress
   * shown stays on the plan's scale.
   */
  private long batchWait(long now) {
    long plannedT0 = startedAt + definition.steadyState().warmup().toMillis();
    Long t0 = methodStart;
    if (t0 != null) {
      return Math.max(0, t0 - plannedT0);
    }
    return awaitingRuns ? Math.max(0, now - plannedT0) : 0;
  }

  /** The phase at a moment of the plan: which attacks run, or warm-up / between / recovery. */
  private String phaseAt(long now) {
    if (startedAt == null) {
      return phase;
    }
    Long t0At = methodStart;
    if (t0At == null) {
      return now < startedAt + definition.steadyState().warmup().toMillis()
          ? "steady-state warm-up"
          : phase;
    }
    long t0 = t0At;
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
}
