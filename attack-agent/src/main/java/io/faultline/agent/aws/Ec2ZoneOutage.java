package io.faultline.agent.aws;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;

/**
 * {@code ec2-zone-outage}: stops the running EXPERIMENTAL instances (tag {@code
 * faultline.io/group=experimental}, plus the selector's labels as tags, e.g. the node group) in the
 * availability zone of parameter {@code zone}; the selector's mode picks among them ({@code all}
 * for a whole-zone outage, within the blast radius). Recover starts exactly the instances it
 * stopped.
 */
public final class Ec2ZoneOutage extends ClusterFault {

  private final Ec2Client ec2;

  public Ec2ZoneOutage(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.EC2_ZONE_OUTAGE;
  }

  @Override
  public Overlap overlap() {
    return Overlap.REFUSE; // the first recovery would start an instance the second one stopped
  }

  @Override
  protected List<ClusterTarget> narrowClusters(
      List<ClusterTarget> candidates, Map<String, String> params) {
    String zone = spec().text(params, "zone");
    return candidates.stream().filter(t -> zone.equals(t.attributes().get("zone"))).toList();
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) {
    String id = target.attribute("instanceId");
    List<InstanceStateChange> changes =
        ec2.stopInstances(r -> r.instanceIds(id)).stoppingInstances();
    String state = changes.isEmpty() ? "stopping" : changes.get(0).currentState().nameAsString();
    return new Fault.Applied(
        List.of("ec2 " + id + " (" + target.attributes().get("zone") + ") " + state),
        Map.of("stopped", id));
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) {
    String id = recovery.getOrDefault("stopped", target.attribute("instanceId"));
    List<InstanceStateChange> changes =
        ec2.startInstances(r -> r.instanceIds(id)).startingInstances();
    String state = changes.isEmpty() ? "pending" : changes.get(0).currentState().nameAsString();
    return "ec2 " + id + " started (" + state + ")";
  }
}
