package io.faultline.agent;

import java.util.List;
import java.util.Map;

/** One fault: apply it to a target, and recover from it. One small class per fault. */
public interface FaultExecutor {

  /** What an applied fault touched (for events) and what recovery needs (kept in attack.state). */
  record Applied(List<String> touched, Map<String, String> recovery) {}

  /** The fault's name, target kind and parameters, from the catalogue ({@link FaultSpecs}). */
  FaultSpec spec();

  /** The fault's name in commands, e.g. {@code cpu-burn}. */
  default String fault() {
    return spec().name();
  }

  /**
   * Checks what the catalogue cannot (e.g. that a directory exists), before anything is touched;
   * the spec's checks have passed. Throws InvalidRecordException.
   */
  default void validate(Map<String, String> parameters) {}

  Applied apply(ProcessTarget target, Map<String, String> parameters, java.time.Duration duration)
      throws Exception;

  /** Undoes {@link #apply}; returns what was restored, for the event. */
  String recover(ProcessTarget target, Map<String, String> recovery) throws Exception;
}
