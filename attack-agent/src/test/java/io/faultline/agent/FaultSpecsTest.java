package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The catalogue is the agent's: it registers exactly these faults and checks by them. */
class FaultSpecsTest {

  static List<FaultSpec> specs() {
    return FaultSpecs.ALL;
  }

  @Test
  void theAgentRegistersExactlyTheCataloguesFaults() {
    assertThat(FaultCatalog.offline().faults().keySet())
        .containsExactlyInAnyOrderElementsOf(FaultSpecs.names());
    assertThat(FaultSpecs.names()).doesNotHaveDuplicates().hasSize(18);
    FaultCatalog.offline()
        .faults()
        .forEach(
            (name, fault) -> {
              assertThat(fault.spec()).isSameAs(FaultSpecs.named(name).orElseThrow());
              // an agent with Kubernetes runs executor-kill on pods, the local one on processes
              assertThat(fault.spec().kinds()).contains(fault.kind());
              assertThat(FaultSpecs.KINDS).containsKey(fault.kind());
            });
  }

  @Test
  void everyPlatformHasFaultsAndEveryFaultAPlatform() {
    for (String platform : FaultSpecs.PLATFORMS) {
      assertThat(FaultSpecs.on(platform)).as(platform).isNotEmpty();
    }
    for (FaultSpec s : FaultSpecs.ALL) {
      assertThat(FaultSpecs.PLATFORMS).as(s.name()).containsAll(s.platforms());
      assertThat(s.platforms()).as(s.name()).isNotEmpty();
    }
    assertThat(FaultSpecs.kindsOn("aws")).contains("ec2", "fis-template", "pod");
    assertThat(FaultSpecs.kindsOn("local")).containsExactly("process", "zone");
  }

  @ParameterizedTest
  @MethodSource("specs")
  void everyDefaultPassesItsOwnChecks(FaultSpec spec) {
    Map<String, String> defaults = new HashMap<>();
    Map<String, String> required = new HashMap<>();
    for (FaultSpec.Parameter p : spec.parameters()) {
      assertThat(p.help()).as(spec.name() + "." + p.name()).isNotBlank();
      if (p.required()) {
        required.put("parameters." + p.name(), "required by " + spec.name() + ": " + p.help());
      } else if (p.defaultValue() != null) {
        defaults.put(p.name(), p.defaultValue());
      } else {
        assertThat(p.required() || p.defaultHelp() != null)
            .as(spec.name() + "." + p.name() + " says what happens when it is absent")
            .isTrue();
      }
    }
    assertThat(spec.problems(defaults)).isEqualTo(required);
  }

  @Test
  void unknownParameterIsRejectedNamingItAndTheClosestKnownOne() {
    assertThatThrownBy(
            () -> FaultCatalog.offline().check("cpu-burn", "process", Map.of("corez", "8")))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> {
              assertThat(e.field()).isEqualTo("parameters.corez");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "parameters.corez: unknown parameter of cpu-burn; did you mean cores?");
            });
    assertThatThrownBy(
            () -> FaultCatalog.offline().check("pod-delete", "pod", Map.of("gracePeriod", "0")))
        .hasMessage(
            "parameters.gracePeriod: unknown parameter of pod-delete; did you mean"
                + " gracePeriodSeconds?");
    assertThatThrownBy(
            () -> FaultCatalog.offline().check("kill-process", "process", Map.of("x", "1")))
        .hasMessage("parameters.x: unknown parameter; kill-process takes none");
  }

  @Test
  void outOfRangeMissingAndWrongKindAreRejectedNamingTheField() {
    FaultCatalog catalog = FaultCatalog.offline();
    assertThatThrownBy(() -> catalog.check("cpu-burn", "process", Map.of("cores", "65")))
        .hasMessage("parameters.cores: '65': must be a whole number from 1 to 64");
    assertThatThrownBy(() -> catalog.check("ec2-zone-outage", "ec2", Map.of()))
        .hasMessageStartingWith("parameters.zone: required");
    assertThatThrownBy(() -> catalog.check("ec2-zone-outage", "ec2", Map.of("zone", "moon")))
        .hasMessage("parameters.zone: 'moon': must be an availability zone such as eu-west-1a");
    assertThatThrownBy(() -> catalog.check("zone-outage", "pod", Map.of()))
        .hasMessage("target.kind: 'pod': fault zone-outage takes targets of kind zone");
    assertThatThrownBy(() -> catalog.check("disk-io-pressure", "process", Map.of()))
        .hasMessage("fault: 'disk-io-pressure' is unknown; did you mean disk-io?");
    assertThatThrownBy(() -> catalog.check("zone-outage", "zone", Map.of("force", "yes")))
        .hasMessageStartingWith("parameters.force: 'yes': must be true or false");
    assertThatCode(() -> catalog.check("network-latency", "process", Map.of("latency", "150ms")))
        .doesNotThrowAnyException();
  }

  @Test
  void aStartCommandWithAMistypedParameterIsRejectedBeforeAnyTargetIsChosen() {
    long alive = ProcessHandle.current().pid();
    AttackCommand command =
        AttackCommand.newBuilder()
            .setCommandId("c-1")
            .setExperimentId("e-1")
            .setType(CommandType.START)
            .setFault("cpu-burn")
            .setDurationMs(3000L)
            .setParameters(Map.of("corez", "8"))
            .setTarget(
                TargetSelector.newBuilder()
                    .setKind("process")
                    .setNames(List.of("exp"))
                    .setGroup(Group.EXPERIMENTAL)
                    .setMode("all")
                    .build())
            .build();
    assertThatThrownBy(
            () ->
                AttackPlan.of(
                    command,
                    AttackAgent.localExecutors(),
                    Duration.ofMinutes(1),
                    List.of(
                        new ProcessTarget("exp", Group.EXPERIMENTAL, alive, "127.0.0.1", 1, null)),
                    new Random(1)))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("parameters.corez"));
  }

  @Test
  void typedReadsGiveTheDefaultOrTheCheckedValue() {
    assertThat(FaultSpecs.CPU_BURN.integer(Map.of(), "cores")).isEqualTo(1);
    assertThat(FaultSpecs.CPU_BURN.integer(Map.of("cores", " 8 "), "cores")).isEqualTo(8);
    assertThat(FaultSpecs.NETWORK_LATENCY.millis(Map.of("latency", "2s"), "latency"))
        .isEqualTo(2000);
    assertThat(FaultSpecs.POD_DELETE.integerOrNull(Map.of(), "gracePeriodSeconds")).isNull();
    assertThat(FaultSpecs.CONTAINER_KILL.text(Map.of(), "signal")).isEqualTo("TERM");
    assertThat(FaultSpecs.CONTAINER_KILL.text(Map.of(), "container")).isNull();
    assertThatThrownBy(() -> FaultSpecs.CPU_BURN.integer(Map.of("cores", "0"), "cores"))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("parameters.cores");
  }
}
