package io.faultline.analyzer;

import java.util.Locale;

/**
 * The Prometheus base unit a window statistic is exported in, from the unit the collector gives a
 * sample: milliseconds and seconds as {@code _seconds}, ratios and percentages as {@code _ratio},
 * bytes as {@code _bytes}; anything else (counts, cores, no unit) stays without a suffix. One
 * family holds one unit, so a panel or a rule never mixes milliseconds with ratios.
 */
enum WindowUnit {
  SECONDS("_seconds", " (seconds)"),
  RATIO("_ratio", " (ratio, 0 to 1)"),
  BYTES("_bytes", " (bytes)"),
  NONE("", " (counts, cores and other units without a Prometheus base unit)");

  private final String suffix;
  private final String help;

  WindowUnit(String suffix, String help) {
    this.suffix = suffix;
    this.help = help;
  }

  String suffix() {
    return suffix;
  }

  String help() {
    return help;
  }

  static WindowUnit of(String unit) {
    return switch (unit == null ? "" : unit.strip().toLowerCase(Locale.ROOT)) {
      case "ms", "s", "seconds" -> SECONDS;
      case "ratio", "percent" -> RATIO;
      case "bytes" -> BYTES;
      default -> NONE;
    };
  }

  /** A sample's value in this unit: {@code ms} to seconds, {@code percent} to a ratio. */
  static double convert(String unit, double value) {
    return switch (unit == null ? "" : unit.strip().toLowerCase(Locale.ROOT)) {
      case "ms" -> value / 1000;
      case "percent" -> value / 100;
      default -> value;
    };
  }
}
