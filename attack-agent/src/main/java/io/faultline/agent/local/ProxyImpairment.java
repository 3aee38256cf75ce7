package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A fault applied by the {@link ImpairmentProxy} in front of the target (its {@code
 * proxy.control}): the impairment's values are sent to the proxy with the attack's deadline, the
 * proxy drops them by itself then, and recovery clears them. Subclasses name the fault, the proxy's
 * impairment and how its parameters become values.
 */
abstract class ProxyImpairment implements FaultExecutor {

  private final String fault;
  private final String impairment;

  ProxyImpairment(String fault, String impairment) {
    this.fault = fault;
    this.impairment = impairment;
  }

  /** The values the proxy is given, checked (an error names the parameter and what is allowed). */
  abstract Map<String, Long> values(Map<String, String> parameters);

  /** How the applied values read in events, e.g. {@code latency=100ms jitter=0ms}. */
  abstract String describe(Map<String, Long> values);

  @Override
  public final String fault() {
    return fault;
  }

  @Override
  public final void validate(Map<String, String> parameters) {
    values(parameters);
  }

  @Override
  public final Applied apply(
      ProcessTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String control = ProxyControl.address(target, fault);
    Map<String, Long> values = values(parameters);
    Map<String, String> recovery = ProxyControl.set(control, impairment, values, duration);
    return new Applied(
        List.of(target.describe() + " proxy " + control + " " + describe(values)), recovery);
  }

  @Override
  public final String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ProxyControl.clear(target, recovery);
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
