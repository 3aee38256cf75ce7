package io.faultline.agent;

import io.faultline.schema.Group;
import java.time.Duration;
import java.util.Map;

/** A fault on a local process: the agent hands it {@link ProcessTarget}s only. */
public abstract class ProcessFault implements Fault {

  @Override
  public final Applied apply(Target target, Map<String, String> parameters, Duration duration)
      throws Exception {
    return apply((ProcessTarget) target, parameters, duration);
  }

  @Override
  public final String recover(Target target, Map<String, String> recovery) throws Exception {
    return recover((ProcessTarget) target, recovery);
  }

  public abstract Applied apply(
      ProcessTarget target, Map<String, String> parameters, Duration duration) throws Exception;

  /** Undoes {@link #apply}; returns what was restored, for the event. */
  public abstract String recover(ProcessTarget target, Map<String, String> recovery)
      throws Exception;

  @Override
  public final Target fromState(String name, Map<String, String> values) {
    long pid = Long.parseLong(values.getOrDefault("pid", "-1"));
    return new ProcessTarget(name, Group.EXPERIMENTAL, pid, "", 0, null);
  }
}
