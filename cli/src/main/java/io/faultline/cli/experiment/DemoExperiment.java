package io.faultline.cli.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The demo's experiment: {@code examples/local-demo.yaml}, which the build puts in the jar as
 * {@code faultline/local-demo.yaml}, so {@code faultline demo} and {@code faultline run
 * examples/local-demo.yaml} declare the same hypotheses and attacks.
 */
public final class DemoExperiment {

  public static final String FILE = "local-demo.yaml";
  public static final String RESOURCE = "faultline/" + FILE;

  private DemoExperiment() {}

  /** The file's text as bundled. */
  public static String text() {
    return bundledText(RESOURCE);
  }

  /**
   * A bundled example, checked as {@code run} checks it: {@code file} is its name in {@code
   * examples/} ({@code local-fleet-pod.yaml}), which the build puts in the jar under {@code
   * faultline/}.
   */
  public static ExperimentDefinition bundled(String file) {
    String resource = "faultline/" + file;
    return ExperimentFileParser.parse(resource, bundledText(resource));
  }

  private static String bundledText(String resource) {
    try (InputStream in = DemoExperiment.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file, checked as {@code run} checks it. */
  public static ExperimentDefinition definition() {
    return ExperimentFileParser.parse(RESOURCE, text());
  }

  /**
   * The demo file with the demo's options applied: the steady-state warm-up and window, the CPU
   * attack's length, the recovery after it (which places the kill) and after the kill, and the
   * local platform's warm-up, rate and CPUs. {@code guards.maxDuration} grows with the plan.
   */
  public static ExperimentDefinition tuned(
      ExperimentDefinition d,
      Duration steady,
      Duration window,
      Duration cpuAttack,
      Duration recovery,
      ExperimentDefinition.Local local) {
    var ss = d.steadyState();
    var cpu = d.method().attacks().get(0);
    var kill = d.method().attacks().get(1);
    var tunedCpu =
        new ExperimentDefinition.AttackSpec(
            cpu.name(), cpu.fault(), cpu.selector(), cpu.parameters(), cpu.start(), cpuAttack);
    var tunedKill =
        new ExperimentDefinition.AttackSpec(
            kill.name(),
            kill.fault(),
            kill.selector(),
            kill.parameters(),
            tunedCpu.end().plus(recovery),
            kill.duration());
    var g = d.groups();
    ExperimentDefinition tuned =
        new ExperimentDefinition(
            d.metadata(),
            new ExperimentDefinition.Groups(g.platform(), g.control(), g.experimental(), local),
            new ExperimentDefinition.SteadyStateSpec(
                steady, window, ss.recoveryWindows(), ss.metrics(), ss.sources()),
            new ExperimentDefinition.Method(d.method().mode(), List.of(tunedCpu, tunedKill)),
            d.guards(),
            // the kill's own recovery: as long as the CPU attack's, and the restart's seconds
            new ExperimentDefinition.Recovery(recovery.plusSeconds(5)),
            d.source());
    var gu = d.guards();
    Duration max = tuned.plannedDuration().plusMinutes(1);
    return new ExperimentDefinition(
        tuned.metadata(),
        tuned.groups(),
        tuned.steadyState(),
        tuned.method(),
        new ExperimentDefinition.Guards(
            max.compareTo(gu.maxDuration()) > 0 ? max : gu.maxDuration(),
            gu.maxTargets(),
            gu.maxPercent(),
            gu.stopConditions(),
            gu.checkInterval()),
        tuned.recovery(),
        tuned.source());
  }
}
