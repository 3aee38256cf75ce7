package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fleet's target files: zone and role are labels a process selector matches (pod faults). */
class ProcessLabelsTest {

  private static final long ALIVE = ProcessHandle.current().pid();

  @Test
  void aTargetFileNamesItsZoneRoleAndPidFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scale-experimental-db-1.properties");
    Files.writeString(
        file,
        "name=scale-experimental-db-1\ngroup=EXPERIMENTAL\npid=42\nport=5432\nzone=zone-a\n"
            + "role=db\npidfile=/d/postmaster.pid\n");
    ProcessTarget t = LocalTargets.parse(file);
    assertThat(t.labels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone", "zone-a", "role", "db"));
    assertThat(t.zone()).isEqualTo("zone-a");
    assertThat(t.pidFile()).isEqualTo("/d/postmaster.pid");
    assertThat(t.matches(Map.of("role", "db"))).isTrue();
    assertThat(t.matches(Map.of("role", "web"))).isFalse();
    assertThat(t.matches(Map.of())).isTrue();
  }

  private static List<ProcessTarget> fleet() {
    List<ProcessTarget> all = new ArrayList<>();
    for (String group : List.of("CONTROL", "EXPERIMENTAL")) {
      String g = group.toLowerCase();
      for (int i = 1; i <= 4; i++) {
        all.add(target("scale-" + g + "-web-" + i, group, "web", "zone-" + "abca".charAt(i - 1)));
      }
      all.add(target("scale-" + g + "-db-1", group, "db", "zone-a"));
      all.add(target("scale-" + g + "-etcd-1", group, "dcs", "zone-a"));
    }
    return all;
  }

  private static ProcessTarget target(String name, String group, String role, String zone) {
    return new ProcessTarget(
        name,
        Group.valueOf(group),
        ALIVE,
        "127.0.0.1",
        1,
        null,
        null,
        Map.of("role", role, "zone", zone),
        null);
  }

  private static AttackPlan plan(Map<String, String> labels, String mode) {
    AttackCommand command =
        AttackCommand.newBuilder()
            .setCommandId("c")
            .setExperimentId("e")
            .setType(CommandType.START)
            .setFault("kill-process")
            .setDurationMs(1000L)
            .setTarget(
                TargetSelector.newBuilder()
                    .setKind("process")
                    .setGroup(Group.EXPERIMENTAL)
                    .setLabels(labels)
                    .setMode(mode)
                    .build())
            .build();
    return AttackPlan.of(
        command,
        FaultCatalog.local(AttackAgent.localExecutors(), ProcessLabelsTest::fleet),
        Duration.ofMinutes(1),
        50,
        new Random(7));
  }

  @Test
  void aPodFaultTakesAShareOfTheExperimentalWebReplicasOnly() {
    AttackPlan half = plan(Map.of("role", "web"), "percent:50");
    assertThat(half.targets()).hasSize(2);
    assertThat(half.targets())
        .allMatch(t -> t.group() == Group.EXPERIMENTAL && t.name().contains("-web-"));
    AttackPlan inZone = plan(Map.of("role", "web", "zone", "zone-a"), "one");
    assertThat(inZone.targets().stream().map(Target::name))
        .singleElement()
        .isIn("scale-experimental-web-1", "scale-experimental-web-4");
  }

  @Test
  void theBlastRadiusIsCountedAgainstTheReplicasTheLabelsSelect() {
    assertThatThrownBy(() -> plan(Map.of("role", "web"), "fixed:3"))
        .hasMessageContaining("blast radius: 3 of 4 EXPERIMENTAL process targets");
    // both web replicas of zone-a are all the selector addresses there
    assertThatThrownBy(() -> plan(Map.of("role", "web", "zone", "zone-a"), "all"))
        .hasMessageContaining("blast radius: 2 of 2 EXPERIMENTAL process targets");
  }
}
