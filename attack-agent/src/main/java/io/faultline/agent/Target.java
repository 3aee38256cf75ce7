package io.faultline.agent;

import io.faultline.schema.Group;
import java.util.Map;

/** Something an attack may touch: a local process, a pod, a node, a zone, an EC2 instance. */
public interface Target {

  /** The selector kind this target answers to: process, pod, node, zone, ec2, fis-template. */
  String kind();

  /** Unique within its kind; the name selectors use and attack.state keys start with. */
  String name();

  Group group();

  /** How events name it, e.g. {@code pod shop/cart-7d9 (node n-1, zone eu-west-1a)}. */
  String describe();

  /**
   * What attack.state records about the target before a fault runs, so that another agent can
   * rebuild it for recovery. Keys hold no dots.
   */
  Map<String, String> stateEntries();
}
