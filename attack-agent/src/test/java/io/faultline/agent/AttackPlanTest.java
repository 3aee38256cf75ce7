package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a START command is checked before anything is touched, and what the rejections say. */
class AttackPlanTest {

  private static final long ALIVE = ProcessHandle.current().pid();
  private static final Duration MAX = Duration.ofMinutes(15);

  private final List<ProcessTarget> targets =
      List.of(
          new ProcessTarget("scale-control", Group.CONTROL, ALIVE, "127.0.0.1", 8081, null),
          new ProcessTarget(
              "scale-experimental", Group.EXPERIMENTAL, ALIVE, "127.0.0.1", 8082, "1"));

  private static AttackCommand.Builder command() {
    return AttackCommand.newBuilder()
        .setCommandId("c-1")
        .setExperimentId("e-1")
        .setType(CommandType.START)
        .setFault("cpu-burn")
        .setDurationMs(3000L)
        .setTarget(
            TargetSelector.newBuilder()
                .setKind("process")
                .setNames(List.of("scale-experimental"))
                .setGroup(Group.EXPERIMENTAL)
                .setMode("all")
                .build());
  }

  private AttackPlan plan(AttackCommand.Builder command) {
    return AttackPlan.of(
        command.build(), AttackAgent.localExecutors(), MAX, targets, new Random(7));
  }

  @Test
  void validCommandResolvesExecutorDurationAndExperimentalTargets() {
    AttackPlan plan = plan(command().setParameters(Map.of("cores", "2", "percent", "50")));
    assertThat(plan.executor().fault()).isEqualTo("cpu-burn");
    assertThat(plan.duration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(plan.parameters()).containsEntry("cores", "2");
    assertThat(plan.targets()).extracting(Target::name).containsExactly("scale-experimental");
  }

  @Test
  void rejectsMissingDurationNamingTheFieldAndTheRange() {
    assertThatThrownBy(() -> plan(command().setDurationMs(null)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("durationMs: required for START")
        .hasMessageEndingWith("must be between 1s and 15m")
        .extracting(e -> ((InvalidRecordException) e).field())
        .isEqualTo("durationMs");
  }

  @Test
  void rejectsDurationOutsideOneSecondToTheConfiguredMaximum() {
    assertThatThrownBy(() -> plan(command().setDurationMs(0L)))
        .hasMessage("durationMs: 0 ms must be between 1s and 15m");
    assertThatThrownBy(() -> plan(command().setDurationMs(999L)))
        .hasMessage("durationMs: 999 ms must be between 1s and 15m");
    assertThatThrownBy(() -> plan(command().setDurationMs(900_001L)))
        .hasMessage("durationMs: 900001 ms must be between 1s and 15m");
    assertThat(plan(command().setDurationMs(900_000L)).duration()).isEqualTo(MAX);
  }

  @Test
  void rejectsUnknownFaultListingTheKnownOnes() {
    // the list is the catalogue's, so a fault added to the agent does not break this test
    List<String> known = List.copyOf(AttackAgent.localExecutors().keySet());
    assertThat(known).contains("cpu-burn", "kill-process").isSorted();
    assertThat(FaultSpecs.names()).containsAll(known);
    assertThatThrownBy(() -> plan(command().setFault("melt-cpu")))
        .hasMessage("fault: 'melt-cpu' is unknown; known faults: " + String.join(", ", known))
        .hasMessageMatching("fault: 'melt-cpu' is unknown; known faults: [a-z-]+(, [a-z-]+)+");
    assertThatThrownBy(() -> plan(command().setFault("x".repeat(10_000))))
        .hasMessageContaining("(10000 chars)")
        // the echoed name is cut short, however many known faults the message lists
        .satisfies(
            e ->
                assertThat(e.getMessage().substring(0, e.getMessage().indexOf(" is unknown")))
                    .hasSizeLessThan(100));
  }

  @Test
  void rejectsParametersOutOfRange() {
    assertThatThrownBy(() -> plan(command().setParameters(Map.of("cores", "0"))))
        .hasMessage("parameters.cores: '0': must be a whole number from 1 to 64");
    assertThatThrownBy(() -> plan(command().setParameters(Map.of("percent", "150"))))
        .hasMessage("parameters.percent: '150': must be a whole number from 1 to 100");
  }

  @Test
  void rejectsCommandTargetingControlGroup() {
    TargetSelector control =
        TargetSelector.newBuilder().setGroup(Group.CONTROL).setMode("all").build();
    assertThatThrownBy(() -> plan(command().setTarget(control)))
        .hasMessage("target.group: CONTROL: attacks may only target the EXPERIMENTAL group");
    TargetSelector namesControl =
        TargetSelector.newBuilder()
            .setGroup(Group.EXPERIMENTAL)
            .setNames(List.of("scale-experimental", "scale-control"))
            .setMode("all")
            .build();
    assertThatThrownBy(() -> plan(command().setTarget(namesControl)))
        .hasMessage(
            "target.names: 'scale-control' is in the CONTROL group; only EXPERIMENTAL targets are"
                + " attacked");
  }

  @Test
  void rejectsMissingTargetAndOtherKinds() {
    assertThatThrownBy(() -> plan(command().setTarget(null))).hasMessageStartingWith("target: ");
    TargetSelector pod =
        TargetSelector.newBuilder().setKind("pod").setGroup(Group.EXPERIMENTAL).build();
    assertThatThrownBy(() -> plan(command().setTarget(pod)))
        .hasMessageStartingWith("target.kind: 'pod'");
  }

  @Test
  void rejectsATargetWhoseProcessIsGone() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    List<ProcessTarget> stale =
        List.of(
            new ProcessTarget("scale-experimental", Group.EXPERIMENTAL, gone.pid(), "", 0, null));
    assertThatThrownBy(
            () ->
                AttackPlan.of(
                    command().build(), AttackAgent.localExecutors(), MAX, stale, new Random()))
        .hasMessage(
            "target: scale-experimental pid="
                + gone.pid()
                + " is not running (its target file may be stale)");
  }

  @Test
  void clusterFaultsThatAreNotConfiguredSayWhichKeyTurnsThemOn() {
    assertThatThrownBy(() -> plan(command().setFault("zone-outage")))
        .hasMessage(
            "fault: 'zone-outage' is not enabled on this agent; set agent.kubernetes.namespaces");
    assertThatThrownBy(() -> plan(command().setFault("ec2-zone-outage")))
        .hasMessage(
            "fault: 'ec2-zone-outage' is not enabled on this agent; set agent.aws.enabled=true");
  }

  @Test
  void blastRadiusAllowsTheConfiguredShareRoundedDownButAlwaysOneTarget() {
    AttackPlan.blastRadius(2, 4, 50, "pod");
    AttackPlan.blastRadius(1, 1, 50, "process");
    AttackPlan.blastRadius(1, 10, 5, "pod");
    assertThatThrownBy(() -> AttackPlan.blastRadius(3, 4, 50, "pod"))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "target.mode: blast radius: 3 of 4 EXPERIMENTAL pod targets (75%) is over"
                + " agent.max.blast.radius.percent=50 (at most 2 of 4)");
    assertThatThrownBy(() -> AttackPlan.blastRadius(2, 10, 19, "ec2"))
        .hasMessageContaining("(at most 1 of 10)");
  }

  @Test
  void processAttacksTooWideForTheShareAreRejectedBeforeAnythingIsTouched() {
    List<ProcessTarget> four = new java.util.ArrayList<>(targets);
    for (int i = 2; i <= 4; i++) {
      four.add(new ProcessTarget("x" + i, Group.EXPERIMENTAL, ALIVE, "127.0.0.1", 0, null));
    }
    TargetSelector all =
        TargetSelector.newBuilder().setGroup(Group.EXPERIMENTAL).setMode("all").build();
    FaultCatalog catalog = FaultCatalog.local(AttackAgent.localExecutors(), () -> four);
    assertThatThrownBy(
            () -> AttackPlan.of(command().setTarget(all).build(), catalog, MAX, 50, new Random(1)))
        .hasMessage(
            "target.mode: blast radius: 4 of 4 EXPERIMENTAL process targets (100%) is over"
                + " agent.max.blast.radius.percent=50 (at most 2 of 4)");
    TargetSelector half =
        TargetSelector.newBuilder().setGroup(Group.EXPERIMENTAL).setMode("percent:50").build();
    assertThat(
            AttackPlan.of(command().setTarget(half).build(), catalog, MAX, 50, new Random(1))
                .targets())
        .hasSize(2)
        .allMatch(t -> t.group() == Group.EXPERIMENTAL);
  }

  /** Three EXPERIMENTAL processes; {@code x2} is held by an active attack. */
  private static final List<ProcessTarget> THREE =
      List.of(
          new ProcessTarget("x1", Group.EXPERIMENTAL, ALIVE, "127.0.0.1", 0, null),
          new ProcessTarget("x2", Group.EXPERIMENTAL, ALIVE, "127.0.0.1", 0, null),
          new ProcessTarget("x3", Group.EXPERIMENTAL, ALIVE, "127.0.0.1", 0, null));

  private static AttackPlan planAgainstAHold(TargetSelector selector, long seed) {
    return AttackPlan.of(
        command().setTarget(selector).build(),
        FaultCatalog.local(AttackAgent.localExecutors(), () -> THREE),
        MAX,
        100,
        new Random(seed),
        (fault, t) ->
            t.name().equals("x2") ? "is held by attack a-1 (command c-0) until <time>" : null,
        List.of());
  }

  @Test
  void aModeThatLeavesAChoiceDrawsOnlyFromTheTargetsNoAttackHolds() {
    TargetSelector one = TargetSelector.newBuilder().setGroup(Group.EXPERIMENTAL).build();
    TargetSelector twoOfThree =
        TargetSelector.newBuilder().setGroup(Group.EXPERIMENTAL).setMode("fixed:2").build();
    for (long seed = 0; seed < 50; seed++) {
      assertThat(planAgainstAHold(one, seed).targets())
          .extracting(Target::name)
          .hasSize(1)
          .doesNotContain("x2");
      assertThat(planAgainstAHold(twoOfThree, seed).targets())
          .extracting(Target::name)
          .containsExactlyInAnyOrder("x1", "x3");
    }
  }

  @Test
  void aHeldTargetTheModeCannotAvoidIsRefusedNamingCommandTargetHolderAndEnd() {
    TargetSelector named =
        TargetSelector.newBuilder()
            .setGroup(Group.EXPERIMENTAL)
            .setNames(List.of("x2"))
            .setMode("one")
            .build();
    assertThatThrownBy(() -> planAgainstAHold(named, 1))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "target: command c-1: cpu-burn on x2 pid="
                + ALIVE
                + " is held by attack a-1 (command c-0) until <time>: STOP that attack or start"
                + " this one after it");
    TargetSelector all =
        TargetSelector.newBuilder().setGroup(Group.EXPERIMENTAL).setMode("all").build();
    assertThatThrownBy(() -> planAgainstAHold(all, 1))
        .hasMessageContaining("cpu-burn on x2 pid=")
        .hasMessageContaining("(1 of its 3 candidates held, mode all takes 3)");
  }
}
