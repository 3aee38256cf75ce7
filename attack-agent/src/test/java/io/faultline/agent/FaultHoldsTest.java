package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.local.PauseProcess;
import io.faultline.schema.Group;
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
}
