package io.faultline.cli;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.collector.HttpLoadProbe;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.collector.ProbeTarget;
import io.faultline.scale.LocalSupervisor;
import io.faultline.scale.LocalSupervisor.InstanceSpec;
import io.faultline.schema.Group;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The demo's moving parts: Scale as two supervised processes, the agent and the load probe. */
final class DemoTargets implements AutoCloseable {

  static final String CONTROL = "scale-control";
  static final String EXPERIMENTAL = "scale-experimental";

  /** Corpus size: about 4 ms of CPU per /similar query, so CPU contention shows in latency. */
  static final int SONGS = 100_000;

  private final LocalSupervisor supervisor;
  private final ProxiedScale proxies;

  private DemoTargets(LocalSupervisor supervisor, ProxiedScale proxies) {
    this.supervisor = supervisor;
    this.proxies = proxies;
  }

  /** Starts both instances, pinned to the given CPU lists ("none" = unpinned) when possible. */
  static DemoTargets start(
      Path targetsDir, String controlCpus, String experimentalCpus, Consumer<String> say)
      throws IOException {
    LocalSupervisor supervisor =
        new LocalSupervisor(
            targetsDir,
            Duration.ofSeconds(3),
            e ->
                say.accept(
                    switch (e.type()) {
                      case STARTED -> e.name() + " started, pid " + e.pid();
                      case EXITED ->
                          e.name()
                              + " pid "
                              + e.pid()
                              + " exited (code "
                              + e.exitCode()
                              + "); the supervisor restarts it in 3 s";
                      case RESTARTED -> e.name() + " restarted, pid " + e.pid();
                    }));
    boolean pin = Runtime.getRuntime().availableProcessors() >= 2 && supervisor.pinningAvailable();
    String control = pin && !"none".equals(controlCpus) ? controlCpus : null;
    String experimental = pin && !"none".equals(experimentalCpus) ? experimentalCpus : null;
    supervisor.start(new InstanceSpec(CONTROL, "CONTROL", 0, control, SONGS));
    supervisor.start(new InstanceSpec(EXPERIMENTAL, "EXPERIMENTAL", 0, experimental, SONGS));
    say.accept(
        experimental != null
            ? "Scale: control on CPU " + control + ", experimental on CPU " + experimental
            : "Scale: experimental not pinned (needs taskset and 2 CPUs); the CPU attack hits both groups");
    try {
      return new DemoTargets(
          supervisor, ProxiedScale.start(supervisor, List.of(CONTROL, EXPERIMENTAL)));
    } catch (IOException | RuntimeException e) {
      supervisor.close();
      throw e;
    }
  }

  static AttackAgent startAgent(String bootstrap, Path targetsDir) {
    return AgentMain.start(
        AgentConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "agent.id",
                "demo-agent",
                "agent.max.duration",
                "5m",
                "agent.targets.dir",
                targetsDir.toString())));
  }

  Probe startProbe(String bootstrap, String experimentId, int rps) {
    KafkaSampleSink sink = new KafkaSampleSink(bootstrap, Topics.defaults(), Map.of());
    HttpLoadProbe probe =
        new HttpLoadProbe(
            experimentId,
            List.of(target(Group.CONTROL, CONTROL), target(Group.EXPERIMENTAL, EXPERIMENTAL)),
            rps,
            50,
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            sink);
    probe.start();
    return new Probe(probe, sink);
  }

  private ProbeTarget target(Group group, String name) {
    return new ProbeTarget(
        group,
        name,
        URI.create(
            "http://127.0.0.1:" + proxies.clientPort(name) + "/similar?song=song-00042&limit=10"));
  }

  /** The running load probe and its sink. */
  record Probe(HttpLoadProbe probe, KafkaSampleSink sink) implements AutoCloseable {

    /** "control 2.1 ms (p99 4.0) 0 err | experimental ..." from the latest interval. */
    String summary() {
      Map<String, HttpLoadProbe.Snapshot> s = probe.snapshot();
      return describe("control", s.get(CONTROL))
          + " | "
          + describe("experimental", s.get(EXPERIMENTAL));
    }

    private static String describe(String label, HttpLoadProbe.Snapshot s) {
      if (s == null) {
        return label + " -";
      }
      String latency =
          Double.isNaN(s.meanMs())
              ? "no responses"
              : String.format(Locale.ROOT, "%5.1f ms (p99 %5.1f)", s.meanMs(), s.p99Ms());
      return String.format(Locale.ROOT, "%s %s %2d err", label, latency, s.errors());
    }

    @Override
    public void close() {
      probe.close();
      sink.close();
    }
  }

  @Override
  public void close() {
    proxies.close();
    supervisor.close();
  }
}
