package io.faultline.cli.experiment;

import io.faultline.analyzer.WindowJudge;
import io.faultline.schema.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The warm-up windows an experiment gives the analyzer (warm-up / window), and what too few cost:
 * allowed, but {@code run}, {@code validate} and the demo say so in the plan (docs/adr/0086).
 */
public final class WarmUpWindows {

  private WarmUpWindows() {}

  /** Whole windows in the warm-up; 0 when the file declares no warm-up (the analyzer's own). */
  public static long of(ExperimentDefinition d) {
    Duration warmup = d.steadyState().warmup();
    Duration window = d.steadyState().window();
    if (warmup == null || window == null || warmup.toMillis() <= 0 || window.toMillis() <= 0) {
      return 0;
    }
    return warmup.toMillis() / window.toMillis();
  }

  /**
   * One line for the plan when the warm-up gives fewer than {@link
   * WindowJudge#SHARP_WARMUP_WINDOWS} windows, naming what is lost and the warm-up that gives
   * enough; empty otherwise.
   */
  public static Optional<String> warning(ExperimentDefinition d) {
    long n = of(d);
    int sharp = WindowJudge.SHARP_WARMUP_WINDOWS;
    if (n == 0 || n >= sharp) {
      return Optional.empty();
    }
    Duration window = d.steadyState().window();
    String given =
        "warm-up "
            + Durations.format(d.steadyState().warmup())
            + " of "
            + Durations.format(window)
            + " windows gives "
            + n
            + " warm-up windows: ";
    String cost =
        n < WindowJudge.MIN_WINDOWS_FOR_PHI
            ? "below "
                + WindowJudge.MIN_WINDOWS_FOR_PHI
                + " the analyzer learns no lag-1 from them and judges each window at the"
                + " warm-up's plug-in variance, so a level that wanders from window to window"
                + " is not paid for and the false-alarm bound is not kept there (docs/adr/0080)"
            : "a window mean counts at the long-run variance that "
                + n
                + " windows cannot narrow (on independent windows about 7 times its variance at "
                + WindowJudge.MIN_WINDOWS_FOR_PHI
                + ", 3 at "
                + sharp
                + "), so detection is slower";
    return Optional.of(
        given
            + cost
            + "; "
            + sharp
            + " warm-up windows (warm-up "
            + Durations.format(window.multipliedBy(sharp))
            + " at this window) make the detector sharp (docs/adr/0086)");
  }
}
