package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code network-latency}: the {@link ImpairmentProxy} in front of the target (its {@code
 * proxy.control}) delays every chunk the target sends back by {@code latency} (1ms..60s, default
 * 100ms) ± {@code jitter} (0..latency, default 0ms), so a request-response round trip through the
 * proxy grows by about {@code latency}. The proxy drops it by itself at the attack's deadline.
 */
public final class NetworkLatency implements FaultExecutor {

  @Override
  public String fault() {
    return "network-latency";
  }

  @Override
  public void validate(Map<String, String> parameters) {
    values(parameters);
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    String control = ProxyControl.address(target, fault());
    Map<String, Long> values = values(parameters);
    Map<String, String> recovery = ProxyControl.set(control, "latency", values, duration);
    return new Applied(
        List.of(
            target.describe()
                + " proxy "
                + control
                + " latency="
                + values.get("ms")
                + "ms jitter="
                + values.get("jitter")
                + "ms"),
        recovery);
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ProxyControl.clear(target, recovery);
  }

  private static Map<String, Long> values(Map<String, String> parameters) {
    long ms = millis(parameters, "latency", "100ms", 1, 60_000);
    long jitter = millis(parameters, "jitter", "0ms", 0, ms);
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("ms", ms);
    values.put("jitter", jitter);
    return values;
  }

  static long millis(Map<String, String> parameters, String name, String def, long min, long max) {
    String raw = parameters.getOrDefault(name, def);
    long ms = Durations.parse("parameters." + name, raw).toMillis();
    if (ms < min || ms > max) {
      throw new InvalidRecordException(
          "parameters." + name, "'" + raw + "': must be from " + min + "ms to " + max + "ms");
    }
    return ms;
  }
}
