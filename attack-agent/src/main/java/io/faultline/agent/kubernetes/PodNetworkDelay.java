package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.util.List;
import java.util.Map;

/**
 * {@code pod-network-delay}: {@code tc qdisc add dev <interface> root netem delay <delayMs>ms
 * <jitterMs>ms} from an ephemeral container with NET_ADMIN (the pod's network namespace is shared),
 * deleted when the duration is over or on recover. Parameters {@code delayMs}, {@code jitterMs},
 * {@code interface} ({@link FaultSpecs#POD_NETWORK_DELAY}). The image ({@code
 * agent.kubernetes.network.image}) must hold sh, tc and pkill.
 */
public final class PodNetworkDelay extends EphemeralFault {

  public PodNetworkDelay(KubernetesScope scope, String image) {
    super(scope, image);
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.POD_NETWORK_DELAY;
  }

  @Override
  public Overlap overlap() {
    return Overlap.REFUSE; // one root qdisc per interface: a second tc qdisc add fails in the pod
  }

  @Override
  boolean netAdmin() {
    return true;
  }

  private String device(Map<String, String> p) {
    return spec().text(p, "interface");
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
            + spec().integer(p, "delayMs")
            + "ms "
            + spec().integer(p, "jitterMs")
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
        + spec().integer(p, "delayMs")
        + " ms +- "
        + spec().integer(p, "jitterMs")
        + " ms on "
        + device(p);
  }
}
