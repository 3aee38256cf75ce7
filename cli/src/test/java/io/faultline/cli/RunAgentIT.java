package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.TopicReader;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `faultline run` against a real agent on a sleep process: interrupt and dry run. */
class RunAgentIT {

  @TempDir Path dir;

  private static char processState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void interruptHaltsTheAttackWaitsForRollbackAndExitsAborted() throws Exception {
    String prefix = "run-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createDirectories(dir.resolve("targets"));
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    Path file = dir.resolve("pause.yaml");
    Files.writeString(
        file,
        """
        metadata: {name: pause}
        groups:
          platform: local
          control: {processes: [bystander]}
          experimental: {processes: [victim]}
        steadyState:
          warmup: 2s
          window: 1s
          metrics: [{name: http.latency.ms, source: http-probe}]
        method:
          - {fault: pause-process, selector: {names: [victim], mode: all}, duration: 2m}
        guards: {maxDuration: 5m}
        recovery: {observe: 1s}
        """);
    try (AttackAgent agent =
        AgentMain.start(
            AgentConfig.fromMap(
                Map.of(
                    "bootstrap.servers", TestBroker.bootstrapServers(),
                    "topics.prefix", prefix,
                    "agent.targets.dir", targets.toString())))) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      run.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      AtomicInteger code = new AtomicInteger(-1);
      Thread runner =
          new Thread(
              () ->
                  code.set(
                      new CommandLine(run)
                          .execute(
                              file.toString(),
                              "--bootstrap-server",
                              TestBroker.bootstrapServers(),
                              "--topics-prefix",
                              prefix,
                              "--experiment-id",
                              "pause-1")));
      runner.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !buffer.toString(StandardCharsets.UTF_8).contains("attack pause-process STARTED")) {
        Thread.sleep(100);
      }
      assertThat(processState(victim.pid())).isEqualTo('T');
      run.abort("interrupted by SIGINT", 3); // what the INT handler does
      runner.join(60_000);
      String out = buffer.toString(StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(code.get()).as(out).isEqualTo(3);
      assertThat(out)
          .contains("ABORTING: interrupted by SIGINT")
          .contains("HALT_ALL sent for pause-1")
          .contains("attack pause-process ROLLED_BACK")
          .contains("every attack rolled back")
          .contains("VERDICT: ABORTED");
      assertThat(processState(victim.pid())).isNotEqualTo('T');
      try (TopicReader reader =
          new TopicReader(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
        ExperimentRecording rec =
            ExperimentRecording.fromTopics(reader, topics, "pause-1", Duration.ofSeconds(30));
        assertThat(rec.experiment().getState()).isEqualTo(ExperimentState.ABORTED);
        assertThat(rec.experiment().getEndedAt()).isNotNull();
        assertThat(rec.experiment().getDefinition()).contains("pause-process");
      }
    } finally {
      victim.destroyForcibly();
    }
  }

  @Test
  void dryRunReportsTheTargetsAndTouchesNothing() throws Exception {
    String prefix = "dry-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, new Topics(prefix, 3), (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createDirectories(dir.resolve("dry-targets"));
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    Path file = dir.resolve("dry.yaml");
    Files.writeString(
        file,
        """
        metadata: {name: dry}
        groups:
          platform: local
          control: {processes: [bystander]}
          experimental: {processes: [victim, ghost]}
        steadyState:
          warmup: 2s
          window: 1s
          metrics: [{name: http.latency.ms, source: http-probe}]
        method:
          - {fault: pause-process, selector: {names: [victim], mode: all}, duration: 1m}
          - {fault: kill-process, selector: {names: [ghost], mode: all}, duration: 1s}
        """);
    try (AttackAgent agent =
        AgentMain.start(
            AgentConfig.fromMap(
                Map.of(
                    "bootstrap.servers", TestBroker.bootstrapServers(),
                    "topics.prefix", prefix,
                    "agent.targets.dir", targets.toString())))) {
      RunCommand run = new RunCommand();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      run.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
      int code =
          new CommandLine(run)
              .execute(
                  file.toString(),
                  "--dry-run",
                  "--ask-agents",
                  "--bootstrap-server",
                  TestBroker.bootstrapServers(),
                  "--topics-prefix",
                  prefix);
      String out = buffer.toString(StandardCharsets.UTF_8);
      System.out.println(out);
      // the plan is printed, the victim would be hit, the ghost does not exist: rejected
      assertThat(out).contains("pause-process  process [victim] mode all");
      assertThat(out).contains("would hit: pause-process ACCEPTED on victim pid=" + victim.pid());
      assertThat(out).contains("attack kill-process REJECTED");
      assertThat(out).contains("DRY RUN: some attacks would be REJECTED");
      assertThat(code).isEqualTo(1);
      assertThat(processState(victim.pid())).isNotEqualTo('T');
      assertThat(victim.isAlive()).isTrue();
    } finally {
      victim.destroyForcibly();
    }
  }
}
