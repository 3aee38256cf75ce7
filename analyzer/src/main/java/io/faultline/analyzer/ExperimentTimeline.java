package io.faultline.analyzer;

import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the analyzer remembers of one experiment (state store {@code experiment-timelines}, {@link
 * StateSerde}): its attacks, every judged window, and each metric's alert state. The result is
 * recomputed from it on every change, so it is the single source of MTTD and MTTR.
 */
public final class ExperimentTimeline {

  /** Keep at most this many windows (at 5 s windows, about 7 hours). */
  static final int MAX_WINDOWS = 5000;

  /** Window means kept per metric and group for the end judgement (the latest ones). */
  static final int MAX_MEANS = 1000;

  public Map<String, AttackSpan> attacks = new LinkedHashMap<>();
  public TreeMap<Long, WindowStatus> windows = new TreeMap<>();
  public TreeMap<String, MetricTrack> metrics = new TreeMap<>();
  public boolean aborted;
  public String abortReason;

  /** A batch job's runs, when the experiment has any (docs/adr/0035). */
  public PipelineRuns pipeline;

  public static final class AttackSpan {
    /** {@link #startedAt} of an attack whose end came before its STARTED event (docs/adr/0074). */
    public static final long NOT_STARTED = Long.MAX_VALUE;

    public String attackId;
    public String fault = "";
    public long startedAt;
    public Long endedAt;

    /**
     * False while only the attack's end is known (it arrived before its STARTED, docs/adr/0074):
     * such a span has no start to measure from, so every reader of spans leaves it out until the
     * STARTED comes (docs/adr/0079 lists them).
     */
    public boolean started() {
      return startedAt != NOT_STARTED;
    }
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

    /** Every firing: [firedAt, resolvedAt or -1 while firing]. */
    public List<long[]> firings = new ArrayList<>();

    /** Window means before the first judged window (the warm-up), then of the judged windows. */
    public List<Double> warmControl = new ArrayList<>();

    public List<Double> warmExperimental = new ArrayList<>();
    public List<Double> control = new ArrayList<>();
    public List<Double> experimental = new ArrayList<>();

    void keepWindowMeans(SteadyState state, double controlMean, double experimentalMean) {
      boolean judged = state == SteadyState.STEADY || state == SteadyState.DEVIATING;
      if (judged) {
        control.add(controlMean);
        experimental.add(experimentalMean);
      } else if (control.isEmpty()) {
        warmControl.add(controlMean);
        warmExperimental.add(experimentalMean);
      }
      trim(warmControl);
      trim(warmExperimental);
      trim(control);
      trim(experimental);
      while (firings.size() > MAX_MEANS) {
        firings.remove(0);
      }
    }

    private static void trim(List<Double> values) {
      while (values.size() > MAX_MEANS) {
        values.remove(0);
      }
    }
  }

  /**
   * The attack running in [start, end), else the latest one started before end; or null. A span not
   * {@link AttackSpan#started} is never it.
   */
  AttackSpan attackActiveIn(long start, long end) {
    AttackSpan latest = null;
    for (AttackSpan a : attacks.values()) {
      if (!a.started()) {
        continue;
      }
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
