package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentFileException;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.PlanText;
import io.faultline.cli.report.Outcome;
import io.faultline.schema.Durations;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code faultline run FILE}: validates an experiment file, publishes the Experiment and its attack
 * commands on schedule, follows the topics live, enforces the guards, and exits with what happened
 * to the hypothesis. Option parsing and wiring only: {@link ExperimentRunner} runs the experiment.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run an experiment file against a Kafka cluster: publish the experiment and its attacks on",
      "schedule, follow steadystate, attack.events, alerts and results live, enforce the guards.",
      "Ctrl-C halts the experiment's attacks (HALT_ALL) and waits until they are rolled back.",
      "Exit code: 0 hypothesis held, 1 not held, 2 error (also: invalid file, every error listed),",
      "3 aborted (guard, stop condition, analyzer auto-abort, Ctrl-C)."
    })
public final class RunCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Parameters(index = "0", paramLabel = "FILE", description = "The experiment file (YAML).")
  Path file;

  @Option(
      names = "--dry-run",
      description =
          "Check the file and print the plan and the commands; needs no broker, sends nothing.")
  boolean dryRun;

  @Option(
      names = "--ask-agents",
      description =
          "With --dry-run: publish the attacks as dry runs, so the agents report the targets they"
              + " would hit (needs the cluster); attack nothing.")
  boolean askAgents;

  @Option(names = "--experiment-id", description = "Experiment id (default: <name>-<random>).")
  String experimentId;

  @Option(
      names = "--data-dir",
      description =
          "Working directory for local components (groups.local.start) (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".faultline", "run");

  @Option(
      names = "--agent-timeout",
      description =
          "How long an attack may wait for an agent's answer (default: ${DEFAULT-VALUE}).")
  String agentTimeout = "30s";

  @Option(
      names = "--progress-every",
      description = "Progress line interval (default: ${DEFAULT-VALUE}).")
  String progressEvery = "3s";

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;

  private volatile ExperimentRunner runner;

  @Override
  public Integer call() {
    ExperimentDefinition definition;
    try {
      definition = ExperimentFileParser.read(file);
    } catch (ExperimentFileException e) {
      out.println("faultline run: " + e.getMessage());
      return Outcome.ERROR;
    }
    ExperimentPlan plan =
        new ExperimentPlan(
            definition,
            experimentId != null ? experimentId : ExperimentPlan.newExperimentId(definition));
    Topics topics = new Topics(kafka.topicsPrefix, 3);
    PlanText.print(plan, topics.experiments().name(), out);
    if (dryRun && !askAgents) {
      for (int i = 0; i < definition.method().attacks().size(); i++) {
        out.println("  would send " + PlanText.command(plan.start(i, true)));
      }
      out.println();
      out.println(
          "DRY RUN: the file is valid; nothing was sent (--ask-agents has the agents report the"
              + " targets they would hit)");
      return Outcome.HELD;
    }
    Map<String, Object> client = kafka.clientConfig();
    RunView view =
        new ConsoleRunView(out, definition, plan.experimentId(), System::currentTimeMillis);
    try (KafkaRunSinks sinks =
        new KafkaRunSinks(client, topics, "faultline run " + definition.metadata().name())) {
      runner =
          new ExperimentRunner(
              definition,
              plan,
              RunClock.SYSTEM,
              sinks,
              view,
              ExperimentRunner.stopChecks(definition),
              Durations.parse("--progress-every", progressEvery));
      // Only the real command line owns the process's signals (not a test runner's JVM).
      Object previous =
          Boolean.getBoolean("faultline.cli.main")
              ? installSignalHandlers()
              : new HashMap<String, Object>();
      try {
        return runOn(definition, plan, topics, client, view);
      } finally {
        restoreSignalHandlers(previous);
      }
    }
  }

  /** Provisions the topics, starts the local platform when the file asks, follows and runs. */
  private int runOn(
      ExperimentDefinition definition,
      ExperimentPlan plan,
      Topics topics,
      Map<String, Object> client,
      RunView view) {
    LocalPlatform platform = null;
    ExperimentFollower follower = null;
    try {
      provisionTopics(client, topics, view);
      var local = definition.groups().local();
      if (local != null && local.start()) {
        view.say(
            "starting the local platform (Scale x2, agent" + (dryRun ? "" : ", analyzer") + ")");
        platform = LocalPlatform.start(definition, client, topics, dataDir, !dryRun, view::say);
      }
      follower = new ExperimentFollower(client, topics, plan.experimentId(), runner::onRecord);
      Thread t = new Thread(follower, "faultline-run-follower");
      t.setDaemon(true);
      t.start();
      if (dryRun) {
        return runner.dryRun(follower, Durations.parse("--agent-timeout", agentTimeout));
      }
      return runner.run(follower, platform == null ? null : platform::startProbe);
    } catch (Exception e) {
      return runner.failed(e);
    } finally {
      if (follower != null) {
        follower.close();
      }
      if (platform != null) {
        platform.close();
      }
    }
  }

  private static void provisionTopics(Map<String, Object> client, Topics topics, RunView view)
      throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      TopicProvisioner.ensure(admin, topics, (short) Math.min(3, brokers));
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no Kafka broker answered at " + client.get("bootstrap.servers") + " within 30 s");
    } catch (ExecutionException | RuntimeException e) {
      // Where the CLI may not create topics, they must exist already: say so and go on.
      view.say(
          "could not check or create the topics (" + e.getMessage() + "); using them as they are");
    }
  }

  /** Asks the running experiment to stop (a signal, or a test). */
  void abort(String reason, int code) {
    ExperimentRunner r = runner;
    if (r != null) {
      r.abort(reason, code);
    }
  }

  // Ctrl-C and SIGTERM: stop the run through abort() so the attacks are halted before exiting.
  @SuppressWarnings("restriction")
  private Object installSignalHandlers() {
    Map<String, Object> previous = new HashMap<>();
    for (String name : List.of("INT", "TERM")) {
      try {
        previous.put(
            name,
            sun.misc.Signal.handle(
                new sun.misc.Signal(name),
                s -> abort("interrupted by SIG" + name, Outcome.ABORTED)));
      } catch (RuntimeException | LinkageError e) {
        log.debug("no {} handler: {}", name, e.toString());
      }
    }
    return previous;
  }

  @SuppressWarnings({"restriction", "unchecked"})
  private static void restoreSignalHandlers(Object previous) {
    ((Map<String, Object>) previous)
        .forEach(
            (name, handler) -> {
              try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), (sun.misc.SignalHandler) handler);
              } catch (RuntimeException | LinkageError e) {
                log.debug("cannot restore {}: {}", name, e.toString());
              }
            });
  }
}
