package io.faultline.cli;

import java.util.List;

/** Reads a fresh DemoCommand's option defaults, for a test in another package. */
public final class DemoCommandDefaults {

  public List<String> values() {
    DemoCommand d = new DemoCommand();
    return List.of(
        d.steady,
        d.cpuAttack,
        d.recovery,
        d.jvmWarmup,
        d.jvmSettle,
        Integer.toString(d.rps),
        d.window,
        d.controlCpus,
        d.experimentalCpus);
  }
}
