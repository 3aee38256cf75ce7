package io.faultline.cli.report;

import io.faultline.schema.Durations;

/**
 * How a time to recover reads, wherever the CLI shows one. The analyzer times a recovery to the
 * start of the first steady window after the attack ended (or after its first deviating window), so
 * its MTTR is known to a window: 0 ms means the window the attack ended in was already steady, and
 * any figure below one window means "recovered before the next window closed". Both read "≤
 * window"; from one window up the figure is shown as measured.
 */
public final class Recovery {

  private Recovery() {}

  /** "≤ 5s" below one window of {@code windowMs}, else the duration; "n/a" for none. */
  public static String of(Long mttrMs, long windowMs) {
    return mttrMs != null && mttrMs < windowMs
        ? "≤ " + Durations.format(windowMs)
        : Durations.format(mttrMs);
  }
}
