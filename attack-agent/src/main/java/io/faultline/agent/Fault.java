package io.faultline.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One fault, as the agent sees every fault: its spec from the catalogue ({@link FaultSpecs}),
 * {@code apply} and {@code recover} side by side. Targets are chosen once, by the agent, before
 * {@code apply} runs, always of the spec's kind; a fault class extends {@link ProcessFault} or
 * {@link ClusterFault}, which hand it targets of its own type.
 */
public interface Fault {

  /** What an applied fault touched (for events) and what recovery needs (kept in attack.state). */
  record Applied(List<String> touched, Map<String, String> recovery) {}

  /**
   * What a second attack of this fault on a target that one already holds gets (docs/adr/0085): an
   * accepted attack holds its fault for its duration and is reverted by its end.
   */
  enum Overlap {
    /** Each attack brings its own fault (a burner, a holder) or leaves nothing to undo. */
    STACK,
    /** One fault held by all of them (a SIGSTOP): undone when the last holder ends. */
    SHARE,
    /** Cannot be held twice (one impairment per proxy, a zone down): REJECTED up front. */
    REFUSE
  }

  /** {@link Overlap#STACK} unless the fault says otherwise. */
  default Overlap overlap() {
    return Overlap.STACK;
  }

  /**
   * The pids this fault stops with SIGSTOP on {@code target} (or resumes with SIGCONT at its end):
   * none unless the fault says so. Two attacks of different faults that stop one pid are refused
   * (docs/adr/0090): the first one's end would resume the process the other still holds.
   */
  default Set<Long> stops(Target target) {
    return Set.of();
  }

  /** The fault's name, target kind and parameters. */
  FaultSpec spec();

  /** The fault's name in commands, e.g. {@code cpu-burn}. */
  default String fault() {
    return spec().name();
  }

  /** The selector kind it takes: process, pod, node, zone, ec2 or fis-template. */
  default String kind() {
    return spec().kind();
  }

  /**
   * Checks the parameters before anything is touched: the catalogue's checks (names, ranges,
   * required ones), then the fault's own {@link #validate}. Throws InvalidRecordException naming
   * {@code parameters.<key>}.
   */
  default void check(Map<String, String> parameters) {
    spec().check(parameters);
    validate(parameters);
  }

  /** What the catalogue cannot check (a directory exists, jitter within latency). */
  default void validate(Map<String, String> parameters) {}

  /**
   * Narrows the selector's EXPERIMENTAL candidates by the fault's own parameters (e.g. the zone of
   * ec2-zone-outage) before the mode picks some; the blast radius is still counted against all.
   */
  default List<Target> narrow(List<Target> candidates, Map<String, String> parameters) {
    return candidates;
  }

  Applied apply(Target target, Map<String, String> parameters, Duration duration) throws Exception;

  /** Undoes {@link #apply}; returns what was restored, for the event. */
  String recover(Target target, Map<String, String> recovery) throws Exception;

  /** Rebuilds a target from what attack.state recorded about it, for orphan recovery. */
  Target fromState(String name, Map<String, String> values);
}
