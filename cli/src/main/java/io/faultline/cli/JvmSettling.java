package io.faultline.cli;

import io.faultline.schema.Group;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether both groups' latency has settled after the JVM warm-up (docs/adr/0109): the runner's own
 * warm-up traffic reports each response's latency here, the runner closes an interval every
 * analysis window, and the groups have settled once, for each, none of the last {@link
 * Rule#intervals()} interval medians lies more than {@link Rule#band()} above the latest. A JVM
 * still compiling shows as medians falling from one interval to the next; a machine's load as
 * medians that wander, or rise, which waiting would not cure.
 */
final class JvmSettling {

  /**
   * The rule's parameters.
   *
   * @param intervals how many successive interval medians must agree
   * @param band how far an earlier one may lie above the latest, as a share of the latest
   * @param minResponses the responses an interval needs for its median to count
   */
  record Rule(int intervals, double band, int minResponses) {
    /** The demo's: three intervals, none 25% above the latest, of at least 10 responses each. */
    static final Rule DEMO = new Rule(3, 0.25, 10);

    Rule {
      if (intervals < 2 || band <= 0 || minResponses < 1) {
        throw new IllegalArgumentException(
            "settling rule " + intervals + "/" + band + "/" + minResponses + ": out of range");
      }
    }

    /**
     * True when the last {@code intervals} of {@code medians} (oldest first; NaN for an interval
     * with too few responses) are all there and none lies more than the band above the latest.
     */
    boolean settled(List<Double> medians) {
      if (medians.size() < intervals) {
        return false;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (double m : medians.subList(medians.size() - intervals, medians.size())) {
        if (Double.isNaN(m)) {
          return false;
        }
        max = Math.max(max, m);
      }
      return max <= medians.get(medians.size() - 1) * (1 + band);
    }
  }

  private final Rule rule;
  // the current interval's latencies per group, guarded by this
  private final Map<Group, double[]> current = new EnumMap<>(Group.class);
  private final Map<Group, Integer> counts = new EnumMap<>(Group.class);
  private final Map<Group, List<Double>> medians = new EnumMap<>(Group.class);

  JvmSettling(Rule rule) {
    this.rule = rule;
    for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
      current.put(g, new double[64]);
      counts.put(g, 0);
      medians.put(g, new ArrayList<>());
    }
  }

  /** One response's latency; from the traffic's threads. */
  synchronized void observe(Group group, double ms) {
    double[] values = current.get(group);
    if (values == null) {
      return;
    }
    int n = counts.get(group);
    if (n == values.length) {
      values = Arrays.copyOf(values, n * 2);
      current.put(group, values);
    }
    values[n] = ms;
    counts.put(group, n + 1);
  }

  /** Ends the current interval: each group's median joins its series (NaN with too few). */
  synchronized void closeInterval() {
    for (var e : current.entrySet()) {
      int n = counts.get(e.getKey());
      medians.get(e.getKey()).add(n < rule.minResponses() ? Double.NaN : median(e.getValue(), n));
      counts.put(e.getKey(), 0);
    }
  }

  /** True when both groups' series satisfy the rule. */
  synchronized boolean settled() {
    return medians.values().stream().allMatch(rule::settled);
  }

  /** The last medians, as the progress line shows them: {@code C 7.1 / E 6.7 ms}. */
  synchronized String lastMedians() {
    return "C " + last(Group.CONTROL) + " / E " + last(Group.EXPERIMENTAL) + " ms";
  }

  private String last(Group g) {
    List<Double> series = medians.get(g);
    if (series.isEmpty() || Double.isNaN(series.get(series.size() - 1))) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f", series.get(series.size() - 1));
  }

  static double median(double[] values, int n) {
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
