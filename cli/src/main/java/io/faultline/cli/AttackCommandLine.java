package io.faultline.cli;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.TargetSelection;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandBounds;
import io.faultline.schema.CommandType;
import io.faultline.schema.Durations;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Publishes one attack command and follows its events: {@code faultline attack} (START) and {@code
 * faultline halt} (HALT_ALL). Commands are signed when {@code FAULTLINE_AGENT_COMMAND_SECRET} is
 * set, the same secret the agents check.
 */
final class AttackCommandLine {

  private AttackCommandLine() {}

  @Command(
      name = "attack",
      mixinStandardHelpOptions = true,
      header = "Start one attack on EXPERIMENTAL targets and wait until the agent reports it.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {
        "0:started (with --dry-run: accepted)",
        "1:the agent REJECTED the attack, or it FAILED",
        "2:usage error, an unknown fault or parameter or a value out of range (named), no agent"
            + " answered within --timeout, or a failure"
      },
      description = {
        "Start one attack on EXPERIMENTAL targets and wait until the agent reports it.",
        "The fault and its parameters are checked against the agent's catalogue first",
        "(faultline faults lists it in full)."
      })
  static final class Attack implements Callable<Integer> {

    @Parameters(
        index = "0",
        completionCandidates = FaultsCommand.Names.class,
        description = "The fault: ${COMPLETION-CANDIDATES}.")
    String fault;

    @Option(
        names = "--target",
        required = true,
        split = ",",
        description = "Target names, comma-separated.")
    List<String> targets;

    @Option(names = "--kind", description = "Target kind (default: the kind the fault takes).")
    String kind;

    @Option(
        names = "--mode",
        description =
            "Which of the targets: one, all, fixed:N, percent:P or random-max-percent:P (default:"
                + " ${DEFAULT-VALUE}).")
    String mode = "all";

    @Option(names = "--duration", required = true, description = "How long, e.g. 30s, 5m.")
    String duration;

    @Option(
        names = "--param",
        description = "Fault parameter key=value, repeatable (e.g. cores=2); see below.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--experiment", description = "Experiment id (default: adhoc-<random>).")
    String experimentId;

    @Option(
        names = "--dry-run",
        description = "Select and report the targets without touching them.")
    boolean dryRun;

    @Option(
        names = "--timeout",
        description = "How long to wait for the agent, 1s to 1h (default: ${DEFAULT-VALUE}).")
    String timeout = "30s";

    @Mixin KafkaOptions kafka = new KafkaOptions();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
      try {
        // the agent's own floor, and the longest attack an experiment file may hold
        Duration length =
            Durations.within(
                "--duration",
                duration,
                AgentConfig.MIN_DURATION,
                ExperimentFileParser.MAX_ATTACK_DURATION);
        Duration wait = KafkaOptions.waitFor("--timeout", timeout);
        FaultSpec spec =
            FaultSpecs.named(fault)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "'"
                                + fault
                                + "' is not a fault"
                                + FaultSpecs.hint(fault)
                                + "; faultline faults lists them"));
        var problems = spec.problems(params);
        if (!problems.isEmpty()) {
          problems.forEach(
              (field, problem) ->
                  err.println("faultline attack: --param " + field.substring(11) + ": " + problem));
          return 2;
        }
        try {
          TargetSelection.checkMode(mode);
        } catch (InvalidRecordException e) {
          throw new IllegalArgumentException(
              "--mode '" + CommandBounds.quote(mode) + "': must be " + TargetSelection.MODES);
        }
        String targetKind = kind != null ? kind : spec.kind();
        if (!spec.kinds().contains(targetKind)) {
          throw new IllegalArgumentException(
              "--kind "
                  + targetKind
                  + ": "
                  + fault
                  + " takes targets of kind "
                  + String.join(" or ", spec.kinds()));
        }
        String experiment =
            experimentId != null
                ? ExperimentPlan.checkedId("--experiment", experimentId)
                : "adhoc-" + UUID.randomUUID().toString().substring(0, 8);
        AttackCommand command =
            AttackCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setExperimentId(experiment)
                .setType(CommandType.START)
                .setFault(fault)
                .setTarget(
                    TargetSelector.newBuilder()
                        .setKind(targetKind)
                        .setNames(targets)
                        .setGroup(Group.EXPERIMENTAL)
                        .setMode(mode)
                        .build())
                .setDurationMs(length.toMillis())
                .setParameters(new HashMap<>(params))
                .setDryRun(dryRun)
                .build();
        Set<AttackEventType> done =
            dryRun
                ? Set.of(AttackEventType.ACCEPTED, AttackEventType.REJECTED)
                : Set.of(AttackEventType.STARTED, AttackEventType.REJECTED, AttackEventType.FAILED);
        AttackEvent last = publishAndFollow(kafka, command, done, wait, out);
        return last.getType() == AttackEventType.REJECTED
                || last.getType() == AttackEventType.FAILED
            ? 1
            : 0;
      } catch (InvalidRecordException | IllegalStateException | IllegalArgumentException e) {
        err.println("faultline attack: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(
      name = "halt",
      mixinStandardHelpOptions = true,
      header = "Recover every active attack of an experiment, or of all.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {
        "0:HALT_ALL sent (with --wait: and an attack ROLLED_BACK)",
        ExitCodes.USAGE_OR_ERROR
      },
      description = {
        "Publish HALT_ALL for one experiment's attacks (or every one's, with --all) so the agents",
        "recover them; --wait waits for the first ROLLED_BACK."
      })
  static final class Halt implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", description = "The experiment id.")
    String experimentId;

    @ArgGroup(exclusive = true)
    Scope scope;

    static final class Scope {
      @Option(names = "--all", description = "Every experiment's attacks.")
      boolean all;
    }

    @Option(names = "--wait", description = "Wait for a ROLLED_BACK event (up to --timeout).")
    boolean waitForRollback;

    @Option(
        names = "--timeout",
        description = "How long to wait, 1s to 1h (default: ${DEFAULT-VALUE}).")
    String timeout = "30s";

    @Mixin KafkaOptions kafka = new KafkaOptions();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
      boolean all = scope != null && scope.all;
      if ((experimentId == null) == !all) {
        err.println("faultline halt: give an EXPERIMENT id or --all (not both)");
        return 2;
      }
      try {
        Duration wait = KafkaOptions.waitFor("--timeout", timeout);
        if (!all) {
          ExperimentPlan.checkedId("EXPERIMENT", experimentId);
        }
        AttackCommand command =
            AttackCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setExperimentId(all ? "*" : experimentId)
                .setType(CommandType.HALT_ALL)
                .build();
        if (waitForRollback) {
          publishAndFollow(kafka, command, Set.of(AttackEventType.ROLLED_BACK), wait, out);
        } else {
          publish(kafka, command);
          out.println(
              "HALT_ALL sent for " + (all ? "every experiment" : "experiment " + experimentId));
        }
        return 0;
      } catch (IllegalStateException | IllegalArgumentException e) {
        err.println("faultline halt: " + e.getMessage());
        return 2;
      }
    }
  }

  private static void publish(KafkaOptions kafka, AttackCommand command) {
    Topics topics = Topics.named(kafka.topicsPrefix);
    Map<String, Object> conf = new HashMap<>(kafka.clientConfig());
    // a halt must fail in bounded time when Kafka is away, not hang
    conf.putIfAbsent("max.block.ms", "10000");
    conf.putIfAbsent("delivery.timeout.ms", "40000");
    try (var producer =
        new KafkaProducer<>(conf, new StringSerializer(), new ByteArraySerializer())) {
      CommandSender.of(producer, topics, "faultline cli " + System.getProperty("user.name", ""))
          .send(command);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "cannot publish to "
              + kafka.clientConfig().get("bootstrap.servers")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Publishes, prints this command's events, returns the first whose type is in {@code done}. */
  static AttackEvent publishAndFollow(
      KafkaOptions kafka,
      AttackCommand command,
      Set<AttackEventType> done,
      Duration timeout,
      PrintStream out) {
    Topics topics = Topics.named(kafka.topicsPrefix);
    AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
    Map<String, Object> conf = new HashMap<>(kafka.clientConfig());
    conf.put("group.id", "faultline-cli-" + UUID.randomUUID());
    conf.put("auto.offset.reset", "latest");
    conf.put("enable.auto.commit", "false");
    try (var consumer =
        new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.attackEvents().name()));
      long joined = System.currentTimeMillis() + timeout.toMillis();
      while (consumer.assignment().isEmpty() && System.currentTimeMillis() < joined) {
        consumer.poll(Duration.ofMillis(50));
      }
      publish(kafka, command);
      boolean halt = command.getType() == CommandType.HALT_ALL;
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (System.currentTimeMillis() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          AttackEvent e;
          try {
            e = serde.decode(r.value());
          } catch (RuntimeException unreadable) {
            continue;
          }
          boolean mine =
              command.getCommandId().equals(e.getCommandId())
                  || (halt && String.valueOf(e.getReason()).contains(command.getCommandId()));
          if (!mine) {
            continue;
          }
          out.println(
              e.getType()
                  + " "
                  + e.getFault()
                  + " "
                  + String.join(", ", e.getTargets())
                  + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
          if (done.contains(e.getType())) {
            return e;
          }
        }
      }
      throw new IllegalStateException(
          "no answer from an agent within "
              + Durations.format(timeout)
              + " (is one running on this cluster?)");
    }
  }
}
