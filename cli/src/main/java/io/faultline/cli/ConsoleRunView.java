package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.WarmUpWindows;
import io.faultline.cli.report.Outcome;
import io.faultline.cli.report.Recovery;
import io.faultline.schema.Classification;
import io.faultline.schema.Durations;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.PipelineVerdict;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The terminal form of a run, shared by {@code run} and {@code demo}; lines also go to the log. */
final class ConsoleRunView implements RunView {

  private static final Logger log = LoggerFactory.getLogger(ConsoleRunView.class);
  private static final int BAR = 20;

  private final PrintStream out;
  private final ExperimentDefinition definition;
  private final String experimentId;
  private final LongSupplier clock;
  private final long begin;
  private final boolean showExitCode;

  /**
   * @param showExitCode whether the verdict line ends with the exit code ({@code run}'s is the
   *     outcome's; the demo exits 0 for any verdict)
   */
  ConsoleRunView(
      PrintStream out,
      ExperimentDefinition definition,
      String experimentId,
      LongSupplier clock,
      boolean showExitCode) {
    this.out = out;
    this.showExitCode = showExitCode;
    this.definition = definition;
    this.experimentId = experimentId;
    this.clock = clock;
    this.begin = clock.getAsLong();
  }

  @Override
  public void say(String message) {
    out.printf(Locale.ROOT, "[%4ds] %s%n", elapsed(), message);
    log.info(message);
  }

  @Override
  public void line(String text) {
    out.println(text);
  }

  @Override
  public void progress(String phase, long elapsedMs, Map<String, WindowVerdict> verdicts) {
    long total = definition.plannedDuration().toSeconds();
    long elapsed = elapsedMs / 1000;
    int filled = total == 0 ? BAR : (int) Math.min(BAR, elapsed * BAR / total);
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            Locale.ROOT,
            "[%4ds] %-22s [%s%s] %3d/%ds",
            elapsed(),
            phase,
            "#".repeat(filled),
            ".".repeat(BAR - filled),
            elapsed,
            total));
    for (MetricSpec m : definition.steadyState().metrics()) {
      WindowVerdict v = verdicts.get(m.name());
      if (v == null) {
        line.append(" | ").append(m.name()).append(" -");
      } else {
        line.append(
            String.format(
                Locale.ROOT,
                " | %s C %s E %s %s",
                m.name(),
                figure(v.getControl().getMean()),
                figure(v.getExperimental().getMean()),
                state(v, elapsedMs)));
      }
    }
    out.println(line);
  }

  /**
   * A window's state for the progress line; while the warm-up's windows are learned, not judged,
   * how many of them have closed, so a long warm-up shows what it waits for.
   */
  private String state(WindowVerdict v, long elapsedMs) {
    if (v.getState() != SteadyState.INSUFFICIENT_DATA) {
      return v.getState().name();
    }
    long warmUpWindows = WarmUpWindows.of(definition);
    if (warmUpWindows == 0) {
      return "no-data";
    }
    long windowMs = definition.steadyState().window().toMillis();
    if (elapsedMs >= warmUpWindows * windowMs) {
      return "no-data";
    }
    return "warm-up " + elapsedMs / windowMs + "/" + warmUpWindows;
  }

  @Override
  public void verdict(ExperimentResult r, Outcome outcome) {
    out.println();
    if (r != null) {
      for (MetricJudgement m : r.getMetrics()) {
        out.printf(
            Locale.ROOT,
            "  %-20s %-9s %-8s %d/%d windows deviating%n",
            m.getMetric(),
            m.getClassification() == Classification.UNKNOWN ? "n/a" : m.getClassification().name(),
            m.getState().name(),
            m.getDeviatingWindows(),
            m.getWindows());
      }
      long windowMs = definition.steadyState().window().toMillis();
      for (var a : r.getAttacks()) {
        out.printf(
            Locale.ROOT,
            "  attack %-14s MTTD %s, MTTR %s%s%n",
            a.getFault(),
            Durations.format(a.getMttdMs()),
            Recovery.of(a.getMttrMs(), windowMs),
            a.getDeviatingMetrics().isEmpty()
                ? ""
                : " (" + String.join(", ", a.getDeviatingMetrics()) + ")");
      }
      long passed =
          r.getMetrics().stream().filter(m -> m.getClassification() == Classification.PASS).count();
      long deviated =
          r.getAttacks().stream().filter(a -> !a.getDeviatingMetrics().isEmpty()).count();
      // the end-of-run comparison pools the whole run, so a short attack is diluted in it; the
      // live judgement is per window
      out.printf(
          Locale.ROOT,
          "  end-of-run comparison: %d/%d metrics within tolerance over the whole run%s%n"
              + "  live judgement: %s; MTTD %s, MTTR %s (%s windows), %d windows judged%n",
          passed,
          r.getMetrics().size(),
          passed == r.getMetrics().size() && deviated > 0 ? " (a short attack is diluted)" : "",
          r.getAttacks().isEmpty()
              ? "no attack ran"
              : deviated == 0
                  ? "steady during every attack"
                  : "deviated during " + deviated + " of " + r.getAttacks().size() + " attacks",
          Durations.format(r.getMttdMs()),
          Recovery.of(r.getMttrMs(), windowMs),
          Durations.format(windowMs),
          r.getWindowsJudged());
      if (r.getPipeline() != null) {
        out.println("  " + pipelineLine(r.getPipeline()));
        r.getPipeline().getReasons().forEach(reason -> out.println("    " + reason));
      }
    }
    out.println(
        "VERDICT: "
            + outcome.headline()
            + " - "
            + outcome.why()
            + (showExitCode ? " (exit " + outcome.exitCode() + ")" : ""));
    out.println("report: faultline report " + experimentId + " --html report.html");
  }

  /** The analyzer's verdict over a batch job's runs, as the results topic carries it. */
  static String pipelineLine(PipelineVerdict p) {
    String runs = p.getControlRuns() + " vs " + p.getExperimentalRuns() + " run(s)";
    String data =
        p.getChecksumsEqual()
            ? "the same data (store checksums equal)"
            : "DIFFERENT data (store checksums differ)";
    return "pipeline verdict: "
        + switch (p.getOutcome()) {
          case STEADY -> "STEADY over " + runs + ": " + data + ", timings within tolerance";
          case DEVIATED -> "DEVIATED over " + runs + ": " + data;
          case NOT_ENOUGH_RUNS ->
              "NOT ENOUGH RUNS for the timings ("
                  + Math.min(p.getControlRuns(), p.getExperimentalRuns())
                  + " of "
                  + p.getRunsNeeded()
                  + " per group); "
                  + data;
          case UNKNOWN -> "none yet";
        };
  }

  private static String figure(double v) {
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private long elapsed() {
    return (clock.getAsLong() - begin) / 1000;
  }
}
