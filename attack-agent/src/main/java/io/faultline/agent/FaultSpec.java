package io.faultline.agent;

import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.NearestName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One fault as the catalogue ({@link FaultSpecs}) describes it: its name in commands and files, the
 * target kind it takes, the platforms an experiment file may use it on, one line of help, and each
 * parameter with type, range, default and unit. The agent checks a command's parameters against it
 * (an unknown or out-of-range one is REJECTED naming {@code parameters.<key>}); the CLI's file
 * checks, {@code faultline faults}, the JSON Schema and the completion are made from it.
 */
public record FaultSpec(
    String name,
    String kind,
    Set<String> platforms,
    String help,
    List<Parameter> parameters,
    Map<String, String> platformKinds) {

  /** How a parameter's text is read. */
  public enum Type {
    /** A whole number within {@code min..max}. */
    INTEGER,
    /** A duration ({@code 100ms}, {@code 2s}) within {@code min..max} milliseconds. */
    DURATION,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** One of {@code choices}. */
    CHOICE,
    /** A text matching {@code pattern}. */
    TEXT
  }

  /**
   * One parameter. {@code defaultValue} is what the fault uses when it is absent (null: {@code
   * defaultHelp} says what happens, or the parameter is required); {@code min}/{@code max} bound an
   * INTEGER, or a DURATION in milliseconds.
   */
  public record Parameter(
      String name,
      Type type,
      long min,
      long max,
      String defaultValue,
      String defaultHelp,
      boolean required,
      String unit,
      List<String> choices,
      String pattern,
      String format,
      String help) {

    public static Parameter integer(
        String name, long min, long max, long defaultValue, String unit, String help) {
      return new Parameter(
          name,
          Type.INTEGER,
          min,
          max,
          Long.toString(defaultValue),
          null,
          false,
          unit,
          List.of(),
          null,
          null,
          help);
    }

    /** A whole number whose absence leaves the choice to the target (e.g. the pod's own grace). */
    public static Parameter optionalInteger(
        String name, long min, long max, String defaultHelp, String unit, String help) {
      return new Parameter(
          name,
          Type.INTEGER,
          min,
          max,
          null,
          defaultHelp,
          false,
          unit,
          List.of(),
          null,
          null,
          help);
    }

    public static Parameter millis(
        String name, long min, long max, String defaultValue, String help) {
      return new Parameter(
          name,
          Type.DURATION,
          min,
          max,
          defaultValue,
          null,
          false,
          "",
          List.of(),
          null,
          null,
          help);
    }

    public static Parameter flag(String name, String help) {
      return new Parameter(
          name, Type.BOOLEAN, 0, 0, "false", null, false, "", List.of(), null, null, help);
    }

    public static Parameter choice(
        String name, List<String> choices, String defaultValue, String help) {
      return new Parameter(
          name, Type.CHOICE, 0, 0, defaultValue, null, false, "", choices, null, null, help);
    }

    /**
     * A text matching {@code pattern}, described by {@code format} ("an availability zone such as
     * eu-west-1a"); absent and not required, {@code defaultValue} or what {@code defaultHelp} says.
     */
    public static Parameter text(
        String name,
        String pattern,
        String format,
        String defaultValue,
        String defaultHelp,
        boolean required,
        String help) {
      return new Parameter(
          name,
          Type.TEXT,
          0,
          0,
          defaultValue,
          defaultHelp,
          required,
          "",
          List.of(),
          pattern,
          format,
          help);
    }

    /** What values are allowed, for errors and the table: {@code 1..64}, {@code 1ms..60s}. */
    public String allowed() {
      return switch (type) {
        case INTEGER -> min + ".." + max;
        case DURATION ->
            Durations.format(java.time.Duration.ofMillis(min))
                + ".."
                + Durations.format(java.time.Duration.ofMillis(max));
        case BOOLEAN -> "true, false";
        case CHOICE -> String.join(", ", choices);
        case TEXT -> format;
      };
    }

    /** The default as the table shows it. */
    public String shownDefault() {
      if (defaultValue != null) {
        return defaultValue;
      }
      return required ? "(required)" : defaultHelp;
    }

    /** The problem with {@code text} for this parameter, or null when it is allowed. */
    String problem(String text) {
      String value = text.strip();
      switch (type) {
        case INTEGER -> {
          try {
            long v = Long.parseLong(value);
            if (v >= min && v <= max) {
              return null;
            }
          } catch (NumberFormatException e) {
            // reported below
          }
          return "'" + abbreviate(text) + "': must be a whole number from " + min + " to " + max;
        }
        case DURATION -> {
          long ms;
          try {
            ms = Durations.parse(name, value).toMillis();
          } catch (InvalidRecordException e) {
            return "'" + abbreviate(text) + "' is not a duration; use e.g. 100ms, 2s";
          }
          return ms >= min && ms <= max
              ? null
              : "'"
                  + abbreviate(text)
                  + "': must be from "
                  + Durations.format(java.time.Duration.ofMillis(min))
                  + " to "
                  + Durations.format(java.time.Duration.ofMillis(max));
        }
        case BOOLEAN -> {
          return value.equals("true") || value.equals("false")
              ? null
              : "'" + abbreviate(text) + "': must be true or false";
        }
        case CHOICE -> {
          return choices.contains(value)
              ? null
              : "'" + abbreviate(text) + "': must be one of " + allowed();
        }
        case TEXT -> {
          return value.length() <= 256 && Pattern.matches(pattern, value)
              ? null
              : "'" + abbreviate(text) + "': must be " + format;
        }
      }
      throw new IllegalStateException(type.name());
    }
  }

  public FaultSpec {
    platforms = Set.copyOf(platforms);
    parameters = List.copyOf(parameters);
    platformKinds = Map.copyOf(platformKinds);
  }

  public static FaultSpec of(
      String name, String kind, Set<String> platforms, String help, Parameter... parameters) {
    return new FaultSpec(name, kind, platforms, help, List.of(parameters), Map.of());
  }

  /**
   * This fault with targets of {@code other} on {@code onPlatforms} (executor-kill: a process
   * locally, a pod on Kubernetes); {@link #kind()} stays the kind everywhere else.
   */
  public FaultSpec withKindOn(String other, Set<String> onPlatforms) {
    Map<String, String> kinds = new LinkedHashMap<>(platformKinds);
    onPlatforms.forEach(p -> kinds.put(p, other));
    return new FaultSpec(name, kind, platforms, help, parameters, kinds);
  }

  /** The target kind on an experiment file's platform (null: {@link #kind()}). */
  public String kindOn(String platform) {
    return platform == null ? kind : platformKinds.getOrDefault(platform, kind);
  }

  /** Every target kind this fault takes on some platform, {@link #kind()} first. */
  public Set<String> kinds() {
    Set<String> all = new java.util.LinkedHashSet<>();
    all.add(kind);
    all.addAll(new java.util.TreeSet<>(platformKinds.values()));
    return all;
  }

  public List<String> parameterNames() {
    return parameters.stream().map(Parameter::name).toList();
  }

  public Parameter parameter(String key) {
    for (Parameter p : parameters) {
      if (p.name().equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException(name + " has no parameter " + key);
  }

  /**
   * Every problem of {@code parameters}, by field ({@code parameters.corez}) in the order given:
   * unknown names (with the closest known one), missing required ones, values out of range.
   */
  public Map<String, String> problems(Map<String, String> parameters) {
    Map<String, String> problems = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      String key = e.getKey();
      Parameter p =
          parameters().stream().filter(x -> x.name().equals(key)).findFirst().orElse(null);
      if (p == null) {
        problems.put("parameters." + abbreviate(key), unknown(key));
      } else if (e.getValue() == null) {
        problems.put("parameters." + key, "must have a value");
      } else {
        String problem = p.problem(e.getValue());
        if (problem != null) {
          problems.put("parameters." + key, problem);
        }
      }
    }
    for (Parameter p : this.parameters) {
      if (p.required() && !parameters.containsKey(p.name())) {
        problems.put("parameters." + p.name(), "required by " + name + ": " + p.help());
      }
    }
    return problems;
  }

  private String unknown(String key) {
    if (parameters.isEmpty()) {
      return "unknown parameter; " + name + " takes none";
    }
    String hint = NearestName.hint(parameterNames(), key);
    return "unknown parameter of "
        + name
        + (hint.isEmpty() ? "; it takes " + String.join(", ", parameterNames()) : hint);
  }

  /** Throws the first of {@link #problems}, naming its field. */
  public void check(Map<String, String> parameters) {
    Map<String, String> problems = problems(parameters);
    if (!problems.isEmpty()) {
      var first = problems.entrySet().iterator().next();
      throw new InvalidRecordException(first.getKey(), first.getValue());
    }
  }

  // ---- typed reads for the fault classes: the value given, checked, or the default ----

  public int integer(Map<String, String> parameters, String key) {
    return (int) checked(parameters, key, Type.INTEGER, Long::parseLong);
  }

  /** An optional INTEGER without default: null when absent. */
  public Integer integerOrNull(Map<String, String> parameters, String key) {
    return parameters.containsKey(key) ? integer(parameters, key) : null;
  }

  public long millis(Map<String, String> parameters, String key) {
    return checked(parameters, key, Type.DURATION, v -> Durations.parse(key, v).toMillis());
  }

  public boolean flag(Map<String, String> parameters, String key) {
    return checked(parameters, key, Type.BOOLEAN, v -> v.equals("true") ? 1L : 0L) == 1L;
  }

  /** A CHOICE or TEXT: the value given or the default (null when neither). */
  public String text(Map<String, String> parameters, String key) {
    Parameter p = parameter(key);
    if (p.type() != Type.CHOICE && p.type() != Type.TEXT) {
      throw new IllegalArgumentException(name + "." + key + " is a " + p.type());
    }
    String value = valueOf(p, parameters);
    return value == null ? null : value.strip();
  }

  private long checked(
      Map<String, String> parameters,
      String key,
      Type type,
      java.util.function.ToLongFunction<String> read) {
    Parameter p = parameter(key);
    if (p.type() != type) {
      throw new IllegalArgumentException(name + "." + key + " is a " + p.type());
    }
    String value = valueOf(p, parameters);
    if (value == null) {
      throw new IllegalArgumentException(name + "." + key + " has no default; read it as optional");
    }
    return read.applyAsLong(value.strip());
  }

  private String valueOf(Parameter p, Map<String, String> parameters) {
    String given = parameters.get(p.name());
    if (given == null) {
      if (p.required()) {
        throw new InvalidRecordException("parameters." + p.name(), "required: " + p.help());
      }
      return p.defaultValue();
    }
    String problem = p.problem(given);
    if (problem != null) {
      throw new InvalidRecordException("parameters." + p.name(), problem);
    }
    return given;
  }

  /** Keeps a hostile 10 kB key out of events and logs. */
  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }
}
