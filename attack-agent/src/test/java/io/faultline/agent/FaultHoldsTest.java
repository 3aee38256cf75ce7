package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.local.PauseProcess;
import io.faultline.schema.Group;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FaultHoldsTest {

  private final Fault pause = new PauseProcess();
  private final ProcessTarget victim =
      new ProcessTarget("victim", Group.EXPERIMENTAL, 4242, "", 0, null);

  @Test
  void onlyTheLastHolderUndoesASharedFault() throws Exception {
    FaultHolds holds = new FaultHolds();
    String key = FaultHolds.key(pause, victim);
    AtomicInteger applied = new AtomicInteger();
    AtomicInteger undone = new AtomicInteger();
    holds.apply(key, "a", 1_000, applied::incrementAndGet);
    holds.apply(key, "b", 3_000, applied::incrementAndGet);
    holds.apply(key, "c", 2_000, applied::incrementAndGet);
    assertThat(applied).hasValue(3);

    assertThat(holds.release(key, "a", "victim", () -> "resumed " + undone.incrementAndGet()))
        .isEqualTo(
            "victim: still held by attack b (and 1 more) until 1970-01-01T00:00:03Z; left in place for it");
    assertThat(holds.release(key, "b", "victim", () -> "resumed " + undone.incrementAndGet()))
        .contains("still held by attack c until 1970-01-01T00:00:02Z");
    assertThat(undone).hasValue(0);
    assertThat(holds.release(key, "c", "victim", () -> "resumed " + undone.incrementAndGet()))
        .isEqualTo("resumed 1");
  }

  @Test
  void anAttackThatNoOneRecordedHereStillUndoesItsFault() throws Exception {
    // an orphan from the journal or attack.state: no holder recorded in this run
    FaultHolds holds = new FaultHolds();
    assertThat(holds.release(FaultHolds.key(pause, victim), "orphan", "victim", () -> "resumed"))
        .isEqualTo("resumed");
  }

  @Test
  void aFailedApplyHoldsNothing() throws Exception {
    FaultHolds holds = new FaultHolds();
    String key = FaultHolds.key(pause, victim);
    try {
      holds.apply(
          key,
          "a",
          1_000,
          () -> {
            throw new IllegalStateException("not running");
          });
    } catch (IllegalStateException expected) {
      // the attack FAILS; it must not keep another attack's fault in place
    }
    holds.apply(key, "b", 2_000, () -> "stopped");
    assertThat(holds.release(key, "b", "victim", () -> "resumed")).isEqualTo("resumed");
  }

  @Test
  void anotherPidOfTheSameTargetNameIsAnotherHold() {
    ProcessTarget restartedVictim =
        new ProcessTarget("victim", Group.EXPERIMENTAL, 4343, "", 0, null);
    assertThat(FaultHolds.key(pause, victim)).isNotEqualTo(FaultHolds.key(pause, restartedVictim));
  }

  @Test
  void theFaultsThatCannotStackSaySo() {
    assertThat(pause.overlap()).isEqualTo(Fault.Overlap.SHARE);
    assertThat(AttackAgent.localExecutors().get("network-latency").overlap())
        .isEqualTo(Fault.Overlap.REFUSE);
    assertThat(AttackAgent.localExecutors().get("cpu-burn").overlap())
        .isEqualTo(Fault.Overlap.STACK);
  }

  @Test
  void aSlowApplyOnOneTargetDoesNotDelayAReleaseOnAnother() throws Exception {
    FaultHolds holds = new FaultHolds();
    String slow = FaultHolds.key(pause, victim);
    String other =
        FaultHolds.key(pause, new ProcessTarget("other", Group.EXPERIMENTAL, 4343, "", 0, null));
    holds.apply(other, "o", 1_000, () -> "stopped");
    CountDownLatch applying = new CountDownLatch(1);
    CountDownLatch letApplyEnd = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      // a SIGSTOP that waits for its process to take it (up to 2 s in ProcessSignal)
      Future<String> slowApply =
          threads.submit(
              () ->
                  holds.apply(
                      slow,
                      "s",
                      2_000,
                      () -> {
                        applying.countDown();
                        letApplyEnd.await();
                        return "stopped";
                      }));
      assertThat(applying.await(30, TimeUnit.SECONDS)).isTrue();
      Future<String> release =
          threads.submit(() -> holds.release(other, "o", "other", () -> "resumed"));
      // the bound only keeps a broken lock from hanging the build; the order is the assertion
      assertThat(release.get(30, TimeUnit.SECONDS)).isEqualTo("resumed");
      assertThat(slowApply).as("the other target's apply is still inside").isNotDone();
      letApplyEnd.countDown();
      assertThat(slowApply.get(30, TimeUnit.SECONDS)).isEqualTo("stopped");
    } finally {
      letApplyEnd.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void aReleaseOfOneTargetWaitsForAnApplyOfItInProgress() throws Exception {
    FaultHolds holds = new FaultHolds();
    String key = FaultHolds.key(pause, victim);
    holds.apply(key, "first", 1_000, () -> "stopped");
    CountDownLatch applying = new CountDownLatch(1);
    CountDownLatch letApplyEnd = new CountDownLatch(1);
    AtomicInteger resumed = new AtomicInteger();
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try {
      Future<String> secondApply =
          threads.submit(
              () ->
                  holds.apply(
                      key,
                      "second",
                      3_000,
                      () -> {
                        applying.countDown();
                        letApplyEnd.await();
                        return "stopped";
                      }));
      assertThat(applying.await(30, TimeUnit.SECONDS)).isTrue();
      Thread release =
          new Thread(
              () -> {
                try {
                  holds.release(
                      key, "first", "victim", () -> "resumed " + resumed.incrementAndGet());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      release.start();
      // parked on the key's lock behind the apply (WAITING), not finished with a SIGCONT
      while (release.getState() != Thread.State.WAITING && release.isAlive()) {
        Thread.onSpinWait();
      }
      assertThat(release.isAlive()).as("the release waits for the apply").isTrue();
      letApplyEnd.countDown();
      secondApply.get(30, TimeUnit.SECONDS);
      release.join(30_000);
      assertThat(resumed).as("the second pause still holds the process").hasValue(0);
      assertThat(holds.release(key, "second", "victim", () -> "resumed")).isEqualTo("resumed");
      assertThat(holds.keys()).as("nothing left behind").isZero();
    } finally {
      letApplyEnd.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void concurrentAppliesAndReleasesNeverResumeAHeldTargetAndLeaveNothingBehind() throws Exception {
    FaultHolds holds = new FaultHolds();
    int targets = 3;
    List<AtomicBoolean> stopped = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int t = 0; t < targets; t++) {
      stopped.add(new AtomicBoolean());
      keys.add(
          FaultHolds.key(
              pause, new ProcessTarget("victim-" + t, Group.EXPERIMENTAL, 5000 + t, "", 0, null)));
    }
    AtomicInteger resumedWhileHeld = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> attacks = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        int t = i % targets;
        String id = "a" + i;
        attacks.add(
            threads.submit(
                () -> {
                  holds.apply(keys.get(t), id, 1_000, () -> stopped.get(t).getAndSet(true));
                  for (int look = 0; look < 3; look++) {
                    if (!stopped.get(t).get()) {
                      resumedWhileHeld.incrementAndGet();
                    }
                    Thread.yield();
                  }
                  return holds.release(
                      keys.get(t), id, "victim", () -> "" + stopped.get(t).getAndSet(false));
                }));
      }
      for (Future<?> attack : attacks) {
        attack.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(resumedWhileHeld).as("a holder saw its target resumed").hasValue(0);
    assertThat(stopped).as("the last holder of each resumed it").noneMatch(AtomicBoolean::get);
    assertThat(holds.keys()).isZero();
  }
}
