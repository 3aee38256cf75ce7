package io.faultline.analyzer;

import io.faultline.schema.SteadyState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the analyzer remembers of one experiment (state store {@code experiment-timelines}, JSON):
 * its attacks, every judged window, and each metric's alert state. The result is recomputed from it
 * on every change, so it is the single source of MTTD and MTTR.
 */
public final class ExperimentTimeline {

  /** Keep at most this many windows (at 5 s windows, about 7 hours). */
  static final int MAX_WINDOWS = 5000;

  public Map<String, AttackSpan> attacks = new LinkedHashMap<>();
  public TreeMap<Long, WindowStatus> windows = new TreeMap<>();
  public TreeMap<String, MetricTrack> metrics = new TreeMap<>();

  public static final class AttackSpan {
    public String attackId;
    public String fault = "";
    public long startedAt;
    public Long endedAt;
  }

  public static final class WindowStatus {
    public long end;
    public TreeSet<String> deviating = new TreeSet<>();
    public TreeSet<String> steady = new TreeSet<>();
    public TreeSet<String> insufficient = new TreeSet<>();

    boolean isDeviating() {
      return !deviating.isEmpty();
    }

    boolean isSteady() {
      return deviating.isEmpty() && !steady.isEmpty();
    }

    boolean contains(String metric) {
      return deviating.contains(metric) || steady.contains(metric) || insufficient.contains(metric);
    }
  }

  public static final class MetricTrack {
    public SteadyState state = SteadyState.UNKNOWN;
    public long windows;
    public long deviatingWindows;
    public Long firstDeviationAt;
    public double lastEffect;
    public boolean firing;
    public long firedAt;
    public String firingAttackId;
    public long alerts;
  }

  /** The attack running in [start, end), else the latest one started before end; or null. */
  AttackSpan attackActiveIn(long start, long end) {
    AttackSpan latest = null;
    for (AttackSpan a : attacks.values()) {
      if (a.startedAt < end && (a.endedAt == null || a.endedAt > start)) {
        return a;
      }
      if (a.startedAt < end && (latest == null || a.startedAt > latest.startedAt)) {
        latest = a;
      }
    }
    return latest;
  }

  void trim() {
    while (windows.size() > MAX_WINDOWS) {
      windows.pollFirstEntry();
    }
  }
}
