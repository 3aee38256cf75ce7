package io.faultline.agent.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A fault run inside the target pod by an ephemeral container (pods/ephemeralcontainers): it shares
 * the pod's network and resources. Its command ends by itself when the attack's duration is over,
 * so even an agent that dies leaves nothing behind for long; recover ends it earlier through
 * pods/exec. Kubernetes cannot remove an ephemeral container: it stays, terminated, in the pod's
 * status.
 */
abstract class EphemeralFault extends ClusterFault {

  private static final SecureRandom RANDOM = new SecureRandom();

  final KubernetesScope scope;
  final String image;

  EphemeralFault(KubernetesScope scope, String image) {
    this.scope = scope;
    this.image = image;
  }

  @Override
  public String kind() {
    return "pod";
  }

  /** The container's command: must end by itself within {@code seconds}. */
  abstract List<String> command(Map<String, String> parameters, long seconds);

  /** The command that ends the fault early (run in the ephemeral container). */
  abstract List<String> stopCommand(Map<String, String> recovery);

  /** What the fault does, for the STARTED event, e.g. {@code cpu stress 2 workers at 80%}. */
  abstract String what(Map<String, String> parameters);

  boolean netAdmin() {
    return false;
  }

  /** What {@link #stopCommand} needs besides the container's name. */
  Map<String, String> recoveryOf(Map<String, String> parameters) {
    return Map.of();
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String name = "faultline-" + fault() + "-" + HexFormat.of().formatHex(randomBytes());
    long seconds = Math.max(1, (duration.toMillis() + 999) / 1000);
    Map<String, Object> container =
        new java.util.LinkedHashMap<>(
            Map.of(
                "name",
                name,
                "image",
                image,
                "command",
                command(parameters, seconds),
                "stdin",
                false,
                "tty",
                false));
    if (netAdmin()) {
      container.put("securityContext", Map.of("capabilities", Map.of("add", List.of("NET_ADMIN"))));
    }
    String patch =
        io.fabric8.kubernetes.client.utils.Serialization.asJson(
            Map.of("spec", Map.of("ephemeralContainers", List.of(container))));
    scope
        .pod(target)
        .ephemeralContainers()
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    return new Fault.Applied(
        List.of(
            "pod "
                + target.name()
                + " "
                + what(parameters)
                + " in ephemeral container "
                + name
                + " for "
                + seconds
                + " s"
                + PodDelete.where(target)),
        merged(recoveryOf(parameters), name));
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) throws Exception {
    String name = recovery.get("ephemeralContainer");
    if (name == null) {
      return "pod " + target.name() + ": no ephemeral container recorded; nothing to stop";
    }
    try {
      PodExec.runChecked(
          scope.client(),
          target.attribute("namespace"),
          target.attribute("pod"),
          name,
          Duration.ofSeconds(30),
          stopCommand(recovery).toArray(String[]::new));
      return "pod " + target.name() + " ephemeral container " + name + " stopped";
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return "pod " + target.name() + " is gone; its " + name + " went with it";
      }
      throw e;
    }
  }

  private static Map<String, String> merged(Map<String, String> extra, String name) {
    Map<String, String> recovery = new java.util.TreeMap<>(extra);
    recovery.put("ephemeralContainer", name);
    return recovery;
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[3];
    RANDOM.nextBytes(b);
    return b;
  }
}
