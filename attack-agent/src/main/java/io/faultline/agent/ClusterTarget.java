package io.faultline.agent;

import io.faultline.schema.Group;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target outside this host: a pod ({@code name} = namespace/pod), a node, a zone, an EC2 instance
 * or an AWS FIS experiment template. {@code attributes} hold what its faults need (namespace, pod,
 * node, zone, instanceId, ...); keys hold no dots, since attack.state flattens them.
 */
public record ClusterTarget(String kind, String name, Group group, Map<String, String> attributes)
    implements Target {

  public ClusterTarget {
    attributes = Map.copyOf(attributes);
  }

  public String attribute(String key) {
    String value = attributes.get(key);
    if (value == null) {
      throw new IllegalStateException(kind + " " + name + ": no '" + key + "' recorded");
    }
    return value;
  }

  @Override
  public String describe() {
    StringBuilder s = new StringBuilder(kind).append(' ').append(name);
    if (attributes.containsKey("node") && !"node".equals(kind)) {
      s.append(" node=").append(attributes.get("node"));
    }
    if (attributes.containsKey("zone") && !"zone".equals(kind)) {
      s.append(" zone=").append(attributes.get("zone"));
    }
    return s.toString();
  }

  @Override
  public Map<String, String> stateEntries() {
    return new TreeMap<>(attributes);
  }
}
