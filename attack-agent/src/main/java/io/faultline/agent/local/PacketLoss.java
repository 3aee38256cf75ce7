package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
import io.faultline.agent.ProcessTarget;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code packet-loss} through the {@link ImpairmentProxy} in front of the target. TCP hides loss
 * behind retransmission, so what an application sees of a lost segment is a stall of one
 * retransmission timeout: with probability {@code percent}/100 (1..100, default 10) each chunk the
 * proxy forwards, in either direction, is held for {@code retransmit} (10ms..10s, default 200ms,
 * Linux's minimum RTO) before it goes on, and what follows it waits behind it. Nothing is dropped
 * and no connection is reset. The proxy drops the impairment by itself at the attack's deadline.
 */
public final class PacketLoss implements FaultExecutor {

  @Override
  public String fault() {
    return "packet-loss";
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
    Map<String, String> recovery = ProxyControl.set(control, "loss", values, duration);
    return new Applied(
        List.of(
            target.describe()
                + " proxy "
                + control
                + " loss="
                + values.get("percent")
                + "% retransmit="
                + values.get("retransmit-ms")
                + "ms"),
        recovery);
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ProxyControl.clear(target, recovery);
  }

  private static Map<String, Long> values(Map<String, String> parameters) {
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("percent", (long) CpuBurn.intParam(parameters, "percent", 10, 1, 100));
    values.put(
        "retransmit-ms", NetworkLatency.millis(parameters, "retransmit", "200ms", 10, 10_000));
    return values;
  }
}
