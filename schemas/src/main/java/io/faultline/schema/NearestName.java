package io.faultline.schema;

import java.util.Collection;
import java.util.Optional;

/**
 * The known name closest to a mistyped one, for "did you mean" in errors about fault names,
 * parameters and config keys: at most two edits apart (or a third of the name, for long names), or
 * one name the start of the other ({@code gracePeriod}, {@code gracePeriodSeconds}).
 */
public final class NearestName {

  private NearestName() {}

  public static Optional<String> among(Collection<String> known, String typed) {
    if (typed == null || typed.isEmpty() || typed.length() > 200) {
      return Optional.empty();
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      String a = typed.toLowerCase(java.util.Locale.ROOT);
      String b = k.toLowerCase(java.util.Locale.ROOT);
      boolean starts = a.length() >= 3 && b.length() >= 3 && (a.startsWith(b) || b.startsWith(a));
      int d = starts ? 1 : distance(a, b);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    int allowed = Math.max(2, typed.length() / 3);
    return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** {@code "; did you mean X?"}, or nothing when no known name is close. */
  public static String hint(Collection<String> known, String typed) {
    return among(known, typed).map(n -> "; did you mean " + n + "?").orElse("");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
