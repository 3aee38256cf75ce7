package io.faultline.agent.local;

import io.faultline.agent.FaultSpecs;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code packet-loss} through the {@link ImpairmentProxy} in front of the target. TCP hides loss
 * behind retransmission, so what an application sees of a lost segment is a stall of one
 * retransmission timeout: with probability {@code percent}/100 each chunk the proxy forwards, in
 * either direction, is held for {@code retransmit} (default 200ms, Linux's minimum RTO; {@link
 * FaultSpecs#PACKET_LOSS}) before it goes on, and what follows it waits behind it. Nothing is
 * dropped and no connection is reset. The proxy drops the impairment by itself at the attack's
 * deadline.
 */
public final class PacketLoss extends ProxyImpairment {

  public PacketLoss() {
    super(FaultSpecs.PACKET_LOSS, "loss");
  }

  @Override
  Map<String, Long> values(Map<String, String> parameters) {
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("percent", (long) spec().integer(parameters, "percent"));
    values.put("retransmit-ms", spec().millis(parameters, "retransmit"));
    return values;
  }

  @Override
  String describe(Map<String, Long> values) {
    return "loss=" + values.get("percent") + "% retransmit=" + values.get("retransmit-ms") + "ms";
  }
}
