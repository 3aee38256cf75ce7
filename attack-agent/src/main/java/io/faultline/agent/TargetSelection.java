package io.faultline.agent;

import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Chooses the targets of an attack, once, before any fault runs. Only EXPERIMENTAL targets can be
 * chosen: a selector that names or asks for a CONTROL target is rejected (safety invariant 1).
 */
public final class TargetSelection {

  private TargetSelection() {}

  public static List<ProcessTarget> select(
      TargetSelector selector, List<ProcessTarget> all, Random random) {
    if (selector == null) {
      throw new InvalidRecordException("target", "required for START: kind, names or group, mode");
    }
    if (!"process".equals(selector.getKind())) {
      throw new InvalidRecordException(
          "target.kind",
          "'" + selector.getKind() + "': this agent has the local executor only (kind process)");
    }
    if (selector.getGroup() != Group.EXPERIMENTAL) {
      throw new InvalidRecordException(
          "target.group", selector.getGroup() + ": attacks may only target the EXPERIMENTAL group");
    }
    List<ProcessTarget> candidates = new ArrayList<>();
    if (!selector.getNames().isEmpty()) {
      for (String name : selector.getNames()) {
        ProcessTarget t =
            all.stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(
                    () ->
                        new InvalidRecordException(
                            "target.names", "no process target named '" + name + "'"));
        if (t.group() != Group.EXPERIMENTAL) {
          throw new InvalidRecordException(
              "target.names",
              "'"
                  + name
                  + "' is in the "
                  + t.group()
                  + " group; only EXPERIMENTAL targets are attacked");
        }
        candidates.add(t);
      }
    } else {
      all.stream().filter(t -> t.group() == Group.EXPERIMENTAL).forEach(candidates::add);
    }
    if (candidates.isEmpty()) {
      throw new InvalidRecordException("target", "no EXPERIMENTAL process target matches");
    }
    int n = count(selector.getMode(), candidates.size(), random);
    List<ProcessTarget> shuffled = new ArrayList<>(candidates);
    Collections.shuffle(shuffled, random);
    return List.copyOf(shuffled.subList(0, n));
  }

  /** How many of {@code available} targets a mode takes: at least one, at most all. */
  static int count(String mode, int available, Random random) {
    String m = mode == null ? "one" : mode.strip();
    try {
      if (m.equals("one")) {
        return 1;
      }
      if (m.equals("all")) {
        return available;
      }
      if (m.startsWith("fixed:")) {
        int n = Integer.parseInt(m.substring(6));
        if (n < 1) {
          throw new NumberFormatException();
        }
        return Math.min(n, available);
      }
      if (m.startsWith("percent:")) {
        double p = percent(m.substring(8));
        return Math.max(1, (int) Math.floor(available * p / 100));
      }
      if (m.startsWith("random-max-percent:")) {
        double p = percent(m.substring(19));
        int max = Math.max(1, (int) Math.floor(available * p / 100));
        return 1 + random.nextInt(max);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidRecordException(
        "target.mode",
        "'"
            + mode
            + "': use one, all, fixed:N (N >= 1), percent:P or random-max-percent:P (0 < P <= 100)");
  }

  private static double percent(String text) {
    double p = Double.parseDouble(text);
    if (!(p > 0 && p <= 100)) {
      throw new NumberFormatException();
    }
    return p;
  }
}
