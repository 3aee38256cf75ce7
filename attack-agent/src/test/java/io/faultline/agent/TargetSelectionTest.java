package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TargetSelectionTest {

  private final List<ProcessTarget> all =
      List.of(
          new ProcessTarget("c1", Group.CONTROL, 1, "127.0.0.1", 1, null),
          new ProcessTarget("x1", Group.EXPERIMENTAL, 2, "127.0.0.1", 2, null),
          new ProcessTarget("x2", Group.EXPERIMENTAL, 3, "127.0.0.1", 3, null),
          new ProcessTarget("x3", Group.EXPERIMENTAL, 4, "127.0.0.1", 4, null),
          new ProcessTarget("x4", Group.EXPERIMENTAL, 5, "127.0.0.1", 5, null));

  private static TargetSelector selector(Group group, String mode, String... names) {
    return TargetSelector.newBuilder()
        .setGroup(group)
        .setMode(mode)
        .setNames(List.of(names))
        .build();
  }

  @Test
  void rejectsCommandTargetingControlGroup() {
    assertThatThrownBy(
            () -> TargetSelection.select(selector(Group.CONTROL, "all"), all, new Random()))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("target.group: CONTROL: attacks may only target the EXPERIMENTAL group");
  }

  @Test
  void rejectsAControlTargetNamedUnderTheExperimentalGroup() {
    assertThatThrownBy(
            () ->
                TargetSelection.select(
                    selector(Group.EXPERIMENTAL, "all", "x1", "c1"), all, new Random()))
        .hasMessageContaining("'c1' is in the CONTROL group");
  }

  @Test
  void modesChooseHowManyExperimentalTargets() {
    Random r = new Random(1);
    assertThat(TargetSelection.select(selector(Group.EXPERIMENTAL, "one"), all, r)).hasSize(1);
    assertThat(TargetSelection.select(selector(Group.EXPERIMENTAL, "all"), all, r))
        .hasSize(4)
        .allMatch(t -> t.group() == Group.EXPERIMENTAL);
    assertThat(TargetSelection.select(selector(Group.EXPERIMENTAL, "fixed:2"), all, r)).hasSize(2);
    assertThat(TargetSelection.select(selector(Group.EXPERIMENTAL, "percent:50"), all, r))
        .hasSize(2);
    assertThat(
            TargetSelection.select(selector(Group.EXPERIMENTAL, "random-max-percent:50"), all, r))
        .hasSizeBetween(1, 2);
    assertThat(TargetSelection.select(selector(Group.EXPERIMENTAL, "all", "x3"), all, r))
        .extracting(Target::name)
        .containsExactly("x3");
  }

  @Test
  void badModeIsNamed() {
    assertThatThrownBy(
            () -> TargetSelection.select(selector(Group.EXPERIMENTAL, "most"), all, new Random()))
        .hasMessageStartingWith("target.mode: 'most': use one, all, fixed:N");
    assertThatThrownBy(
            () ->
                TargetSelection.select(
                    selector(Group.EXPERIMENTAL, "percent:0"), all, new Random()))
        .hasMessageStartingWith("target.mode");
  }

  @Test
  void unknownNameIsNamed() {
    assertThatThrownBy(
            () ->
                TargetSelection.select(
                    selector(Group.EXPERIMENTAL, "one", "x9"), all, new Random()))
        .hasMessage("target.names: no process target named 'x9'");
  }

  @Test
  void podsAreNamedNamespaceSlashPodOrByTheirShortNameWhenUnambiguous() {
    List<ClusterTarget> pods =
        List.of(
            pod("shop", "web-1", Group.EXPERIMENTAL),
            pod("shop", "web-2", Group.CONTROL),
            pod("shop", "db-0", Group.EXPERIMENTAL),
            pod("tools", "db-0", Group.EXPERIMENTAL));
    TargetSelector byShortName =
        TargetSelector.newBuilder()
            .setKind("pod")
            .setGroup(Group.EXPERIMENTAL)
            .setMode("all")
            .setNames(List.of("web-1"))
            .build();
    assertThat(TargetSelection.select(byShortName, pods, new Random()))
        .extracting(Target::name)
        .containsExactly("shop/web-1");
    byShortName.setNames(List.of("db-0"));
    assertThatThrownBy(() -> TargetSelection.select(byShortName, pods, new Random()))
        .hasMessage("target.names: 'db-0' matches 2 pod targets; use namespace/name");
    byShortName.setNames(List.of("tools/db-0"));
    assertThat(TargetSelection.select(byShortName, pods, new Random()))
        .extracting(Target::name)
        .containsExactly("tools/db-0");
    byShortName.setNames(List.of());
    assertThat(TargetSelection.select(byShortName, pods, new Random()))
        .extracting(Target::name)
        .containsExactlyInAnyOrder("shop/web-1", "shop/db-0", "tools/db-0");
  }

  private static ClusterTarget pod(String ns, String name, Group group) {
    return new ClusterTarget(
        "pod", ns + "/" + name, group, java.util.Map.of("namespace", ns, "pod", name));
  }
}
