package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blast radius across this agent's attacks (docs/adr/0096): what the attacks that hold targets
 * take of a new selector's EXPERIMENTAL targets, in its own kind, and how a START is drawn within
 * what is left or refused. Planning only: nothing is applied.
 */
class BlastRadiusTest {

  private static final long ALIVE = ProcessHandle.current().pid();
  private static final Duration MAX = Duration.ofMinutes(15);

  // four EXPERIMENTAL pods, two on each zone's node, and a CONTROL one beside them
  private static final List<ClusterTarget> PODS =
      List.of(
          pod("shop/p1", "n-a"),
          pod("shop/p2", "n-a"),
          pod("shop/p3", "n-b"),
          pod("shop/p4", "n-b"),
          new ClusterTarget("pod", "shop/c1", Group.CONTROL, Map.of("node", "n-a")));
  private static final List<ClusterTarget> ZONES =
      List.of(zone("zone-a", "n-a", ""), zone("zone-b", "n-b", ""));
  private static final List<ClusterTarget> NODES =
      List.of(
          new ClusterTarget(
              "node", "n-a", Group.EXPERIMENTAL, Map.of("node", "n-a", "zone", "zone-a")),
          new ClusterTarget(
              "node", "n-b", Group.EXPERIMENTAL, Map.of("node", "n-b", "zone", "zone-b")));

  private static ClusterTarget pod(String name, String node) {
    return new ClusterTarget(
        "pod",
        name,
        Group.EXPERIMENTAL,
        Map.of("namespace", "shop", "pod", name.substring(5), "node", node));
  }

  private static ClusterTarget zone(String name, String nodes, String pids) {
    return new ClusterTarget(
        "zone", name, Group.EXPERIMENTAL, Map.of("zone", name, "nodes", nodes, "pids", pids));
  }

  private static ProcessTarget web(String name, String zone) {
    return new ProcessTarget(
        name,
        Group.EXPERIMENTAL,
        ALIVE,
        "127.0.0.1",
        0,
        null,
        null,
        Map.of("zone", zone, "role", "web"),
        null);
  }

  /** Every fault of the catalogue, with these inventories: planning needs no cluster. */
  private static FaultCatalog catalog(List<? extends Target> processes) {
    FaultCatalog catalog = FaultCatalog.offline();
    catalog.add(inventory("pod", PODS)).add(inventory("zone", ZONES)).add(inventory("node", NODES));
    catalog.add(inventory("process", processes));
    return catalog;
  }

  private static TargetInventory inventory(String kind, List<? extends Target> targets) {
    return TargetInventory.of(kind, selector -> targets);
  }

  private static AttackCommand command(String fault, String kind, String mode, String... names) {
    return AttackCommand.newBuilder()
        .setCommandId("c-new")
        .setExperimentId("e")
        .setType(CommandType.START)
        .setFault(fault)
        .setDurationMs(30_000L)
        .setTarget(
            TargetSelector.newBuilder()
                .setKind(kind)
                .setGroup(Group.EXPERIMENTAL)
                .setMode(mode)
                .setNames(List.of(names))
                .build())
        .build();
  }

  private static AttackPlan plan(
      FaultCatalog catalog, AttackCommand command, long seed, List<BlastRadius.Held> held) {
    return AttackPlan.of(command, catalog, MAX, 50, new Random(seed), (f, t) -> null, held);
  }

  private static List<BlastRadius.Held> held(String holder, List<Target> targets) {
    List<BlastRadius.Held> held = new ArrayList<>();
    targets.forEach(t -> held.add(new BlastRadius.Held(t, Map.of(), holder)));
    return held;
  }

  private static List<String> names(AttackPlan plan) {
    return plan.targets().stream().map(Target::name).toList();
  }

  @Test
  void twoHalfAttacksOnFourPodsTogetherTakeNoMoreThanHalf() {
    FaultCatalog catalog = catalog(List.of());
    for (long seed = 0; seed < 50; seed++) {
      AttackPlan first =
          plan(catalog, command("pod-cpu-stress", "pod", "percent:50"), seed, List.of());
      assertThat(first.targets()).hasSize(2);
      List<BlastRadius.Held> byFirst = held("a-1 (command c-1) until <time>", first.targets());
      // the second half fits only on the same two pods: a stacked fault widens nothing
      AttackPlan second =
          plan(catalog, command("pod-memory-stress", "pod", "percent:50"), seed, byFirst);
      assertThat(names(second)).containsExactlyInAnyOrderElementsOf(names(first));
      AttackPlan one = plan(catalog, command("pod-delete", "pod", "one"), seed, byFirst);
      assertThat(names(first)).containsAll(names(one));
    }
    AttackPlan first =
        plan(catalog, command("pod-cpu-stress", "pod", "fixed:2", "p1", "p2"), 1, List.of());
    List<BlastRadius.Held> byFirst = held("a-1 (command c-1) until <time>", first.targets());
    assertThatThrownBy(
            () -> plan(catalog, command("pod-memory-stress", "pod", "one", "p3"), 1, byFirst))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "target: command c-new: blast radius across this agent's attacks: 2 of 4 EXPERIMENTAL"
                + " pod targets are taken (pod shop/p1 node=n-a, pod shop/p2 node=n-a by attack"
                + " a-1 (command c-1) until <time>), and pod-memory-stress (mode one) would take 1"
                + " more: 3 of 4 (75%) is over agent.max.blast.radius.percent=50 (at most 2 of 4"
                + " at once, 0 free now): STOP one of those attacks or start this one after it");
    // the same command is also refused when the mode cannot avoid a free pod
    assertThatThrownBy(
            () ->
                plan(
                    catalog,
                    command("pod-memory-stress", "pod", "fixed:2", "p2", "p3", "p4"),
                    1,
                    byFirst))
        .hasMessageContaining("would take 1 more: 3 of 4 (75%)");
  }

  @Test
  void anAttackThatEndedFreesItsShare() {
    FaultCatalog catalog = catalog(List.of());
    List<BlastRadius.Held> both =
        new ArrayList<>(held("a-1 (command c-1) until <time>", List.of(PODS.get(0))));
    both.addAll(held("a-2 (command c-2) until <time>", List.of(PODS.get(1))));
    assertThatThrownBy(() -> plan(catalog, command("pod-delete", "pod", "one", "p4"), 1, both))
        .hasMessageContaining(
            "(pod shop/p1 node=n-a by attack a-1 (command c-1) until <time>; pod shop/p2 node=n-a"
                + " by attack a-2 (command c-2) until <time>)");
    // a-2 recovered: what it held is no longer held
    assertThat(
            names(plan(catalog, command("pod-delete", "pod", "one", "p4"), 1, both.subList(0, 1))))
        .containsExactly("shop/p4");
  }

  @Test
  void aZoneOutageTakesThePodsOnItsNodesAndAPodUnderAttackTakesItsZone() {
    FaultCatalog catalog = catalog(List.of());
    // zone-a down: its nodes cordoned as its recovery data records them
    List<BlastRadius.Held> zoneDown =
        List.of(
            new BlastRadius.Held(
                new ClusterTarget("zone", "zone-a", Group.EXPERIMENTAL, Map.of("zone", "zone-a")),
                Map.of("cordoned", "n-a", "alreadyCordoned", ""),
                "z-1 (command c-z) until <time>"));
    for (long seed = 0; seed < 20; seed++) {
      assertThat(names(plan(catalog, command("pod-cpu-stress", "pod", "one"), seed, zoneDown)))
          .as("a pod in the zone that is down costs nothing")
          .isSubsetOf("shop/p1", "shop/p2");
    }
    assertThatThrownBy(() -> plan(catalog, command("pod-delete", "pod", "one", "p3"), 1, zoneDown))
        .hasMessageContaining("2 of 4 EXPERIMENTAL pod targets are taken (pod shop/p1 node=n-a,")
        .hasMessageContaining("by attack z-1 (command c-z) until <time>");
    // and the other way: a pod under attack on n-b takes zone-b, so zone-a would make it two
    List<BlastRadius.Held> podStressed =
        held("p-1 (command c-p) until <time>", List.of(PODS.get(2)));
    assertThatThrownBy(
            () -> plan(catalog, command("zone-outage", "zone", "one", "zone-a"), 1, podStressed))
        .hasMessageContaining(
            "1 of 2 EXPERIMENTAL zone targets are taken (zone zone-b by attack p-1 (command c-p)"
                + " until <time>), and zone-outage (mode one) would take 1 more: 2 of 2 (100%)");
    assertThat(names(plan(catalog, command("zone-outage", "zone", "one"), 1, podStressed)))
        .containsExactly("zone-b");
    // a drained node takes the pods on it
    List<BlastRadius.Held> drained = held("d-1 (command c-d) until <time>", List.of(NODES.get(1)));
    assertThatThrownBy(() -> plan(catalog, command("pod-delete", "pod", "one", "p1"), 1, drained))
        .hasMessageContaining("(pod shop/p3 node=n-b, pod shop/p4 node=n-b by attack d-1");
  }

  @Test
  void aLocalZoneTakesItsProcessesByZoneOrByPidAndAProcessItsZone() {
    List<ProcessTarget> fleet =
        List.of(web("web-1", "zone-a"), web("web-2", "zone-b"), web("web-3", "zone-c"));
    FaultCatalog catalog = catalog(fleet);
    List<BlastRadius.Held> zoneA =
        List.of(
            new BlastRadius.Held(
                zone("zone-a", "", "999999991"), Map.of(), "z-1 (command c-z) until <time>"));
    // three web replicas, 50%: one at a time; the one in the zone that is down is the one
    for (long seed = 0; seed < 20; seed++) {
      assertThat(names(plan(catalog, command("kill-process", "process", "one"), seed, zoneA)))
          .containsExactly("web-1");
    }
    assertThatThrownBy(
            () -> plan(catalog, command("kill-process", "process", "one", "web-2"), 1, zoneA))
        .hasMessageContaining("1 of 3 EXPERIMENTAL process targets are taken (web-1 pid=")
        .hasMessageContaining("(at most 1 of 3 at once, 0 free now)");
    // an orphan rebuilt from attack.state has its name and pid, no labels: the pid places it
    Target orphan =
        AttackAgent.localExecutors().get("pause-process").fromState("web-2", Map.of("pid", "4242"));
    List<BlastRadius.Held> paused =
        held("o-1 (command c-o), which is being recovered now", List.of(orphan));
    List<ClusterTarget> zones =
        List.of(zone("zone-a", "", "1"), zone("zone-b", "", "4242,4243"), zone("zone-c", "", "3"));
    BlastRadius radius = BlastRadius.of(zones, paused, 50);
    assertThat(zones).filteredOn(radius::taken).extracting(Target::name).containsExactly("zone-b");
    assertThat(radius.room()).isZero();
  }

  @Test
  void namesThatLookAlikeAreNotTheSameTarget() {
    ProcessTarget processNamedLikeAZone =
        new ProcessTarget("zone-a", Group.EXPERIMENTAL, 7, "h", 0, null);
    ProcessTarget web1 = web("web-1", "zone-b");
    ProcessTarget web10 =
        new ProcessTarget("web-10", Group.EXPERIMENTAL, 11, "h", 0, null, null, Map.of(), null);
    ProcessTarget commas =
        new ProcessTarget("a,b", Group.EXPERIMENTAL, 12, "h", 0, null, null, Map.of(), null);
    ClusterTarget podA = pod("shop/a", "a");
    ClusterTarget nodeA = new ClusterTarget("node", "a", Group.EXPERIMENTAL, Map.of("node", "a"));
    ClusterTarget zoneB = zone("zone-b", "n-b", "12");
    String h = "x (command y) until <time>";
    // a process named zone-a is not the zone zone-a, nor in it
    assertThat(
            BlastRadius.takes(
                new BlastRadius.Held(processNamedLikeAZone, Map.of(), h), zone("zone-a", "", "")))
        .isFalse();
    assertThat(BlastRadius.takes(new BlastRadius.Held(web1, Map.of(), h), web10)).isFalse();
    // a pod in namespace shop named a is not the node a, but it is on it
    assertThat(BlastRadius.takes(new BlastRadius.Held(podA, Map.of(), h), nodeA)).isTrue();
    assertThat(BlastRadius.takes(new BlastRadius.Held(pod("shop/b", "ab"), Map.of(), h), nodeA))
        .isFalse();
    // a name with a comma is one name; a zone's recorded pids place a process by pid only
    assertThat(BlastRadius.takes(new BlastRadius.Held(zoneB, Map.of(), h), commas)).isTrue();
    assertThat(
            BlastRadius.takes(
                new BlastRadius.Held(zone("zone-c", "", "121,1"), Map.of(), h), commas))
        .isFalse();
    // a pid field that is not a number places nothing and breaks nothing
    assertThat(
            BlastRadius.takes(
                new BlastRadius.Held(zone("zone-c", "n-x", "12x, ,-5"), Map.of("cordoned", ","), h),
                commas))
        .isFalse();
  }

  @Test
  void withNothingHeldTheChoiceIsTheOneWithoutARadius() {
    FaultCatalog catalog = catalog(List.of());
    for (long seed = 0; seed < 20; seed++) {
      List<String> before =
          TargetSelection.pick("percent:50", PODS.subList(0, 4), t -> null, new Random(seed))
              .stream()
              .map(Target::name)
              .toList();
      assertThat(names(plan(catalog, command("pod-delete", "pod", "percent:50"), seed, List.of())))
          .isEqualTo(before);
    }
    // one attack over the share is refused by the per-attack check, as before
    assertThatThrownBy(
            () ->
                plan(
                    catalog,
                    command("pod-delete", "pod", "all"),
                    1,
                    held("a (command b) until <time>", List.of(PODS.get(0)))))
        .hasMessage(
            "target.mode: blast radius: 4 of 4 EXPERIMENTAL pod targets (100%) is over"
                + " agent.max.blast.radius.percent=50 (at most 2 of 4)");
  }
}
