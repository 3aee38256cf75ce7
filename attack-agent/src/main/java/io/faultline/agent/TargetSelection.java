package io.faultline.agent;

import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Chooses the targets of an attack, once, before any fault runs, for every kind (process, pod,
 * node, zone, ec2, fis-template). Only EXPERIMENTAL targets can be chosen: a selector that names or
 * asks for a CONTROL target is rejected (safety invariant 1).
 */
public final class TargetSelection {

  /** The modes a selector may take, as a refusal lists them. */
  public static final String MODES =
      "one, all, fixed:N (N >= 1), percent:P or random-max-percent:P (0 < P <= 100)";

  private TargetSelection() {}

  /**
   * Throws {@link InvalidRecordException} on {@code target.mode} when {@code mode} is none of
   * {@link #MODES}, as the agent would on receipt: a sender checks it before it publishes.
   */
  public static void checkMode(String mode) {
    count(mode, 1, new Random(0));
  }

  /** The checks every selector passes before its kind's targets are even listed. */
  static void check(TargetSelector selector) {
    if (selector == null) {
      throw new InvalidRecordException("target", "required for START: kind, names or group, mode");
    }
    if (selector.getGroup() != Group.EXPERIMENTAL) {
      throw new InvalidRecordException(
          "target.group", selector.getGroup() + ": attacks may only target the EXPERIMENTAL group");
    }
  }

  /**
   * The EXPERIMENTAL targets a selector names (or all of them when it names none), before the mode
   * picks some. A named CONTROL (or ungrouped) target rejects the whole command. A pod may be named
   * {@code namespace/pod} or, when that is unambiguous, just {@code pod}.
   */
  static <T extends Target> List<T> candidates(TargetSelector selector, List<T> all) {
    check(selector);
    String kind = selector.getKind();
    List<T> candidates = new ArrayList<>();
    if (!selector.getNames().isEmpty()) {
      for (String name : selector.getNames()) {
        List<T> matches = all.stream().filter(t -> t.name().equals(name)).toList();
        if (matches.isEmpty()) {
          matches = all.stream().filter(t -> t.name().endsWith("/" + name)).toList();
        }
        if (matches.isEmpty()) {
          throw new InvalidRecordException(
              "target.names", "no " + kind + " target named '" + name + "'");
        }
        if (matches.size() > 1) {
          throw new InvalidRecordException(
              "target.names",
              "'"
                  + name
                  + "' matches "
                  + matches.size()
                  + " "
                  + kind
                  + " targets; use namespace/name");
        }
        T t = matches.get(0);
        if (t.group() != Group.EXPERIMENTAL) {
          throw new InvalidRecordException(
              "target.names",
              "'"
                  + name
                  + "' is in the "
                  + t.group()
                  + " group; only EXPERIMENTAL targets are attacked");
        }
        if (!candidates.contains(t)) {
          candidates.add(t);
        }
      }
    } else {
      all.stream().filter(t -> t.group() == Group.EXPERIMENTAL).forEach(candidates::add);
    }
    if (candidates.isEmpty()) {
      throw new InvalidRecordException("target", "no EXPERIMENTAL " + kind + " target matches");
    }
    return candidates;
  }

  /** Lets the selector's mode pick from the candidates, at random where it leaves a choice. */
  static <T extends Target> List<T> pick(String mode, List<T> candidates, Random random) {
    int n = count(mode, candidates.size(), random);
    List<T> shuffled = new ArrayList<>(candidates);
    Collections.shuffle(shuffled, random);
    return List.copyOf(shuffled.subList(0, n));
  }

  public static <T extends Target> List<T> select(
      TargetSelector selector, List<T> all, Random random) {
    return pick(selector == null ? null : selector.getMode(), candidates(selector, all), random);
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
    throw new InvalidRecordException("target.mode", "'" + mode + "': use " + MODES);
  }

  private static double percent(String text) {
    double p = Double.parseDouble(text);
    if (!(p > 0 && p <= 100)) {
      throw new NumberFormatException();
    }
    return p;
  }
}
