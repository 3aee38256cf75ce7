package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.util.List;
import java.util.Map;

/**
 * {@code pod-cpu-stress} ({@code workers}, {@code load}) and {@code pod-memory-stress} ({@code mb};
 * ranges in {@link FaultSpecs}): stress-ng in an ephemeral container of the target pod, bounded by
 * the attack's duration, killed on recover. The image ({@code agent.kubernetes.stress.image}) must
 * hold sh, stress-ng and pkill.
 */
public final class PodStress extends EphemeralFault {

  private final boolean memory;

  private PodStress(KubernetesScope scope, String image, boolean memory) {
    super(scope, image);
    this.memory = memory;
  }

  public static PodStress cpu(KubernetesScope scope, String image) {
    return new PodStress(scope, image, false);
  }

  public static PodStress memory(KubernetesScope scope, String image) {
    return new PodStress(scope, image, true);
  }

  @Override
  public FaultSpec spec() {
    return memory ? FaultSpecs.POD_MEMORY_STRESS : FaultSpecs.POD_CPU_STRESS;
  }

  @Override
  List<String> command(Map<String, String> p, long seconds) {
    String stress =
        memory
            ? "stress-ng --vm 1 --vm-bytes "
                + spec().integer(p, "mb")
                + "M --vm-keep --timeout "
                + seconds
                + "s"
            : "stress-ng --cpu "
                + spec().integer(p, "workers")
                + " --cpu-load "
                + spec().integer(p, "load")
                + " --timeout "
                + seconds
                + "s";
    // not exec'd: PID 1 would ignore the TERM of recover; sh waits and ends with stress-ng
    return List.of("sh", "-c", stress + " & wait");
  }

  @Override
  List<String> stopCommand(Map<String, String> recovery) {
    return List.of("sh", "-c", "pkill stress-ng; true");
  }

  @Override
  String what(Map<String, String> p) {
    return memory
        ? "memory stress " + spec().integer(p, "mb") + " MB"
        : "cpu stress "
            + spec().integer(p, "workers")
            + " workers at "
            + spec().integer(p, "load")
            + "%";
  }
}
