package io.faultline.collector;

import io.faultline.schema.Group;
import java.net.URI;

/** One endpoint the load probe drives, and the group it belongs to. */
public record ProbeTarget(Group group, String name, URI uri) {

  public ProbeTarget {
    if (group != Group.CONTROL && group != Group.EXPERIMENTAL) {
      throw new IllegalArgumentException(
          "probe target " + name + ": group " + group + " must be CONTROL or EXPERIMENTAL");
    }
  }

  /** Parses {@code GROUP=name@url}, e.g. {@code CONTROL=scale-control@http://127.0.0.1:8081/}. */
  public static ProbeTarget parse(String text) {
    int eq = text.indexOf('=');
    int at = text.indexOf('@');
    if (eq < 0 || at < eq) {
      throw new IllegalArgumentException(
          "probe.targets entry '"
              + text
              + "': expected GROUP=name@url, e.g. CONTROL=scale-control@http://127.0.0.1:8081/health");
    }
    Group group;
    try {
      group = Group.valueOf(text.substring(0, eq).strip().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "probe.targets entry '" + text + "': group must be CONTROL or EXPERIMENTAL");
    }
    URI uri;
    try {
      uri = URI.create(text.substring(at + 1).strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "probe.targets entry '" + text + "': bad URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "probe.targets entry '" + text + "': URL must be http or https");
    }
    return new ProbeTarget(group, text.substring(eq + 1, at).strip(), uri);
  }
}
