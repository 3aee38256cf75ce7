package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentFileException;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.PlanText;
import io.faultline.cli.report.Outcome;
import io.faultline.cli.report.SavedSamples;
import io.faultline.scale.fleet.FleetCommands;
import io.faultline.schema.Durations;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
    header = "Run an experiment file against a Kafka cluster and give the verdict.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      "0:hypothesis held (--dry-run: the file is valid, or every agent accepted)",
      "1:hypothesis not held (--dry-run --ask-agents: an agent rejected an attack)",
      "2:usage error, an invalid file (every error listed), an attack REJECTED or FAILED, no"
          + " agent, no verdict, or a failure",
      ExitCodes.ABORTED
    },
    description = {
      "Run an experiment file against a Kafka cluster: publish the experiment and its attacks on",
      "schedule, follow steadystate, attack.events, alerts and results live, enforce the guards.",
      "Ctrl-C halts the experiment's attacks (HALT_ALL) and waits until they are rolled back."
    })
public final class RunCommand implements Callable<Integer> {

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
      names = SavedSamples.OPTION,
      paramLabel = "DIR",
      description =
          "After the run, write its samples into DIR as the CSV files 'faultline analyze' reads"
              + " (per metric <metric>.control.csv and <metric>.experimental.csv), attacks.csv and"
              + " README.txt with the 'faultline analyze' line that judges the latency again.")
  Path saveSamples;

  private static final Duration MIN_PROGRESS = Duration.ofSeconds(1);
  private static final Duration MAX_WAIT = Duration.ofHours(1);

  @Option(
      names = "--agent-timeout",
      description =
          "With --dry-run --ask-agents: how long to wait for the agents' answers, 1s to 1h"
              + " (default: ${DEFAULT-VALUE}).")
  String agentTimeout = "30s";

  @Option(
      names = "--progress-every",
      description = "Progress line interval, 1s to 1h (default: ${DEFAULT-VALUE}).")
  String progressEvery = "3s";

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;
  // refusals before the run; the run's own lines and verdict go to out
  PrintStream err = System.err;

  /**
   * Why a local fleet cannot start here (packages, the work directory's reach); tests replace it.
   */
  Supplier<Optional<String>> fleetBlocked = () -> FleetCommands.cannotStartIn(dataDir);

  private volatile ExperimentRunner runner;

  @Override
  public Integer call() {
    Duration progress;
    Duration askTimeout;
    try {
      progress = Durations.within("--progress-every", progressEvery, MIN_PROGRESS, MAX_WAIT);
      askTimeout = KafkaOptions.waitFor("--agent-timeout", agentTimeout);
      if (experimentId != null) {
        ExperimentPlan.checkedId("--experiment-id", experimentId);
      }
      Optional<String> samplesProblem =
          saveSamples == null || dryRun ? Optional.empty() : SavedSamples.problem(saveSamples);
      if (samplesProblem.isPresent()) {
        throw new IllegalArgumentException(samplesProblem.get());
      }
    } catch (IllegalArgumentException e) {
      err.println("faultline run " + e.getMessage());
      return Outcome.ERROR;
    }
    ExperimentDefinition definition;
    try {
      definition = ExperimentFileParser.read(file);
    } catch (ExperimentFileException e) {
      err.println("faultline run: " + e.getMessage());
      return Outcome.ERROR;
    }
    var local = definition.groups().local();
    if (!(dryRun && !askAgents) && local != null && local.start() && local.replicas() >= 2) {
      // before the broker: the fleet would fail only after the topics and the agent are up
      Optional<String> missing = fleetBlocked.get();
      if (missing.isPresent()) {
        err.println(
            "faultline run "
                + file
                + ": groups.local.replicas "
                + local.replicas()
                + " starts a local fleet, which "
                + missing.get());
        return Outcome.ERROR;
      }
    }
    ExperimentPlan plan =
        new ExperimentPlan(
            definition,
            experimentId != null ? experimentId : ExperimentPlan.newExperimentId(definition));
    Topics topics = Topics.named(kafka.topicsPrefix);
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
        new ConsoleRunView(out, definition, plan.experimentId(), System::currentTimeMillis, true);
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
              progress);
      try (SignalAbort signals = new SignalAbort(runner)) {
        return new ExperimentSession(definition, plan, topics, client, view)
            .savingSamplesTo(saveSamples)
            .run(runner, dataDir, dryRun ? askTimeout : null);
      }
    }
  }

  /** Asks the running experiment to stop (a signal, or a test). */
  void abort(String reason, int code) {
    ExperimentRunner r = runner;
    if (r != null) {
      r.abort(reason, code);
    }
  }
}
