package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultParameters;
import java.util.List;
import java.util.Map;

/**
 * {@code pod-cpu-stress} ({@code workers} 1-64, default 1; {@code load} percent 1-100, default 100)
 * and {@code pod-memory-stress} ({@code mb} 1-65536, default 256): stress-ng in an ephemeral
 * container of the target pod, bounded by the attack's duration, killed on recover. The image
 * ({@code agent.kubernetes.stress.image}) must hold sh, stress-ng and pkill.
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
  public String fault() {
    return memory ? "pod-memory-stress" : "pod-cpu-stress";
  }

  @Override
  public void validate(Map<String, String> parameters) {
    if (memory) {
      FaultParameters.wholeNumber(parameters, "mb", 256, 1, 65536);
    } else {
      FaultParameters.wholeNumber(parameters, "workers", 1, 1, 64);
      FaultParameters.wholeNumber(parameters, "load", 100, 1, 100);
    }
  }

  @Override
  List<String> command(Map<String, String> p, long seconds) {
    String stress =
        memory
            ? "stress-ng --vm 1 --vm-bytes "
                + FaultParameters.wholeNumber(p, "mb", 256, 1, 65536)
                + "M --vm-keep --timeout "
                + seconds
                + "s"
            : "stress-ng --cpu "
                + FaultParameters.wholeNumber(p, "workers", 1, 1, 64)
                + " --cpu-load "
                + FaultParameters.wholeNumber(p, "load", 100, 1, 100)
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
        ? "memory stress " + FaultParameters.wholeNumber(p, "mb", 256, 1, 65536) + " MB"
        : "cpu stress "
            + FaultParameters.wholeNumber(p, "workers", 1, 1, 64)
            + " workers at "
            + FaultParameters.wholeNumber(p, "load", 100, 1, 100)
            + "%";
  }
}
