package io.faultline.agent.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code packet-loss} through the {@link ImpairmentProxy} in front of the target. TCP hides loss
 * behind retransmission, so what an application sees of a lost segment is a stall of one
 * retransmission timeout: with probability {@code percent}/100 (1..100, default 10) each chunk the
 * proxy forwards, in either direction, is held for {@code retransmit} (10ms..10s, default 200ms,
 * Linux's minimum RTO) before it goes on, and what follows it waits behind it. Nothing is dropped
 * and no connection is reset. The proxy drops the impairment by itself at the attack's deadline.
 */
public final class PacketLoss extends ProxyImpairment {

  public PacketLoss() {
    super("packet-loss", "loss");
  }

  @Override
  Map<String, Long> values(Map<String, String> parameters) {
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("percent", (long) CpuBurn.intParam(parameters, "percent", 10, 1, 100));
    values.put("retransmit-ms", millis(parameters, "retransmit", "200ms", 10, 10_000));
    return values;
  }

  @Override
  String describe(Map<String, Long> values) {
    return "loss=" + values.get("percent") + "% retransmit=" + values.get("retransmit-ms") + "ms";
  }
}
