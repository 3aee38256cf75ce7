package io.faultline.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The (resource, verb) pairs of faultline/rbac/attack-agent.yaml, and how a request to the core API
 * maps to one, as the API server's authorizer sees it.
 */
final class RbacContract {

  private static final Pattern CORE =
      Pattern.compile(
          "/api/v1(?:/namespaces/[^/]+)?/(?<resource>[a-z]+)(?:/(?<name>[^/]+)(?:/(?<sub>[a-z]+))?)?");

  private RbacContract() {}

  /** Entries like {@code pods/eviction create}. */
  static Set<String> granted() throws Exception {
    Set<String> granted = new TreeSet<>();
    try (InputStream in =
        RbacContract.class.getResourceAsStream("/faultline/rbac/attack-agent.yaml")) {
      JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(in).path("rules");
      for (JsonNode rule : rules) {
        boolean core = false;
        for (JsonNode g : rule.path("apiGroups")) {
          core |= g.asText().isEmpty();
        }
        if (!core) {
          continue;
        }
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            granted.add(resource.asText() + " " + verb.asText());
          }
        }
      }
    }
    return granted;
  }

  /** {@code pods/exec get}, {@code nodes patch}, ...; IllegalArgumentException for other APIs. */
  static String of(ClusterFixture.Request request) {
    String path = request.path();
    int q = path.indexOf('?');
    String query = q < 0 ? "" : path.substring(q + 1);
    Matcher m = CORE.matcher(q < 0 ? path : path.substring(0, q));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a core API request: " + request);
    }
    String resource = m.group("resource");
    boolean item = m.group("name") != null;
    if (m.group("sub") != null) {
      resource = resource + "/" + m.group("sub");
    }
    String verb =
        switch (request.method()) {
          case "GET" -> item ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> item ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException("unexpected method: " + request);
        };
    return resource + " " + verb;
  }
}
