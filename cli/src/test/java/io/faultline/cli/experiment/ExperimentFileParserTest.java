package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.SourceSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExperimentFileParserTest {

  private static final Path EXAMPLES = Path.of("..", "examples");

  static Stream<Path> examples() throws Exception {
    return Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleFileIsValid(Path file) {
    ExperimentDefinition d = ExperimentFileParser.read(file);
    assertThat(d.metadata().name()).isEqualTo(file.getFileName().toString().replace(".yaml", ""));
    assertThat(d.method().attacks()).isNotEmpty();
    assertThat(d.plannedDuration()).isLessThanOrEqualTo(d.guards().maxDuration());
  }

  @Test
  void examplesCoverTheSeedQuestions() throws Exception {
    assertThat(examples().map(p -> p.getFileName().toString()))
        .contains(
            "local-demo.yaml",
            "container-cpu-shutdown.yaml",
            "pod-attacks.yaml",
            "zone-outage.yaml");
  }

  @Test
  void readsTheLocalDemoPlan() {
    ExperimentDefinition d = ExperimentFileParser.read(EXAMPLES.resolve("local-demo.yaml"));
    assertThat(d.groups().local().start()).isTrue();
    assertThat(d.method().attacks().get(1).start()).isEqualTo(Duration.ofSeconds(60));
    assertThat(d.method().mode()).isEqualTo("sequential");
    // 100 s warm-up + 61 s of attacks + 35 s recovery
    assertThat(d.plannedDuration()).isEqualTo(Duration.ofSeconds(196));
    assertThat(d.steadyState().metrics().get(0).critical()).isTrue();
  }

  @Test
  void statisticPerMetricReachesTheExperimentRecord() {
    String yaml =
        VALID.replace(
            "direction: increase}",
            "direction: increase, statistic: [spread, p99, spread]}\n"
                + "    - {name: cpu.usage, source: http-probe, statistic: p99}");
    ExperimentDefinition d = ExperimentFileParser.parse("x.yaml", yaml);
    assertThat(d.steadyState().metrics().get(0).statistics()).containsExactly("spread", "p99");
    assertThat(d.steadyState().metrics().get(1).statistics()).containsExactly("p99");
    var hypotheses =
        new ExperimentPlan(d, "e1")
            .experiment(ExperimentState.RUNNING, 1, 1L, null)
            .getHypotheses();
    assertThat(hypotheses.get(0).getStatistics())
        .containsExactly(
            io.faultline.schema.HypothesisStatistic.SPREAD,
            io.faultline.schema.HypothesisStatistic.P99);
    assertThat(
            ExperimentFileParser.parse("x.yaml", VALID).steadyState().metrics().get(0).statistics())
        .as("absent: the metric's default, decided by the analyzer")
        .isEmpty();

    String bad = VALID.replace("direction: increase}", "direction: increase, statistic: median}");
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", bad))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .contains(
                        "steadyState.metrics[0].statistic: 'median' is not one of [mean, p99, spread]"));
  }

  @Test
  void serviceAndSeverityReachTheExperimentRecord() {
    String yaml =
        VALID
            .replace("metadata: {name: t}", "metadata: {name: t, service: checkout}")
            .replace(
                "direction: increase}",
                "direction: increase, severity: SEV3}\n"
                    + "    - {name: cpu.usage, source: http-probe, critical: true}");
    var experiment =
        new ExperimentPlan(ExperimentFileParser.parse("x.yaml", yaml), "e1")
            .experiment(ExperimentState.RUNNING, 1, 1L, null);
    assertThat(experiment.getService()).isEqualTo("checkout");
    assertThat(experiment.getHypotheses().get(0).getSeverity()).isEqualTo("SEV3");
    assertThat(experiment.getHypotheses().get(1).getSeverity())
        .as("absent: the analyzer's level for a critical metric")
        .isNull();

    String labelled =
        VALID.replace("metadata: {name: t}", "metadata: {name: t, labels: {service: scale}}");
    assertThat(
            new ExperimentPlan(ExperimentFileParser.parse("x.yaml", labelled), "e1")
                .experiment(ExperimentState.RUNNING, 1, 1L, null)
                .getService())
        .isEqualTo("scale");
    assertThat(
            new ExperimentPlan(ExperimentFileParser.parse("x.yaml", VALID), "e1")
                .experiment(ExperimentState.RUNNING, 1, 1L, null)
                .getService())
        .isEqualTo("system");

    String bad = VALID.replace("direction: increase}", "direction: increase, severity: high}");
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", bad))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(String.join("\n", e.errors()))
                    .contains("steadyState.metrics[0].severity"));
  }

  @Test
  void attackWithoutStartFollowsThePreviousOne() {
    String yaml =
        VALID.replace("    start: 0s\n", "") + "  - fault: kill-process\n    duration: 2s\n";
    ExperimentDefinition d = ExperimentFileParser.parse("x.yaml", yaml);
    assertThat(d.method().attacks().get(1).start()).isEqualTo(Duration.ofSeconds(20));
    assertThat(d.method().attacks().get(1).selector().names()).containsExactly("exp");
  }

  @Test
  void overlappingStartsMakeAnOverlappingMethod() {
    String yaml = VALID + "  - fault: kill-process\n    start: 5s\n    duration: 2s\n";
    assertThat(ExperimentFileParser.parse("x.yaml", yaml).method().mode()).isEqualTo("overlapping");
  }

  @Test
  void reportsEveryErrorAtOnceWithItsPath() {
    String broken =
        """
        metadata:
          name: Bad_Name
          colour: blue
        groups:
          platform: local
          control: {processes: [ctl]}
          experimental: {processes: [exp]}
        steadyState:
          warmup: 1s
          window: 5s
          metrics:
            - name: http.latency.ms
              source: smoke-signals
              direction: sideways
              tolerance: 0.5
              abortThreshold: 0.2
        method:
          - fault: cpu-burn
            selector: {names: [ctl], mode: sometimes}
            duration: 2h
          - fault: pod-delete
            duration: forever
            start: -5s
        guards:
          maxDuration: 48h
          stopConditions:
            - prometheus: {url: ftp://x, query: up}
            - {}
        """;
    assertThatThrownBy(() -> ExperimentFileParser.parse("broken.yaml", broken))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .anyMatch(m -> m.startsWith("metadata.name: 'Bad_Name' must be"))
                    .anyMatch(
                        m -> m.startsWith("metadata.colour: unknown key; allowed here: name,"))
                    .anyMatch(m -> m.startsWith("steadyState.warmup: 1s is less than 2 windows"))
                    .anyMatch(
                        m ->
                            m.startsWith(
                                "steadyState.metrics[0].source: 'smoke-signals' is not one of"))
                    .anyMatch(
                        m ->
                            m.equals(
                                "steadyState.metrics[0].direction: 'sideways' is not one of [decrease, either, increase]"))
                    .anyMatch(
                        m ->
                            m.equals(
                                "steadyState.metrics[0].abortThreshold: 0.2 must be greater than tolerance 0.5"))
                    .anyMatch(
                        m ->
                            m.equals(
                                "method[0].selector.names[0]: 'ctl' is in the CONTROL group, which is never attacked"))
                    .anyMatch(
                        m -> m.startsWith("method[0].selector.mode: 'sometimes' is not one of"))
                    .anyMatch(m -> m.equals("method[0].duration: 2h: must be between 1s and 1h"))
                    .anyMatch(
                        m ->
                            m.startsWith(
                                "method[1].fault: 'pod-delete' does not run on platform local"))
                    .anyMatch(m -> m.startsWith("method[1].duration: 'forever' is not a duration"))
                    .anyMatch(m -> m.startsWith("method[1].start: '-5s' is not a duration"))
                    .anyMatch(m -> m.equals("guards.maxDuration: 48h: must be between 1s and 24h"))
                    .anyMatch(
                        m ->
                            m.equals(
                                "guards.stopConditions[0].prometheus.url: 'ftp://x' must be an http:// or https:// URL"))
                    .anyMatch(
                        m ->
                            m.equals(
                                "guards.stopConditions[1]: must have exactly one of: prometheus, cloudwatchAlarm"))
                    .hasSize(15));
  }

  @Test
  void missingSectionsAreEachNamed() {
    assertThatThrownBy(() -> ExperimentFileParser.parse("empty.yaml", "metadata: {name: x}\n"))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        "groups: required", "steadyState: required", "method: required"));
  }

  @Test
  void planLongerThanMaxDurationIsRejected() {
    String yaml = VALID.replace("maxDuration: 10m", "maxDuration: 30s");
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", yaml))
        .hasMessageContaining(
            "guards.maxDuration: the plan takes 1m10s (warm-up + attacks + recovery), more than the 30s allowed");
  }

  @Test
  void blastRadiusGuardsTheSelectors() {
    String yaml =
        VALID
            .replace("experimental: {processes: [exp]}", "experimental: {processes: [exp, exp2]}")
            .replace("names: [exp], mode: all", "names: [exp, exp2], mode: all")
            .replace("checkInterval: 1s", "checkInterval: 1s\n  blastRadius: {maxTargets: 1}");
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", yaml))
        .hasMessageContaining(
            "method[0].selector.mode: 'all' may hit 2 targets; guards.blastRadius.maxTargets is 1");
  }

  @Test
  void tooManyAttacksAndTooLargeFilesAreRefused(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    StringBuilder many = new StringBuilder(VALID);
    for (int i = 0; i < ExperimentFileParser.MAX_ATTACKS; i++) {
      many.append("  - fault: kill-process\n    duration: 1s\n");
    }
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", many.toString()))
        .hasMessageContaining("method: 51 attacks; at most 50 are allowed");
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, "#" + "x".repeat((int) ExperimentFileParser.MAX_FILE_BYTES));
    assertThatThrownBy(() -> ExperimentFileParser.read(big))
        .hasMessageContaining("an experiment file may be at most 262144");
  }

  @Test
  void aYamlSyntaxErrorIsOneErrorInPlainWordsAtTheLineAndColumnToFix() {
    String[][] cases = {
      {
        "metadata:\n\tname: x\n",
        "not valid YAML at line 2, column 1: a tab; YAML indents with spaces only"
      },
      {
        "metadata:\n  name: \"unclosed\n  owner: me\n",
        "not valid YAML at line 2, column 9: the text opened here with \" is never closed"
      },
      {
        "metadata:\n  name: 'unclosed\n",
        "not valid YAML at line 2, column 9: the text opened here with ' is never closed"
      },
      {
        "metadata:\n  name: a\n  owner: me\n  name: b\n",
        "not valid YAML at line 4, column 3: the key 'name' is given twice in one mapping; give it"
            + " once (YAML would keep only the last)"
      },
      {
        "metadata: {name: a\n",
        "not valid YAML at line 1, column 11: the { opened here is never closed with } (or an entry"
            + " lacks its ,)"
      },
      {
        "metadata:\n  labels: [a, b\n",
        "not valid YAML at line 2, column 11: the [ opened here is never closed with ] (or an entry"
            + " lacks its ,)"
      },
      {
        "metadata:\n  name: a\n bad: 1\n",
        "not valid YAML at line 3, column 2: this line is indented unlike the others of its mapping"
            + " or list; the keys of one mapping, and the - of one list, start in the same column"
      },
      {
        "metadata:\n  description: cpu: high\n",
        "not valid YAML at line 2, column 19: a ': ' inside a value; put a value that holds ': ' in"
            + " quotes, or the key on a new line"
      },
      {
        "metadata:\n  name: \"a\\qb\"\n",
        "not valid YAML at line 2, column 12: an unknown escape after \\ in a double-quoted text;"
            + " write \\\\ for a backslash, or use single quotes"
      },
      {
        "metadata:\n  name: a\u0000\n",
        "not valid YAML at line 2, column 10: the control character U+0000; an experiment file is"
            + " text (save it as UTF-8)"
      },
      {
        "{{a: b}: c}\n",
        "not valid YAML at line 1, column 3: a mapping or a list used as a key; a key is a plain text"
      }
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> ExperimentFileParser.parse("broken.yaml", c[0]))
          .as(c[0])
          .isInstanceOfSatisfying(
              ExperimentFileException.class,
              e -> {
                assertThat(e.errors()).containsExactly(c[1]);
                assertThat(e.getMessage()).startsWith("broken.yaml: 1 error(s)\n  ");
              });
    }
  }

  @Test
  void aListOrATextWhereAMappingGoesSaysWhatItIs() {
    String[][] cases = {
      {"metadata:\n  - name: a\n", "metadata: must be a mapping, not a list"},
      {"metadata: scale\n", "metadata: must be a mapping, not a text"},
      {"metadata:\n", "metadata: must be a mapping, not empty"}
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", c[0]))
          .isInstanceOfSatisfying(
              ExperimentFileException.class, e -> assertThat(e.errors()).contains(c[1]));
    }
  }

  @Test
  void kubernetesGroupsMustDifferAndNeedNamespaceAndLabels() {
    String yaml =
        VALID
            .replace("platform: local", "platform: kubernetes")
            .replace("control: {processes: [ctl]}", "control: {namespace: s, labels: {a: b}}")
            .replace("experimental: {processes: [exp]}", "experimental: {labels: {a: b}}")
            .replace("  local: {start: false}\n", "")
            .replace("fault: cpu-burn", "fault: pod-cpu-stress")
            .replace("selector: {kind: process, names: [exp], mode: all}", "selector: {kind: pod}");
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", yaml))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        "groups.experimental.namespace: required with platform kubernetes"));
  }

  @Test
  void theKubernetesExampleNamesItsSourcesAndTheyBecomeTheExperimentsOwn() {
    ExperimentDefinition d =
        ExperimentFileParser.read(EXAMPLES.resolve("container-cpu-shutdown.yaml"));
    List<SourceSpec> sources = ExperimentPlan.sources(d);
    assertThat(sources)
        .extracting(SourceSpec::getType)
        .containsExactly("http", "kubernetes", "prometheus");
    SourceSpec http = sources.get(0);
    assertThat(http.getIntervalMs()).isEqualTo(1000L);
    assertThat(http.getSettings()).containsEntry("rps", "100").containsEntry("concurrency", "100");
    assertThat(http.getExperimental())
        .containsEntry(
            "targets", "scale-experimental@http://scale-experimental-web.scale:8080/test_db");
    // kubernetes: each group as `groups` selects it
    assertThat(sources.get(1).getControl())
        .containsEntry("namespace", "scale")
        .containsEntry("selector", "app.kubernetes.io/name=scale,faultline.io/group=control");
    // prometheus: the query of the metric whose source it is, {group} as the collector's $group
    assertThat(sources.get(2).getSettings())
        .containsEntry("url", "http://prometheus.monitoring:9090")
        .hasEntrySatisfying(
            "query.container.cpu.usage",
            q -> assertThat(q).contains("faultline_io_group=\"$group\"").doesNotContain("{group}"));
    // and the Experiment record carries them, so a following collector runs them
    assertThat(
            new ExperimentPlan(d, "e1")
                .experiment(ExperimentState.RUNNING, 1, 1L, null)
                .getSources())
        .isEqualTo(sources);
  }

  @Test
  void theZoneExampleReadsEachNodeGroupFromContainerInsights() {
    List<SourceSpec> sources =
        ExperimentPlan.sources(ExperimentFileParser.read(EXAMPLES.resolve("zone-outage.yaml")));
    SourceSpec cloudwatch =
        sources.stream().filter(s -> s.getType().equals("cloudwatch")).findFirst().orElseThrow();
    assertThat(cloudwatch.getExperimental())
        .containsEntry("workload", "scale-experimental-web")
        .containsEntry("node.selector", "eks.amazonaws.com/nodegroup=scale-experimental");
    assertThat(cloudwatch.getIntervalMs()).isEqualTo(60_000L);
  }

  @Test
  void sourcesAreCheckedByTheCollectorsRulesWithTheirPathInTheFile() {
    String yaml =
        VALID.replace(
            "  metrics:\n",
            String.join(
                "\n",
                "  sources:",
                "    - type: http-probe",
                "      interval: 50ms",
                "      settings: {rps: fast}",
                "      control: {targets: [http://127.0.0.1:1/]}",
                "    - type: host",
                "      colour: blue",
                "      experimental: {processes: [\"cmd:scale\"]}",
                "    - type: datadog",
                "  metrics:",
                "    - {name: app.requests, source: scrape}",
                ""));
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", yaml))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        "steadyState.sources[0].interval: 50ms: must be between 100ms and 1h",
                        "steadyState.sources[1].colour: unknown key; allowed here: type, interval,"
                            + " timeout, settings, control, experimental",
                        "steadyState.sources[2].type: 'datadog' is not one of "
                            + ExperimentFileParser.SOURCES,
                        "steadyState.metrics[0].source: 'scrape' is not among"
                            + " steadyState.sources (host, http); add it there or take the metric"
                            + " from a declared source"));

    String collectorRules =
        VALID.replace(
            "  metrics:\n",
            String.join(
                "\n",
                "  sources:",
                "    - type: http-probe",
                "      interval: 500ms",
                "      settings: {rps: fast}",
                "      control: {targets: [http://127.0.0.1:1/]}",
                "  metrics:",
                ""));
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", collectorRules))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        "steadyState.sources[0].settings.rps (collector key probe.rps) 'fast':"
                            + " must be a number from 0.001 to 100000.0"));
  }

  /** The schema and the parser accept the same keys in each section. */
  @Test
  void jsonSchemaListsTheKeysTheParserAccepts() throws Exception {
    JsonNode schema;
    try (InputStream in = getClass().getResourceAsStream("/faultline/experiment.schema.json")) {
      schema = new ObjectMapper().readTree(in);
    }
    assertThat(names(schema.get("properties")))
        .containsExactly(
            "apiVersion",
            "groups",
            "guards",
            "kind",
            "metadata",
            "method",
            "recovery",
            "steadyState");
    assertThat(names(schema.at("/$defs/attack/properties")))
        .containsExactly("duration", "fault", "name", "parameters", "selector", "start");
    assertThat(names(schema.at("/properties/steadyState/properties")))
        .containsExactly("metrics", "recoveryWindows", "sources", "warmup", "window");
    assertThat(names(schema.at("/$defs/source/properties")))
        .containsExactly("control", "experimental", "interval", "settings", "timeout", "type");
    List<String> types = new ArrayList<>();
    schema.at("/$defs/source/properties/type/enum").forEach(t -> types.add(t.asText()));
    assertThat(new TreeSet<>(types)).isEqualTo(ExperimentFileParser.SOURCES);
    assertThat(names(schema.at("/$defs/metric/properties")))
        .containsExactly(
            "abortThreshold",
            "alpha",
            "critical",
            "direction",
            "name",
            "severity",
            "source",
            "statistic",
            "tolerance");
    List<String> faults = new ArrayList<>();
    schema.at("/$defs/attack/properties/fault/enum").forEach(f -> faults.add(f.asText()));
    assertThat(faults).isEqualTo(io.faultline.agent.FaultSpecs.names());
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleAttackPassesTheAgentsOwnChecks(Path file) {
    io.faultline.agent.FaultCatalog agent = io.faultline.agent.FaultCatalog.offline();
    for (var attack : ExperimentFileParser.read(file).method().attacks()) {
      assertThatCode(
              () -> agent.check(attack.fault(), attack.selector().kind(), attack.parameters()))
          .as(file.getFileName() + " " + attack.name())
          .doesNotThrowAnyException();
    }
  }

  @Test
  void mistypedParameterAndUnknownFaultAreErrorsNamingThePath() {
    String yaml =
        VALID.replace(
                "    start: 0s\n", "    start: 0s\n    parameters: {corez: \"8\", percent: 101}\n")
            + "  - fault: disk-io-pressure\n    duration: 2s\n"
            + "  - fault: pod-delete\n    duration: 2s\n";
    assertThatThrownBy(() -> ExperimentFileParser.parse("x.yaml", yaml))
        .isInstanceOfSatisfying(
            ExperimentFileException.class,
            e ->
                assertThat(e.errors())
                    .contains(
                        "method[0].parameters.corez: unknown parameter of cpu-burn; did you mean"
                            + " cores?",
                        "method[0].parameters.percent: '101': must be a whole number from 1 to"
                            + " 100")
                    .anyMatch(
                        m ->
                            m.startsWith(
                                "method[1].fault: 'disk-io-pressure' is not a fault; did you mean"
                                    + " disk-io?; local faults: cpu-burn,"))
                    .anyMatch(
                        m ->
                            m.startsWith(
                                "method[2].fault: 'pod-delete' does not run on platform local"
                                    + " (only aws, kubernetes)")));
  }

  @Test
  void selectorKindMustBeTheFaultsAndDefaultsToIt() {
    String zone =
        VALID
            .replace("platform: local", "platform: kubernetes")
            .replace("{processes: [ctl]}", "{namespace: s, labels: {g: c}}")
            .replace("{processes: [exp]}", "{namespace: s, labels: {g: e}}")
            .replace("  local: {start: false}\n", "")
            .replace("fault: cpu-burn", "fault: zone-outage")
            .replace("{kind: process, names: [exp], mode: all}", "{names: [eu-west-1a]}");
    assertThat(
            ExperimentFileParser.parse("z.yaml", zone).method().attacks().get(0).selector().kind())
        .isEqualTo("zone");
    assertThatThrownBy(
            () ->
                ExperimentFileParser.parse(
                    "z.yaml", zone.replace("{names: [eu-west-1a]}", "{kind: pod, names: [p]}")))
        .hasMessageContaining(
            "method[0].selector.kind: 'pod': zone-outage takes targets of kind zone");
  }

  private static Set<String> names(JsonNode n) {
    Set<String> s = new TreeSet<>();
    n.fieldNames().forEachRemaining(s::add);
    return s;
  }

  static final String VALID =
      """
      metadata: {name: t}
      groups:
        platform: local
        control: {processes: [ctl]}
        experimental: {processes: [exp]}
        local: {start: false}
      steadyState:
        warmup: 10s
        window: 5s
        metrics:
          - {name: http.latency.ms, source: http-probe, direction: increase}
      guards:
        maxDuration: 10m
        checkInterval: 1s
      recovery:
        observe: 40s
      method:
        - fault: cpu-burn
          selector: {kind: process, names: [exp], mode: all}
          start: 0s
          duration: 20s
      """;
}
