package io.faultline.cli;

import io.faultline.cli.experiment.DemoExperiment;
import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.PlanText;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.ExperimentReport;
import io.faultline.cli.report.Outcome;
import io.faultline.cli.report.SavedSamples;
import io.faultline.cli.report.TopicReader;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.scale.fleet.FleetCommands;
import io.faultline.schema.Durations;
import io.faultline.schema.NearestName;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;

/**
 * {@code faultline demo}: embedded Kafka, Scale as control + experimental, agent, collector and
 * analyzer in one command, running the built-in experiment {@code examples/local-demo.yaml} (steady
 * state, CPU attack, recovery, kill, recovery: its hypotheses, attacks and parameters; the options
 * override its phase lengths, rate and CPUs) through the same {@link ExperimentSession} and {@link
 * ExperimentRunner} as {@code run}, and printing the verdict.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Run the whole platform and one built-in experiment on this machine.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      "0:the experiment produced a verdict (held or not)",
      "2:error, or no verdict",
      ExitCodes.ABORTED
    },
    description = {
      "Run a real experiment on this machine: an embedded Kafka, Scale as a control",
      "and an experimental instance, the attack agent, the collector and the analyzer.",
      "Attacks: a CPU burn, then a kill of the experimental instance; --scenario runs",
      "another of the bundled experiments instead (Scenarios, below).",
      "Prints the verdict with MTTD and MTTR, as 'faultline run' does for a file.",
      "Ctrl-C halts the attacks, waits for their rollback, then stops everything."
    })
public final class DemoCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  /**
   * The demo's experiments: bundled files of {@code examples/}, run in turn on one broker. The
   * option's check, its help and what runs all come from here.
   */
  enum Scenario {
    CONTAINER(
        false,
        "a CPU burn, then a kill, of one process per group; the phase options apply to it only",
        DemoExperiment.FILE),
    POD(
        true,
        "each group a multi-zone fleet: one experimental replica killed, a third hung",
        "local-fleet-pod.yaml"),
    ZONE(
        true,
        "each group a multi-zone fleet: zone-a of the experimental one loses power, its database"
            + " primary with it",
        "local-fleet-zone.yaml"),
    ALL(
        true,
        "the three questions on one broker: container, then pod and zone on one fleet, ending"
            + " with their table",
        DemoExperiment.FILE,
        "local-fleet-pod-zone.yaml"),
    PIPELINE(
        false,
        "Scale's extraction on a local Spark cluster per group, an executor killed mid-job",
        "spark-executor-kill.yaml");

    /** Each group is a multi-zone fleet, which needs Debian packages and a reachable work dir. */
    final boolean fleet;

    final String description;

    /** The files in {@code examples/}, in the order they run. */
    final List<String> files;

    Scenario(boolean fleet, String description, String... files) {
      this.fleet = fleet;
      this.description = description;
      this.files = List.of(files);
    }

    /** The name {@code --scenario} takes. */
    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** One line of the help: what it attacks, its files and what it needs. */
    String help() {
      return description
          + " (examples/"
          + String.join(", then ", files)
          + (fleet ? "; needs the fleet's Debian packages)" : ")");
    }

    static Optional<Scenario> named(String label) {
      return Arrays.stream(values()).filter(s -> s.label().equals(label)).findFirst();
    }

    static List<String> labels() {
      return Arrays.stream(values()).map(Scenario::label).toList();
    }

    /** The names for the help and the completion. */
    static final class Labels implements Iterable<String> {
      @Override
      public Iterator<String> iterator() {
        return labels().iterator();
      }
    }
  }

  @Option(
      names = "--data-dir",
      description = "Where the broker's data, targets and logs go (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".faultline", "demo");

  /** The experiment the demo runs; the options below default to its values. */
  private final ExperimentDefinition demo = DemoExperiment.definition();

  @Option(
      names = "--steady",
      description =
          "Steady-state phase before the first attack (default: the file's warmup, ${DEFAULT-VALUE}).")
  String steady = Durations.format(demo.steadyState().warmup());

  @Option(
      names = "--cpu-attack",
      description = "Length of the CPU attack (default: the file's, 30s).")
  String cpuAttack = Durations.format(demo.method().attacks().get(0).duration());

  @Option(
      names = "--recovery",
      description = "Observation after each attack (default: the file's gap between them, 30s).")
  String recovery =
      Durations.format(
          demo.method().attacks().get(1).start().minus(demo.method().attacks().get(0).end()));

  @Option(
      names = "--jvm-warmup",
      description =
          "Traffic before the experiment, not judged, so no JVM is cold (default: the file's, 15s).")
  String jvmWarmup = Durations.format(demo.groups().local().jvmWarmup());

  @Option(
      names = "--jvm-settle",
      description =
          "After the JVM warm-up, unjudged traffic until both groups' latency has settled, at"
              + " most this long; 0 to skip (default: the file's, 60s).")
  String jvmSettle = Durations.format(demo.groups().local().jvmSettle());

  @Option(
      names = "--rps",
      description = "Requests per second sent to each group (default: the file's, 20).")
  int rps = demo.groups().local().rps();

  @Option(names = "--window", description = "Analysis window (default: the file's, 5s).")
  String window = Durations.format(demo.steadyState().window());

  @Option(
      names = "--control-cpus",
      description =
          "CPUs the control instance is pinned to (default: the file's, 0; none = unpinned).")
  String controlCpus = demo.groups().local().controlCpus();

  @Option(
      names = "--experimental-cpus",
      description =
          "CPUs the experimental instance is pinned to (default: the file's, 1; none = unpinned).")
  String experimentalCpus = demo.groups().local().experimentalCpus();

  @Option(
      names = "--scenario",
      completionCandidates = Scenario.Labels.class,
      description =
          "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}), each described under"
              + " Scenarios below.")
  String scenario = Scenario.CONTAINER.label();

  @Option(
      names = "--broker-only",
      description =
          "Only start the embedded broker and print its address; Ctrl-C stops it. It listens on"
              + " 127.0.0.1:9092, or the next free port up to 9101 (printed), unless --port says.")
  boolean brokerOnly;

  @Option(
      names = "--port",
      description =
          "The broker's port on 127.0.0.1; refused when taken; 0 = any free one (default: 9092"
              + " or the next free one with --broker-only, any free one otherwise).")
  Integer port;

  @Option(
      names = SavedSamples.OPTION,
      paramLabel = "DIR",
      description =
          "After each experiment, write its samples into DIR (a directory per experiment when"
              + " the scenario runs several) as the CSV files 'faultline analyze' reads, with"
              + " attacks.csv and README.txt, and print the line that judges the latency again.")
  Path saveSamples;

  private DemoBrokerPort brokerPort = new DemoBrokerPort(0, null);

  /** Where progress and the verdict go; tests replace it. */
  PrintStream out = System.out;

  private final long begin = System.currentTimeMillis();
  private final StartedComponents started = new StartedComponents();

  /** Why a fleet cannot start here (packages, the work directory's reach); tests replace it. */
  Supplier<Optional<String>> fleetBlocked = () -> FleetCommands.cannotStartIn(dataDir);

  @Override
  public Integer call() throws Exception {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      problems.forEach(p -> out.println("faultline demo " + p));
      return Outcome.ERROR;
    }
    Scenario chosen = Scenario.named(scenario).orElseThrow();
    if (chosen.fleet && !brokerOnly) {
      Optional<String> missing = fleetBlocked.get();
      if (missing.isPresent()) {
        out.println("faultline demo --scenario " + scenario + " " + missing.get());
        return Outcome.ERROR;
      }
    }
    try {
      brokerPort = DemoBrokerPort.choose(port, brokerOnly, DemoBrokerPort::isFree);
    } catch (IllegalArgumentException e) {
      out.println("faultline demo " + e.getMessage());
      return Outcome.ERROR;
    }
    try {
      Files.createDirectories(dataDir);
    } catch (java.io.IOException e) {
      out.println(
          "faultline demo --data-dir "
              + dataDir
              + ": cannot create it ("
              + e
              + "); point it at a writable directory");
      return Outcome.ERROR;
    }
    List<ExperimentDefinition> runs =
        chosen.files.stream()
            .map(f -> f.equals(DemoExperiment.FILE) ? tunedContainer() : DemoExperiment.bundled(f))
            .toList();
    Thread cleanup = new Thread(started::close, "faultline-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      return runDemo(chosen, runs);
    } catch (RuntimeException e) {
      log.error("demo failed", e);
      out.println();
      out.println("faultline demo failed: " + e.getMessage());
      out.println("The full log is in " + System.getProperty("faultline.log.file"));
      return Outcome.ERROR;
    } finally {
      started.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException alreadyShuttingDown) {
        // SIGTERM while stopping: the hook is closing them itself
      }
    }
  }

  /**
   * Puts the scenarios, from {@link Scenario}, in the demo's help after its options: a name and its
   * line each, wrapped beside the names.
   */
  static void describeScenarios(CommandLine demo) {
    String key = "scenarios";
    List<String> keys = new ArrayList<>(demo.getHelpSectionKeys());
    keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_OPTION_LIST) + 1, key);
    demo.setHelpSectionKeys(keys);
    demo.getHelpSectionMap()
        .put(
            key,
            help -> {
              int width = help.commandSpec().usageMessage().width();
              CommandLine.Help.TextTable table =
                  CommandLine.Help.TextTable.forColumns(
                      help.colorScheme(),
                      new CommandLine.Help.Column(13, 2, CommandLine.Help.Column.Overflow.SPAN),
                      new CommandLine.Help.Column(
                          width - 13, 1, CommandLine.Help.Column.Overflow.WRAP));
              for (Scenario s : Scenario.values()) {
                table.addRowValues(s.label(), s.help());
              }
              return String.format("%nScenarios (--scenario):%n") + table;
            });
  }

  /**
   * The options' values checked against what an experiment file allows, before anything starts:
   * each problem names the option, the value and what is allowed.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (Scenario.named(scenario).isEmpty()) {
      problems.add(
          "--scenario "
              + scenario
              + ": must be one of "
              + String.join(", ", Scenario.labels())
              + NearestName.hint(Scenario.labels(), scenario));
    }
    if (rps < ExperimentDefinition.Local.MIN_RPS || rps > ExperimentDefinition.Local.MAX_RPS) {
      problems.add(
          "--rps "
              + rps
              + ": must be between "
              + ExperimentDefinition.Local.MIN_RPS
              + " and "
              + ExperimentDefinition.Local.MAX_RPS);
    }
    for (String[] cpus :
        List.of(
            new String[] {"--control-cpus", controlCpus},
            new String[] {"--experimental-cpus", experimentalCpus})) {
      if (!ExperimentDefinition.Local.CPUS.matcher(cpus[1]).matches()) {
        problems.add(
            cpus[0] + " " + cpus[1] + ": must be " + ExperimentDefinition.Local.CPUS_ALLOWED);
      }
    }
    Duration windowLength =
        within(problems, "--window", window, SampleSummaries.MIN_WINDOW, MAX_PHASE);
    Duration steadyLength = within(problems, "--steady", steady, Duration.ofSeconds(1), MAX_PHASE);
    if (windowLength != null
        && steadyLength != null
        && steadyLength.compareTo(windowLength.multipliedBy(2)) < 0) {
      problems.add(
          "--steady "
              + steady
              + ": must be at least two windows ("
              + Durations.format(windowLength.multipliedBy(2))
              + "), the baseline before the first attack");
    }
    within(
        problems,
        "--cpu-attack",
        cpuAttack,
        Duration.ofSeconds(1),
        ExperimentFileParser.MAX_ATTACK_DURATION);
    within(problems, "--recovery", recovery, Duration.ZERO, MAX_PHASE);
    within(problems, "--jvm-warmup", jvmWarmup, Duration.ZERO, Duration.ofMinutes(10));
    within(problems, "--jvm-settle", jvmSettle, Duration.ZERO, Duration.ofMinutes(10));
    if (port != null && (port < 0 || port > 65_535)) {
      problems.add("--port " + port + ": must be between 0 (any free port) and 65535");
    }
    if (saveSamples != null && !brokerOnly) {
      SavedSamples.problem(saveSamples).ifPresent(problems::add);
    }
    return problems;
  }

  private static final Duration MAX_PHASE = ExperimentFileParser.MAX_PHASE;

  /** The option's duration if it parses and lies in [min, max]; otherwise a problem and null. */
  private static Duration within(
      List<String> problems, String option, String value, Duration min, Duration max) {
    try {
      return Durations.within(option, value, min, max);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private ExperimentDefinition tunedContainer() {
    return DemoExperiment.tuned(
        demo,
        Durations.parse("--steady", steady),
        Durations.parse("--window", window),
        Durations.parse("--cpu-attack", cpuAttack),
        Durations.parse("--recovery", recovery),
        new ExperimentDefinition.Local(
            true,
            controlCpus,
            experimentalCpus,
            Durations.parse("--jvm-warmup", jvmWarmup),
            rps,
            0,
            null,
            Durations.parse("--jvm-settle", jvmSettle)));
  }

  /**
   * The broker here, then each file in turn through the same session and runner as {@code run};
   * after each, what its clients saw per attack, and after {@code all} the three questions' table.
   */
  private int runDemo(Scenario chosen, List<ExperimentDefinition> runs) throws Exception {
    say("faultline demo: data in " + dataDir.toAbsolutePath());
    // A fresh broker each run, so the analyzer's local state of an earlier run must go too.
    deleteRecursively(dataDir.resolve("analyzer-state"));
    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            dataDir.resolve("kafka"), true, false, Map.of(), List.of(), brokerPort.port());
    started.push(kafka);
    if (brokerPort.note() != null) {
      say(brokerPort.note());
    }
    say("Kafka broker (KRaft, in-process) at " + kafka.bootstrapServers());
    if (brokerOnly) {
      say(
          "broker only: Ctrl-C to stop; e.g. ./faultline run examples/local-demo.yaml"
              + " --bootstrap-server "
              + kafka.bootstrapServers());
      Thread.currentThread().join();
    }
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    Topics topics = Topics.defaults();
    List<ExperimentReport> reports = new ArrayList<>();
    int worst = Outcome.HELD;
    for (ExperimentDefinition tuned : runs) {
      if (!reports.isEmpty()) {
        out.println();
        say("next: " + tuned.metadata().name());
      }
      Path samples =
          saveSamples == null || runs.size() == 1
              ? saveSamples
              : saveSamples.resolve(tuned.metadata().name());
      int code = runOne(tuned, client, topics, reports, samples);
      if (code == Outcome.ERROR || code == Outcome.ABORTED) {
        return code;
      }
      worst = Math.max(worst, code);
    }
    if (chosen == Scenario.ALL) {
      out.println();
      out.println(
          "The three questions, measured in this run ("
              + Durations.format(System.currentTimeMillis() - begin)
              + "):");
      ThreeQuestions.print(reports, out);
    }
    // the demo's job is a verdict, whichever way the hypothesis went
    return worst == Outcome.NOT_HELD ? Outcome.HELD : worst;
  }

  private int runOne(
      ExperimentDefinition tuned,
      Map<String, Object> client,
      Topics topics,
      List<ExperimentReport> reports,
      Path samples)
      throws Exception {
    ExperimentPlan plan =
        new ExperimentPlan(tuned, "demo-" + UUID.randomUUID().toString().substring(0, 8));
    RunView view =
        new ConsoleRunView(out, tuned, plan.experimentId(), System::currentTimeMillis, false);
    PlanText.print(plan, topics.experiments().name(), out);
    try (KafkaRunSinks sinks = new KafkaRunSinks(client, topics, "faultline demo")) {
      ExperimentRunner runner =
          new ExperimentRunner(
              tuned, plan, RunClock.SYSTEM, sinks, view, List.of(), Duration.ofSeconds(3));
      try (SignalAbort signals = new SignalAbort(runner)) {
        ExperimentSession session =
            new ExperimentSession(tuned, plan, topics, client, view).savingSamplesTo(samples);
        int code = session.run(runner, dataDir, null);
        if (runner.finalResult() != null) {
          // the broker starts empty each run: the history is kept beside it (faultline history)
          var history = new io.faultline.cli.history.DemoHistory(dataDir.resolve("history"));
          try {
            history.add(runner.finalResult(), runner.alerts());
            out.println();
            history.print(runner.finalResult().getService(), 8, out);
          } catch (java.io.IOException e) {
            say("the history in " + dataDir.resolve("history") + " was not updated: " + e);
          }
        }
        ExperimentReport report;
        try (TopicReader reader = new TopicReader(client)) {
          report =
              ExperimentReport.of(
                  ExperimentRecording.fromTopics(
                      reader, topics, plan.experimentId(), Duration.ofSeconds(10)),
                  session.promotions());
        }
        reports.add(report);
        ThreeQuestions.printAttacks(report, out);
        if (session.savedSamples() != null && session.savedSamples().command() != null) {
          out.println();
          out.println(
              "Judge "
                  + session.savedSamples().metric()
                  + " of this run again from "
                  + samples
                  + " (README.txt there says what the run was):");
          out.println("  " + session.savedSamples().command());
        }
        return code;
      }
    }
  }

  private void say(String message) {
    out.printf(Locale.ROOT, "[%4ds] %s%n", (System.currentTimeMillis() - begin) / 1000, message);
    log.info(message);
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
