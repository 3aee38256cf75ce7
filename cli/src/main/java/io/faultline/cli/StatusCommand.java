package io.faultline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.cli.report.TopicReader;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Durations;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code faultline status}: what is running, who is attacking, whether the analyzer keeps up. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Show active experiments and attacks, the agents seen and the analyzer's lag.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:read", ExitCodes.USAGE_OR_ERROR},
    description = {
      "Active experiments (experiments topic) and active attacks (attack.state), the agents seen",
      "(attack.events and the agents' consumer group), and the analyzer's consumer lag."
    })
public final class StatusCommand implements Callable<Integer> {

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String output = "text";

  @Option(
      names = "--agent-group",
      description = "The agents' consumer group (default: ${DEFAULT-VALUE}).")
  String agentGroup = "faultline-agent";

  @Option(
      names = "--analyzer-group",
      description = "The analyzer's application id (default: ${DEFAULT-VALUE}).")
  String analyzerGroup = "faultline-analyzer";

  @Option(
      names = "--agents-since",
      description =
          "Agents seen on attack.events within this time, from 1s to the topic's retention"
              + " (default: ${DEFAULT-VALUE}).")
  String agentsSince = "24h";

  @Option(
      names = "--timeout",
      description = "Time to read the topics, 1s to 1h (default: ${DEFAULT-VALUE}).")
  String timeout = "30s";

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (!output.equals("text") && !output.equals("json")) {
      err.println("faultline status: --output '" + output + "': must be text or json");
      return 2;
    }
    try {
      Duration wait = KafkaOptions.waitFor("--timeout", timeout);
      Topics topics = Topics.named(kafka.topicsPrefix);
      // attack.events keeps no agent longer than its retention
      long since =
          System.currentTimeMillis()
              - Durations.within(
                      "--agents-since",
                      agentsSince,
                      Duration.ofSeconds(1),
                      topics.attackEvents().retention())
                  .toMillis();
      Map<String, Object> client = kafka.clientConfig();
      Map<String, Experiment> experiments = new TreeMap<>();
      Map<String, AttackState> attacks = new TreeMap<>();
      Map<String, Long> agentsSeen = new TreeMap<>();
      try (TopicReader reader = new TopicReader(client)) {
        experiments.putAll(
            TopicReader.latestPerKey(
                reader.readAll(topics.experiments().name(), wait), AvroSerde.of(Experiment.class)));
        attacks.putAll(
            TopicReader.latestPerKey(
                reader.readAll(topics.attackState().name(), wait),
                AvroSerde.of(AttackState.class)));
        AvroSerde<AttackEvent> ev = AvroSerde.of(AttackEvent.class);
        for (var r : reader.readAll(topics.attackEvents().name(), wait)) {
          if (r.timestamp() < since) {
            continue;
          }
          try {
            AttackEvent e = ev.decode(r.value());
            if (!e.getAgentId().isEmpty()) {
              agentsSeen.merge(e.getAgentId(), e.getTimestamp(), Math::max);
            }
          } catch (RuntimeException unreadable) {
            // skip
          }
        }
      }
      List<String> members = new ArrayList<>();
      Map<String, Long> lag = new TreeMap<>();
      String analyzerState;
      try (Admin admin = Admin.create(client)) {
        var groups =
            admin
                .describeConsumerGroups(List.of(agentGroup, analyzerGroup))
                .all()
                .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        groups.get(agentGroup).members().forEach(m -> members.add(m.clientId() + " " + m.host()));
        analyzerState = String.valueOf(groups.get(analyzerGroup).groupState());
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(analyzerGroup)
                .partitionsToOffsetAndMetadata()
                .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
            admin.listOffsets(latest).all().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        committed.forEach(
            (tp, om) -> {
              if (om != null && ends.containsKey(tp)) {
                lag.merge(tp.topic(), Math.max(0, ends.get(tp).offset() - om.offset()), Long::sum);
              }
            });
      }
      List<Experiment> active = new ArrayList<>();
      for (Experiment e : experiments.values()) {
        if (e.getState() == ExperimentState.RUNNING || e.getState() == ExperimentState.PENDING) {
          active.add(e);
        }
      }
      if (output.equals("json")) {
        printJson(active, experiments.size(), attacks, agentsSeen, members, analyzerState, lag);
      } else {
        printText(active, experiments.size(), attacks, agentsSeen, members, analyzerState, lag);
      }
      return 0;
    } catch (Exception e) {
      err.println("faultline status: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 2;
    }
  }

  private void printText(
      List<Experiment> active,
      int known,
      Map<String, AttackState> attacks,
      Map<String, Long> agents,
      List<String> members,
      String analyzerState,
      Map<String, Long> lag) {
    long now = System.currentTimeMillis();
    out.println("experiments: " + active.size() + " active of " + known + " known");
    for (Experiment e : active) {
      out.printf(
          Locale.ROOT,
          "  %-36s %-9s %-24s running %s%n",
          e.getExperimentId(),
          e.getState(),
          e.getName(),
          e.getStartedAt() == null
              ? "n/a"
              : Durations.format(Duration.ofSeconds((now - e.getStartedAt()) / 1000)));
    }
    out.println("active attacks: " + attacks.size());
    for (AttackState a : attacks.values()) {
      out.printf(
          Locale.ROOT,
          "  %-40s %-14s on %s by %s, %s left%n",
          a.getAttackId(),
          a.getFault(),
          String.join(", ", a.getTargets()),
          a.getAgentId(),
          Durations.format(Duration.ofSeconds(Math.max(0, (a.getExpiresAt() - now) / 1000))));
    }
    out.println("agents seen on attack.events: " + agents.size());
    agents.forEach(
        (id, ts) ->
            out.printf(
                Locale.ROOT,
                "  %-30s last event %s ago%n",
                id,
                Durations.format(Duration.ofSeconds(Math.max(0, (now - ts) / 1000)))));
    out.println(
        "agent group "
            + agentGroup
            + ": "
            + members.size()
            + " member(s)"
            + (members.isEmpty() ? "" : " " + members));
    long total = lag.values().stream().mapToLong(Long::longValue).sum();
    out.println(
        "analyzer "
            + analyzerGroup
            + " ("
            + analyzerState
            + "): lag "
            + (lag.isEmpty() ? "n/a (no committed offsets)" : total + " records " + lag));
  }

  private void printJson(
      List<Experiment> active,
      int known,
      Map<String, AttackState> attacks,
      Map<String, Long> agents,
      List<String> members,
      String analyzerState,
      Map<String, Long> lag)
      throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("knownExperiments", known);
    ArrayNode ex = root.putArray("activeExperiments");
    for (Experiment e : active) {
      ObjectNode n = ex.addObject();
      n.put("experimentId", e.getExperimentId());
      n.put("name", e.getName());
      n.put("state", e.getState().name());
      if (e.getStartedAt() != null) {
        n.put("startedAt", e.getStartedAt());
      }
    }
    ArrayNode at = root.putArray("activeAttacks");
    for (AttackState a : attacks.values()) {
      ObjectNode n = at.addObject();
      n.put("attackId", a.getAttackId());
      n.put("experimentId", a.getExperimentId());
      n.put("fault", a.getFault());
      n.put("agentId", a.getAgentId());
      a.getTargets().forEach(n.putArray("targets")::add);
      n.put("startedAt", a.getStartedAt());
      n.put("expiresAt", a.getExpiresAt());
    }
    ObjectNode ag = root.putObject("agentsSeen");
    agents.forEach(ag::put);
    ArrayNode mem = root.putArray("agentGroupMembers");
    members.forEach(mem::add);
    ObjectNode an = root.putObject("analyzer");
    an.put("group", analyzerGroup);
    an.put("state", analyzerState);
    ObjectNode lags = an.putObject("lag");
    lag.forEach(lags::put);
    an.put("totalLag", lag.values().stream().mapToLong(Long::longValue).sum());
    out.println(mapper.writeValueAsString(root));
  }
}
