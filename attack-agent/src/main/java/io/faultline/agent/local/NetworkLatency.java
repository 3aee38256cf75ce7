package io.faultline.agent.local;

import io.faultline.agent.FaultSpecs;
import io.faultline.schema.InvalidRecordException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code network-latency}: the {@link ImpairmentProxy} in front of the target (its {@code
 * proxy.control}) delays every chunk the target sends back by {@code latency} ± {@code jitter} (at
 * most latency; {@link FaultSpecs#NETWORK_LATENCY}), so a request-response round trip through the
 * proxy grows by about {@code latency}. The proxy drops it by itself at the attack's deadline.
 */
public final class NetworkLatency extends ProxyImpairment {

  public NetworkLatency() {
    super(FaultSpecs.NETWORK_LATENCY, "latency");
  }

  @Override
  Map<String, Long> values(Map<String, String> parameters) {
    long ms = spec().millis(parameters, "latency");
    long jitter = spec().millis(parameters, "jitter");
    if (jitter > ms) {
      throw new InvalidRecordException(
          "parameters.jitter",
          "'" + parameters.get("jitter") + "': must be from 0ms to the latency, " + ms + "ms");
    }
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
