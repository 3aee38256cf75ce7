package io.faultline.agent.aws;

import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Target;
import io.faultline.agent.TargetInventory;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Running EC2 instances that carry the tag {@code faultline.io/group} (its value is the group),
 * filtered by the selector's labels as further tags (e.g. {@code eks:nodegroup-name}).
 */
public final class Ec2Inventory implements TargetInventory {

  public static final String GROUP_TAG = "faultline.io/group";

  private final Ec2Client ec2;

  public Ec2Inventory(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  @Override
  public String kind() {
    return "ec2";
  }

  @Override
  public List<? extends Target> list(TargetSelector selector) {
    List<Filter> filters = new ArrayList<>();
    filters.add(Filter.builder().name("instance-state-name").values("running").build());
    filters.add(Filter.builder().name("tag-key").values(GROUP_TAG).build());
    selector
        .getLabels()
        .forEach((k, v) -> filters.add(Filter.builder().name("tag:" + k).values(v).build()));
    List<ClusterTarget> targets = new ArrayList<>();
    String token = null;
    do {
      DescribeInstancesResponse page =
          ec2.describeInstances(
              DescribeInstancesRequest.builder().filters(filters).nextToken(token).build());
      for (Reservation r : page.reservations()) {
        for (Instance i : r.instances()) {
          String zone = i.placement() == null ? "" : i.placement().availabilityZone();
          targets.add(
              new ClusterTarget(
                  "ec2",
                  i.instanceId(),
                  group(i.tags()),
                  Map.of("instanceId", i.instanceId(), "zone", zone == null ? "" : zone)));
        }
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return targets;
  }

  static Group group(List<Tag> tags) {
    for (Tag t : tags) {
      if (GROUP_TAG.equals(t.key()) && t.value() != null) {
        return switch (t.value().strip().toLowerCase(Locale.ROOT)) {
          case "experimental" -> Group.EXPERIMENTAL;
          case "control" -> Group.CONTROL;
          default -> Group.UNKNOWN;
        };
      }
    }
    return Group.UNKNOWN;
  }
}
