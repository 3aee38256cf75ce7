package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.StopConditionCheck;
import io.faultline.cli.report.Outcome;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** The runner without a broker: a clock the test advances, sinks and a view that record. */
class ExperimentRunnerTest {

  // Attack 0 starts after attack 1 in the file's order: the runner sends them by start time.
  private static final ExperimentDefinition DEFINITION =
      ExperimentFileParser.parse("runner-test.yaml", yaml(""));

  private static String yaml(String local) {
    return """
          metadata: {name: runner-test}
          groups:
            platform: local
            control: {processes: [ctl]}
            experimental: {processes: [exp]}
          steadyState:
            warmup: 10s
            window: 5s
            metrics: [{name: http.error, source: http-probe, direction: increase, tolerance: 0.02}]
          method:
            - {name: second, fault: kill-process, start: 20s, duration: 1s,
               selector: {kind: process, names: [exp], mode: all}}
            - {name: first, fault: cpu-burn, start: 0s, duration: 10s,
               selector: {kind: process, names: [exp], mode: all}}
          guards: {maxDuration: 5m, checkInterval: 5s}
          recovery: {observe: 10s}
          """
        .replace(
            "experimental: {processes: [exp]}\n", "experimental: {processes: [exp]}\n" + local);
  }

  private static final long T_START = 1_000_000L;

  private final FakeClock clock = new FakeClock(T_START);
  private final Recorder sinks = new Recorder();
  private final Feed feed = new Feed();
  private final ExperimentPlan plan = new ExperimentPlan(DEFINITION, "runner-1");
  private final List<StopConditionCheck> stops = new ArrayList<>();
  private ExperimentRunner runner;

  private int run() {
    runner =
        new ExperimentRunner(DEFINITION, plan, clock, sinks, sinks, stops, Duration.ofSeconds(3));
    return runner.run(feed, null);
  }

  @Test
  void sendsEachStartAtItsPlannedTimeInStartOrderThenEndsWithTheResult() {
    feed.result = result(Verdict.STEADY);
    int code = run();

    assertThat(code).isEqualTo(Outcome.HELD);
    // warm-up 10 s, then first at +0 s and second at +20 s of the method
    assertThat(sinks.sent)
        .containsExactly(
            "START " + plan.attackId(1) + " @" + 10_000,
            "START " + plan.attackId(0) + " @" + 30_000);
    assertThat(sinks.states).containsExactly(ExperimentState.RUNNING, ExperimentState.COMPLETED);
    assertThat(sinks.phases)
        .containsSubsequence("steady-state warm-up", "attack first", "between attacks", "recovery");
    assertThat(sinks.lines).anyMatch(l -> l.startsWith("VERDICT: HYPOTHESIS HELD"));
  }

  @Test
  void stopConditionIsCheckedEveryIntervalAndHaltsEverything() {
    List<Long> checkedAt = new ArrayList<>();
    stops.add(
        new FakeStop(
            now -> {
              checkedAt.add(now - T_START);
              return now - T_START >= 12_000 ? "error budget burnt" : null;
            }));
    int code = run();

    assertThat(code).isEqualTo(Outcome.ABORTED);
    assertThat(checkedAt).containsExactly(0L, 5_000L, 10_000L, 15_000L);
    assertThat(sinks.sent)
        .containsExactly("START " + plan.attackId(1) + " @10000", "HALT_ALL null @15000");
    assertThat(sinks.states).containsExactly(ExperimentState.RUNNING, ExperimentState.ABORTED);
    assertThat(sinks.lines)
        .contains("ABORTING: stop condition: error budget burnt")
        .anyMatch(l -> l.startsWith("VERDICT: ABORTED"));
  }

  @Test
  void ctrlCHaltsAllAndWaitsUntilTheStartedAttackIsRolledBack() {
    sinks.onStart = c -> runner.onRecord(event(AttackEventType.STARTED, c.getAttackId()));
    // the agent takes 2 s to roll back after HALT_ALL
    sinks.onHalt = () -> clock.at(clock.now() + 2_000, () -> rolledBack(plan.attackId(1)));
    clock.at(T_START + 14_000, () -> runner.abort("interrupted by SIGINT", Outcome.ABORTED));
    int code = run();

    assertThat(code).isEqualTo(Outcome.ABORTED);
    assertThat(sinks.sent).last().isEqualTo("HALT_ALL null @14000");
    assertThat(sinks.lines)
        .contains("ABORTING: interrupted by SIGINT", "every attack rolled back")
        .anyMatch(l -> l.startsWith("VERDICT: ABORTED - The experiment was aborted: interrupted"));
    assertThat(clock.now() - T_START).isBetween(16_000L, 16_100L);
  }

  @Test
  void haltThatIsNeverConfirmedIsReportedAfterThirtySeconds() {
    sinks.onStart = c -> runner.onRecord(event(AttackEventType.STARTED, c.getAttackId()));
    clock.at(T_START + 14_000, () -> runner.abort("interrupted by SIGINT", Outcome.ABORTED));
    int code = run();

    assertThat(code).isEqualTo(Outcome.ABORTED);
    assertThat(sinks.lines)
        .anyMatch(l -> l.startsWith("NOT confirmed rolled back within 30 s: [runner-1-1-first]"));
    assertThat(clock.now() - T_START).isBetween(44_000L, 44_200L);
  }

  @Test
  void analyzerAutoAbortHaltsEverything() {
    clock.at(
        T_START + 13_000,
        () ->
            runner.onRecord(
                ExperimentResult.newBuilder(result(Verdict.ABORTED))
                    .setAborted(true)
                    .setAbortReason("http.error beyond its abortThreshold")
                    .build()));
    int code = run();

    assertThat(code).isEqualTo(Outcome.ABORTED);
    assertThat(sinks.sent).last().asString().startsWith("HALT_ALL");
    assertThat(sinks.lines).contains("ABORTING: analyzer: http.error beyond its abortThreshold");
  }

  @Test
  void rejectedAttackKnownOnlyByItsCommandIdEndsInError() {
    sinks.onStart =
        c ->
            runner.onRecord(
                AttackEvent.newBuilder(event(AttackEventType.REJECTED, null))
                    .setCommandId(c.getCommandId())
                    .setReason("selector.names: no process exp")
                    .build());
    int code = run();

    assertThat(code).isEqualTo(Outcome.ERROR);
    assertThat(sinks.lines)
        .contains(
            "ABORTING: attack "
                + plan.attackId(1)
                + " was REJECTED: selector.names: no process exp");
  }

  @Test
  void resultThatNeverArrivesEndsAfterABoundedWaitSayingSo() {
    int code = run();

    assertThat(code).isEqualTo(Outcome.ERROR);
    // planned 10 s + 21 s + 10 s, then at most 30 s for the result
    assertThat(clock.now() - T_START).isBetween(71_000L, 71_200L);
    assertThat(sinks.lines)
        .anyMatch(l -> l.startsWith("no result from the analyzer within 30s"))
        .anyMatch(l -> l.startsWith("VERDICT: NO VERDICT"));
  }

  @Test
  void runLongerThanMaxDurationIsAborted() {
    // a result that never completes keeps the runner waiting; maxDuration is 5 m, the wait 30 s:
    // so abort the hard way, by a clock jump past the guard
    clock.at(T_START + 15_000, () -> clock.jump(6 * 60_000));
    int code = run();

    assertThat(code).isEqualTo(Outcome.ABORTED);
    assertThat(sinks.lines).contains("ABORTING: guards.maxDuration 5m reached");
  }

  @Test
  void aBatchJobStartsAfterTheWarmUpAndTheAttacksAreTimedFromItsProgress() {
    feed.result = result(Verdict.STEADY);
    List<Long> begunAt = new ArrayList<>();
    ExperimentRunner.BatchRuns batch =
        new ExperimentRunner.BatchRuns() {
          @Override
          public void begin() {
            begunAt.add(clock.now() - T_START);
          }

          @Override
          public Optional<String> progressReached() {
            // the run reaches the share the attacks wait for 7.3 s after it began
            return !begunAt.isEmpty() && clock.now() - T_START >= begunAt.get(0) + 7_300
                ? Optional.of("the experimental run at 11 of 41 tasks (27%), 7.3s in")
                : Optional.empty();
          }
        };
    runner =
        new ExperimentRunner(DEFINITION, plan, clock, sinks, sinks, stops, Duration.ofSeconds(3));
    int code = runner.run(feed, null, batch);

    assertThat(code).isEqualTo(Outcome.HELD);
    assertThat(begunAt).containsExactly(10_000L);
    // not at the warm-up's end (10 s) but from the run's progress: first +0 s, second +20 s
    assertThat(sinks.sent)
        .containsExactly(
            "START " + plan.attackId(1) + " @" + 17_400,
            "START " + plan.attackId(0) + " @" + 37_400);
    assertThat(sinks.lines)
        .contains(
            "START cpu-burn (first) for 10s, with the experimental run at 11 of 41 tasks (27%),"
                + " 7.3s in",
            "START kill-process (second) for 1s, 20s after the experimental run at 11 of 41"
                + " tasks (27%), 7.3s in");
    assertThat(sinks.phases).contains("runs' progress", "attack first", "recovery");
    // the wait for the run is not planned time: the progress shown stays within the plan's 41 s
    assertThat(sinks.elapsed).isNotEmpty().allMatch(ms -> ms <= 41_000);
  }

  @Test
  void aBatchJobThatCannotGetUnderWayEndsTheRunInErrorWithoutAnAttack() {
    ExperimentRunner.BatchRuns batch =
        new ExperimentRunner.BatchRuns() {
          @Override
          public void begin() {}

          @Override
          public Optional<String> progressReached() {
            throw new IllegalStateException("pipeline experimental exited 1");
          }
        };
    runner =
        new ExperimentRunner(DEFINITION, plan, clock, sinks, sinks, stops, Duration.ofSeconds(3));
    int code = runner.run(feed, null, batch);

    assertThat(code).isEqualTo(Outcome.ERROR);
    assertThat(sinks.sent).noneMatch(c -> c.startsWith("START"));
    assertThat(sinks.lines).contains("faultline run: pipeline experimental exited 1");
  }

  @Test
  void aBatchJobThatNeverMakesItsProgressEndsTheRunWhileThePlanStillFitsInMaxDuration() {
    ExperimentRunner.BatchRuns batch =
        new ExperimentRunner.BatchRuns() {
          @Override
          public void begin() {}

          @Override
          public Optional<String> progressReached() {
            return Optional.empty();
          }
        };
    runner =
        new ExperimentRunner(DEFINITION, plan, clock, sinks, sinks, stops, Duration.ofSeconds(3));
    int code = runner.run(feed, null, batch);

    // maxDuration 5m less the plan's attacks and recovery (31 s): given up 269 s in, an error
    // that says why, not the maxDuration guard's abort in the middle of an attack
    assertThat(code).isEqualTo(Outcome.ERROR);
    assertThat(sinks.sent).noneMatch(c -> c.startsWith("START"));
    assertThat(sinks.lines)
        .anyMatch(
            l ->
                l.startsWith("faultline run: the runs did not make the progress the attacks wait")
                    && l.contains(
                        "guards.maxDuration 5m leaves no time for the plan's attacks"
                            + " and recovery (31s)"));
    assertThat(sinks.lines).noneMatch(l -> l.contains("guards.maxDuration 5m reached"));
  }

  private void rolledBack(String attackId) {
    runner.onRecord(event(AttackEventType.ROLLED_BACK, attackId));
  }

  private static AttackEvent event(AttackEventType type, String attackId) {
    return AttackEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setExperimentId("runner-1")
        .setType(type)
        .setAttackId(attackId)
        .setFault("cpu-burn")
        .build();
  }

  private static ExperimentResult result(Verdict verdict) {
    List<AttackOutcome> attacks = new ArrayList<>();
    for (String id : List.of("runner-1-0-second", "runner-1-1-first")) {
      attacks.add(
          AttackOutcome.newBuilder().setAttackId(id).setStartedAt(1).setEndedAt(2L).build());
    }
    return ExperimentResult.newBuilder()
        .setExperimentId("runner-1")
        .setVerdict(verdict)
        .setWindowsJudged(8)
        .setAttacks(attacks)
        .build();
  }

  /** A clock that moves only when the runner sleeps, running what is due on the way. */
  @Test
  void theWarmUpGoesOnUntilBothGroupsLatencyHasSettled() {
    // falling 30 -> 10 ms over 20 s, then flat: the intervals ending at 25, 30, 35 s agree
    List<String> started = new ArrayList<>();
    int code = runWithTraffic("10s", "30s", t -> t < 20_000 ? 30 - t / 1000.0 : 8, started);

    assertThat(code).isEqualTo(Outcome.HELD);
    assertThat(started).containsExactly("runner-1-jvm-warmup", "runner-1");
    assertThat(sinks.lines)
        .contains("JVM warm-up: settled after 35s, last medians C 8.0 / E 8.0 ms");
    // the steady-state warm-up (10 s) starts when the JVM warm-up ends
    assertThat(sinks.sent.get(0)).endsWith("@" + (35_000 + 10_000));
    assertThat(sinks.phases).contains("JVM warm-up: settling, last medians C 8.0 / E 8.0 ms");
  }

  @Test
  void settledLatenciesEndTheWarmUpAtTheFirstCheckAfterTheFixedPart() {
    List<String> started = new ArrayList<>();
    runWithTraffic("15s", "60s", t -> 7 + (t / 100 % 3) * 0.2, started);

    assertThat(sinks.lines).anyMatch(l -> l.startsWith("JVM warm-up: settled after 15s"));
    assertThat(sinks.sent.get(0)).endsWith("@" + (15_000 + 10_000));
  }

  @Test
  void theCapEndsAWarmUpThatNeverSettles() {
    // 3% lower every second: any three 5 s intervals lie 1.5x apart
    List<String> started = new ArrayList<>();
    int code = runWithTraffic("10s", "30s", t -> 100 * Math.pow(0.97, t / 1000.0), started);

    assertThat(code).isEqualTo(Outcome.HELD);
    assertThat(sinks.lines)
        .anyMatch(
            l ->
                l.startsWith("JVM warm-up: not settled after 30s more")
                    && l.endsWith("learning the steady state anyway"));
    assertThat(sinks.sent.get(0)).endsWith("@" + (40_000 + 10_000));
  }

  @Test
  void noSettlingWhenItsCapIsZero() {
    List<String> started = new ArrayList<>();
    runWithTraffic("10s", "0s", t -> 100 * Math.pow(0.97, t / 1000.0), started);

    assertThat(sinks.lines).noneMatch(l -> l.startsWith("JVM warm-up:"));
    assertThat(sinks.sent.get(0)).endsWith("@" + (10_000 + 10_000));
  }

  /**
   * Runs with a JVM warm-up of {@code warmup} and a settling cap of {@code settle}; the warm-up
   * traffic reports, every 100 ms, {@code latencyAt(ms since it started)} for each group.
   */
  private int runWithTraffic(
      String warmup,
      String settle,
      java.util.function.LongToDoubleFunction latencyAt,
      List<String> started) {
    ExperimentDefinition d =
        ExperimentFileParser.parse(
            "settling-test.yaml",
            yaml("  local: {jvmWarmup: " + warmup + ", jvmSettle: " + settle + "}\n"));
    feed.result = result(Verdict.STEADY);
    runner =
        new ExperimentRunner(
            d,
            new ExperimentPlan(d, "runner-1"),
            clock,
            sinks,
            sinks,
            stops,
            Duration.ofSeconds(3));
    ExperimentRunner.Traffic traffic =
        (id, settling) -> {
          started.add(id);
          long from = clock.now();
          if (settling != null) {
            for (long t = 100; t <= 120_000; t += 100) {
              double ms = latencyAt.applyAsDouble(t);
              clock.at(
                  from + t,
                  () -> {
                    settling.observe(io.faultline.schema.Group.CONTROL, ms);
                    settling.observe(io.faultline.schema.Group.EXPERIMENTAL, ms);
                  });
            }
          }
          return () -> {};
        };
    return runner.run(feed, traffic);
  }

  static final class FakeClock implements RunClock {
    private long now;
    private final TreeMap<Long, List<Runnable>> due = new TreeMap<>();

    FakeClock(long now) {
      this.now = now;
    }

    void at(long time, Runnable action) {
      due.computeIfAbsent(time, t -> new ArrayList<>()).add(action);
    }

    void jump(long millis) {
      now += millis;
    }

    @Override
    public long now() {
      return now;
    }

    @Override
    public void sleep(long millis) {
      long until = now + millis;
      while (!due.isEmpty() && due.firstKey() <= until) {
        var next = due.pollFirstEntry();
        now = Math.max(now, next.getKey());
        next.getValue().forEach(Runnable::run);
      }
      now = Math.max(now, until);
    }
  }

  private final class Recorder implements RunSinks, RunView {
    final List<String> sent = new ArrayList<>();
    final List<ExperimentState> states = new ArrayList<>();
    final List<String> lines = new ArrayList<>();
    final List<String> phases = new ArrayList<>();
    final List<Long> elapsed = new ArrayList<>();
    java.util.function.Consumer<AttackCommand> onStart = c -> {};
    Runnable onHalt = () -> {};

    @Override
    public void send(AttackCommand c) {
      sent.add(c.getType() + " " + c.getAttackId() + " @" + (clock.now() - T_START));
      if (c.getType() == CommandType.START) {
        onStart.accept(c);
      } else if (c.getType() == CommandType.HALT_ALL) {
        onHalt.run();
      }
    }

    @Override
    public void publish(Experiment e) {
      states.add(e.getState());
    }

    @Override
    public void say(String message) {
      lines.add(message);
    }

    @Override
    public void line(String text) {
      lines.add(text);
    }

    @Override
    public void progress(String phase, long elapsedMs, Map<String, WindowVerdict> verdicts) {
      phases.add(phase);
      elapsed.add(elapsedMs);
    }

    @Override
    public void verdict(ExperimentResult result, Outcome outcome) {
      lines.add("VERDICT: " + outcome.headline() + " - " + outcome.why());
    }
  }

  private static final class Feed implements ExperimentFeed {
    ExperimentResult result;

    @Override
    public Map<String, WindowVerdict> latestVerdicts() {
      return Map.of();
    }

    @Override
    public ExperimentResult latestResult() {
      return result;
    }
  }

  /** A stop condition whose answer depends on the fake clock's time. */
  private final class FakeStop extends StopConditionCheck {
    private final LongFunction<String> reasonAt;

    FakeStop(LongFunction<String> reasonAt) {
      this.reasonAt = reasonAt;
    }

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    protected Optional<String> evaluate() {
      return Optional.ofNullable(reasonAt.apply(clock.now()));
    }
  }
}
