package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Experiment files with a local fleet (groups.local.replicas): pod faults by label, zones by name.
 */
class FleetExperimentFileTest {

  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void theZoneExampleNamesALocalZoneAndAFleetOfTwo() {
    ExperimentDefinition d = ExperimentFileParser.read(EXAMPLES.resolve("local-fleet-zone.yaml"));
    assertThat(d.groups().local().replicas()).isEqualTo(2);
    var attack = d.method().attacks().get(0);
    assertThat(attack.fault()).isEqualTo("zone-outage");
    assertThat(attack.selector().kind()).isEqualTo("zone");
    assertThat(attack.selector().names()).containsExactly("zone-a");
    assertThat(attack.parameters()).containsEntry("signal", "KILL");
  }

  @Test
  void thePodExampleSelectsWebReplicasByLabel() {
    ExperimentDefinition d = ExperimentFileParser.read(EXAMPLES.resolve("local-fleet-pod.yaml"));
    assertThat(d.groups().local().replicas()).isEqualTo(3);
    assertThat(d.method().attacks())
        .allSatisfy(
            a -> {
              assertThat(a.selector().labels()).containsEntry("role", "web");
              assertThat(a.selector().names()).isEmpty();
            });
  }

  @Test
  void aFleetOfOneAndAnUnknownSignalAreRejectedNamingTheKey() throws Exception {
    String zone = Files.readString(EXAMPLES.resolve("local-fleet-zone.yaml"));
    assertThatThrownBy(
            () -> ExperimentFileParser.parse("x.yaml", zone.replace("replicas: 2", "replicas: 1")))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e -> assertThat(e.errors()).anyMatch(m -> m.startsWith("groups.local.replicas")));
    assertThatThrownBy(
            () ->
                ExperimentFileParser.parse("x.yaml", zone.replace("signal: KILL", "signal: TERM")))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e -> assertThat(e.errors()).anyMatch(m -> m.contains("signal")));
  }

  @Test
  void aCpuListTasksetWouldRefuseIsRejectedNamingTheKeyAndWhatIsAllowed() throws Exception {
    String demo = Files.readString(EXAMPLES.resolve("local-demo.yaml"));
    assertThatThrownBy(
            () ->
                ExperimentFileParser.parse(
                    "x.yaml", demo.replace("experimentalCpus: \"1\"", "experimentalCpus: \"1;x\"")))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .contains(
                        "groups.local.experimentalCpus: '1;x' is not a CPU list such as 0, 0-1 or"
                            + " 0,2-3, or none"));
    assertThat(
            ExperimentFileParser.parse(
                    "x.yaml", demo.replace("controlCpus: \"0\"", "controlCpus: \"none\""))
                .groups()
                .local()
                .controlCpus())
        .isEqualTo("none");
  }

  @Test
  void theDemoScenariosAreTheBundledFiles() {
    assertThat(DemoExperiment.bundled("local-fleet-zone.yaml").metadata().name())
        .isEqualTo("local-fleet-zone");
    assertThat(DemoExperiment.bundled("local-fleet-pod.yaml").metadata().name())
        .isEqualTo("local-fleet-pod");
    assertThat(DemoExperiment.bundled(DemoExperiment.FILE).metadata().name())
        .isEqualTo("local-demo");
    assertThatThrownBy(() -> DemoExperiment.bundled("region.yaml"))
        .hasMessage("faultline/region.yaml is missing from the jar");
  }

  @Test
  void withoutReplicasAGroupIsStillOneProcess() {
    ExperimentDefinition d = ExperimentFileParser.read(EXAMPLES.resolve("local-demo.yaml"));
    assertThat(d.groups().local().replicas()).isZero();
  }
}
