package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A fault applied by the {@link ImpairmentProxy} in front of the target (its {@code
 * proxy.control}): the impairment's values are sent to the proxy with the attack's deadline, the
 * proxy drops them by itself then, and recovery clears them. Subclasses name the fault, the proxy's
 * impairment and how its parameters become values.
 */
abstract class ProxyImpairment extends ProcessFault {

  private final FaultSpec spec;
  private final String impairment;

  ProxyImpairment(FaultSpec spec, String impairment) {
    this.spec = spec;
    this.impairment = impairment;
  }

  /** The values the proxy is given, checked (an error names the parameter and what is allowed). */
  abstract Map<String, Long> values(Map<String, String> parameters);

  /** How the applied values read in events, e.g. {@code latency=100ms jitter=0ms}. */
  abstract String describe(Map<String, Long> values);

  @Override
  public final FaultSpec spec() {
    return spec;
  }

  @Override
  public Overlap overlap() {
    return Overlap.REFUSE; // the proxy holds one impairment of a kind (another owner gets 409)
  }

  @Override
  public final void validate(Map<String, String> parameters) {
    values(parameters);
  }

  @Override
  public final Applied apply(
      ProcessTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String control = ProxyControl.address(target, fault());
    Map<String, Long> values = values(parameters);
    Map<String, String> recovery = ProxyControl.set(control, impairment, values, duration);
    return new Applied(
        List.of(target.describe() + " proxy " + control + " " + describe(values)), recovery);
  }

  @Override
  public final String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ProxyControl.clear(target, recovery);
  }
}
