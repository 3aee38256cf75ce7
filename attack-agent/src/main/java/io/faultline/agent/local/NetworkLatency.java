package io.faultline.agent.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code network-latency}: the {@link ImpairmentProxy} in front of the target (its {@code
 * proxy.control}) delays every chunk the target sends back by {@code latency} (1ms..60s, default
 * 100ms) ± {@code jitter} (0..latency, default 0ms), so a request-response round trip through the
 * proxy grows by about {@code latency}. The proxy drops it by itself at the attack's deadline.
 */
public final class NetworkLatency extends ProxyImpairment {

  public NetworkLatency() {
    super("network-latency", "latency");
  }

  @Override
  Map<String, Long> values(Map<String, String> parameters) {
    long ms = millis(parameters, "latency", "100ms", 1, 60_000);
    long jitter = millis(parameters, "jitter", "0ms", 0, ms);
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("ms", ms);
    values.put("jitter", jitter);
    return values;
  }

  @Override
  String describe(Map<String, Long> values) {
    return "latency=" + values.get("ms") + "ms jitter=" + values.get("jitter") + "ms";
  }
}
