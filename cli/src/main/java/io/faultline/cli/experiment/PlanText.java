package io.faultline.cli.experiment;

import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.Durations;
import io.faultline.schema.SourceSpec;
import java.io.PrintStream;
import java.util.Locale;

/** The plan of a checked experiment file as {@code run} and {@code validate} print it. */
public final class PlanText {

  private PlanText() {}

  /** One START command as a line: fault, selector, duration, parameters. */
  public static String command(AttackCommand c) {
    return "START "
        + c.getFault()
        + " "
        + c.getTarget().getKind()
        + " "
        + (c.getTarget().getNames().isEmpty()
            ? String.valueOf(c.getTarget().getLabels())
            : c.getTarget().getNames())
        + " mode "
        + c.getTarget().getMode()
        + " for "
        + Durations.format(java.time.Duration.ofMillis(c.getDurationMs()))
        + (c.getParameters().isEmpty() ? "" : " " + new java.util.TreeMap<>(c.getParameters()));
  }

  /** Metadata, hypotheses, sources, the attacks on their schedule and the stop conditions. */
  public static void print(ExperimentPlan plan, String experimentsTopic, PrintStream out) {
    ExperimentDefinition d = plan.definition();
    out.println(
        "experiment "
            + d.metadata().name()
            + " ("
            + plan.experimentId()
            + ")"
            + (d.metadata().owner() == null ? "" : ", owner " + d.metadata().owner()));
    if (d.metadata().description() != null) {
      out.println("  " + d.metadata().description());
    }
    out.println(
        "  platform "
            + d.groups().platform()
            + "; warm-up "
            + Durations.format(d.steadyState().warmup())
            + ", window "
            + Durations.format(d.steadyState().window())
            + ", recovery "
            + Durations.format(d.recovery().observe())
            + ", planned "
            + Durations.format(d.plannedDuration())
            + " (max "
            + Durations.formatLimit(d.guards().maxDuration())
            + ")");
    WarmUpWindows.warning(d).ifPresent(w -> out.println("  warning: " + w));
    for (MetricSpec m : d.steadyState().metrics()) {
      out.printf(
          Locale.ROOT,
          "  hypothesis %-20s %-8s tolerance %s alpha %s%s%s%s%n",
          m.name(),
          m.direction(),
          m.tolerance() == null ? "default" : m.tolerance(),
          m.alpha() == null ? "default" : m.alpha(),
          m.statistics().isEmpty() ? "" : " statistic " + String.join(",", m.statistics()),
          m.critical() ? " critical" : "",
          m.abortThreshold() == null ? "" : " abort beyond " + m.abortThreshold());
    }
    for (SourceSpec s : ExperimentPlan.sources(d)) {
      out.printf(
          Locale.ROOT,
          "  source %-10s every %s%s; control %s; experimental %s%n",
          s.getType(),
          s.getIntervalMs() == null ? "(default)" : s.getIntervalMs() + " ms",
          s.getSettings().isEmpty() ? "" : " " + s.getSettings(),
          s.getControl().isEmpty() ? "(default)" : s.getControl(),
          s.getExperimental().isEmpty() ? "(default)" : s.getExperimental());
    }
    if (!d.steadyState().sources().isEmpty()) {
      out.println(
          "  (the sources run in a collector that follows "
              + experimentsTopic
              + (d.groups().local() != null && d.groups().local().start()
                  ? ": started here"
                  : ": experiments.follow, on by default")
              + ")");
    }
    long warm = d.steadyState().warmup().toSeconds();
    for (AttackSpec a : d.method().attacks()) {
      out.printf(
          Locale.ROOT,
          "  +%4ds..+%4ds %-14s %s %s%s%n",
          warm + a.start().toSeconds(),
          warm + a.end().toSeconds(),
          a.fault(),
          a.selector().kind(),
          a.selector().names().isEmpty() ? a.selector().labels() : a.selector().names(),
          " mode " + a.selector().mode() + (a.parameters().isEmpty() ? "" : " " + a.parameters()));
    }
    for (var s : d.guards().stopConditions()) {
      out.println("  stop when " + StopConditionCheck.of(s).describe());
    }
  }
}
