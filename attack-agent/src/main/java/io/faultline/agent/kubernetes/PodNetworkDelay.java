package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultParameters;
import java.util.List;
import java.util.Map;

/**
 * {@code pod-network-delay}: {@code tc qdisc add dev <interface> root netem delay <delayMs>ms
 * <jitterMs>ms} from an ephemeral container with NET_ADMIN (the pod's network namespace is shared),
 * deleted when the duration is over or on recover. Parameters {@code delayMs} 1-60000 (default
 * 100), {@code jitterMs} 0-60000 (default 0), {@code interface} (default eth0). The image ({@code
 * agent.kubernetes.network.image}) must hold sh, tc and pkill.
 */
public final class PodNetworkDelay extends EphemeralFault {

  public PodNetworkDelay(KubernetesScope scope, String image) {
    super(scope, image);
  }

  @Override
  public String fault() {
    return "pod-network-delay";
  }

  @Override
  boolean netAdmin() {
    return true;
  }

  @Override
  public void validate(Map<String, String> parameters) {
    FaultParameters.wholeNumber(parameters, "delayMs", 100, 1, 60_000);
    FaultParameters.wholeNumber(parameters, "jitterMs", 0, 0, 60_000);
    device(parameters);
  }

  private static String device(Map<String, String> p) {
    return p.containsKey("interface")
        ? FaultParameters.matching(
            p, "interface", "[A-Za-z0-9_.-]{1,15}", "a network interface name such as eth0")
        : "eth0";
  }

  @Override
  List<String> command(Map<String, String> p, long seconds) {
    String dev = device(p);
    return List.of(
        "sh",
        "-c",
        "tc qdisc add dev "
            + dev
            + " root netem delay "
            + FaultParameters.wholeNumber(p, "delayMs", 100, 1, 60_000)
            + "ms "
            + FaultParameters.wholeNumber(p, "jitterMs", 0, 0, 60_000)
            + "ms && sleep "
            + seconds
            + "; tc qdisc del dev "
            + dev
            + " root");
  }

  @Override
  Map<String, String> recoveryOf(Map<String, String> parameters) {
    return Map.of("interface", device(parameters));
  }

  @Override
  List<String> stopCommand(Map<String, String> recovery) {
    String dev = recovery.getOrDefault("interface", "eth0");
    return List.of("sh", "-c", "tc qdisc del dev " + dev + " root; pkill -x sleep; true");
  }

  @Override
  String what(Map<String, String> p) {
    return "network delay "
        + FaultParameters.wholeNumber(p, "delayMs", 100, 1, 60_000)
        + " ms +- "
        + FaultParameters.wholeNumber(p, "jitterMs", 0, 0, 60_000)
        + " ms on "
        + device(p);
  }
}
