package io.faultline.collector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format (version 0.0.4): comments and HELP/TYPE lines
 * are skipped, every sample line becomes a {@link Series}. Bad lines fail with their line number.
 */
public final class PrometheusText {

  private PrometheusText() {}

  /** One sample line: {@code name{labels} value [timestamp]}. */
  public record Series(String name, Map<String, String> labels, double value, Long timestampMs) {

    /** True when the name is equal and every label of {@code selector} has the same value here. */
    public boolean matches(Series selector) {
      if (!name.equals(selector.name)) {
        return false;
      }
      for (Map.Entry<String, String> e : selector.labels.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  public static List<Series> parse(String text) {
    List<Series> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(parseLine(line, true));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "exposition line " + (i + 1) + " '" + line + "': " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * A selector in the same syntax without a value, e.g. {@code http_requests_total{code="500"}}:
   * the series with that name and those label values.
   */
  public static Series selector(String text) {
    return parseLine(text.strip(), false);
  }

  private static Series parseLine(String line, boolean withValue) {
    int i = 0;
    int n = line.length();
    while (i < n && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("a metric name must start with a letter, _ or :");
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i++;
      while (true) {
        i = skipSpaces(line, i);
        if (i < n && line.charAt(i) == '}') {
          i++;
          break;
        }
        int start = i;
        while (i < n && isNameChar(line.charAt(i), i == start)) {
          i++;
        }
        if (i == start) {
          throw new IllegalArgumentException("label name expected at column " + (i + 1));
        }
        String label = line.substring(start, i);
        i = skipSpaces(line, i);
        if (i + 1 >= n || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
          throw new IllegalArgumentException("label " + label + ": expected =\"value\"");
        }
        i += 2;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("label " + label + ": unterminated value");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\' && i < n) {
            char e = line.charAt(i++);
            value.append(e == 'n' ? '\n' : e);
          } else {
            value.append(c);
          }
        }
        labels.put(label, value.toString());
        i = skipSpaces(line, i);
        if (i < n && line.charAt(i) == ',') {
          i++;
        }
      }
    }
    String rest = line.substring(i).strip();
    if (!withValue) {
      if (!rest.isEmpty()) {
        throw new IllegalArgumentException("unexpected text after the selector: '" + rest + "'");
      }
      return new Series(name, Map.copyOf(labels), Double.NaN, null);
    }
    String[] parts = rest.split("\\s+");
    if (rest.isEmpty() || parts.length > 2) {
      throw new IllegalArgumentException("expected a value and an optional timestamp");
    }
    double value = value(parts[0]);
    Long ts = null;
    if (parts.length == 2) {
      try {
        ts = Long.parseLong(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("timestamp '" + parts[1] + "' is not an integer (ms)");
      }
    }
    return new Series(name, Map.copyOf(labels), value, ts);
  }

  static double value(String text) {
    switch (text) {
      case "+Inf", "Inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN" -> {
        return Double.NaN;
      }
      default -> {
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("value '" + text + "' is not a number");
        }
      }
    }
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_'
        || c == ':'
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (!first && c >= '0' && c <= '9');
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }
}
