package io.faultline.agent.local;

import io.faultline.agent.ProcessTarget;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The agent's side of an {@link ImpairmentProxy}'s control endpoint, shared by the network faults:
 * sets an impairment with the attack's duration as its TTL and an owner token kept in the recovery
 * data, and clears it on recovery (only if that token still owns it).
 */
final class ProxyControl {

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private ProxyControl() {}

  /** The target's proxy control address, or a clear refusal naming the target file key. */
  static String address(ProcessTarget target, String fault) {
    String control = target.proxyControl();
    if (control == null || control.isBlank()) {
      throw new IllegalStateException(
          "target '"
              + target.name()
              + "' has no proxy.control in its target file: "
              + fault
              + " needs an ImpairmentProxy in front of the target (proxy.control=127.0.0.1:PORT;"
              + " see the attack-agent README)");
    }
    return control.strip();
  }

  /** Sets {@code kind} ({@code latency} or {@code loss}); returns the recovery data. */
  static Map<String, String> set(
      String control, String kind, Map<String, Long> values, Duration ttl) throws Exception {
    String owner = UUID.randomUUID().toString();
    String query =
        values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"))
            + "&ttl-ms="
            + ttl.toMillis()
            + "&owner="
            + owner;
    HttpResponse<String> response = send(control, "PUT", kind, query);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "proxy " + control + " refused " + kind + ": " + response.body().strip());
    }
    return Map.of("control", control, "kind", kind, "owner", owner);
  }

  /** Clears what {@link #set} set; a proxy that has already dropped it (TTL) is fine. */
  static String clear(ProcessTarget target, Map<String, String> recovery) throws Exception {
    String control = recovery.get("control");
    String kind = recovery.get("kind");
    String owner = recovery.get("owner");
    if (control == null || kind == null || owner == null) {
      return target.name() + ": no proxy impairment recorded; the proxy's TTL clears any";
    }
    HttpResponse<String> response =
        send(control, "DELETE", kind, "owner=" + URLEncoder.encode(owner, StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "proxy " + control + " did not clear " + kind + ": " + response.body().strip());
    }
    return target.name() + " proxy " + control + ": " + response.body().strip();
  }

  private static HttpResponse<String> send(String control, String method, String kind, String q)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + control + "/" + kind + "?" + q))
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
