package io.faultline.cli;

import io.faultline.cli.report.Outcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.WindowVerdict;
import java.util.Map;

/** How a run shows itself: event lines, the periodic progress line and the verdict block. */
interface RunView {

  /** One event line, stamped with the run's elapsed time. */
  void say(String message);

  /** A line as it is (dry-run summaries, blank separators). */
  void line(String text);

  /**
   * @param phase what the plan is doing now ("attack cpu", "recovery", ...)
   * @param elapsedMs since the experiment started RUNNING (0 before)
   */
  void progress(String phase, long elapsedMs, Map<String, WindowVerdict> verdicts);

  /** The end of the run: the result's figures when there is one, then the verdict line. */
  void verdict(ExperimentResult result, Outcome outcome);
}
