package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.TopicReader;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.VictimProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `faultline run` against a real agent on a sleep process: interrupt and dry run. */
@Tag("side-by-side")
class RunAgentIT {

  @TempDir Path dir;

  /** An agent on the test broker whose one target, victim, is EXPERIMENTAL. */
  private static AttackAgent agentTargeting(Topics topics, VictimProcess victim) throws Exception {
    TargetFiles targets =
        TargetFiles.create("run-targets").process("victim", "EXPERIMENTAL", victim.pid());
    return AgentMain.start(
        AgentConfig.fromMap(AgentSettings.forTestBroker(topics, targets.dir()).toMap()));
  }

  @Test
  void interruptHaltsTheAttackWaitsForRollbackAndExitsAborted() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("run"));
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
    try (VictimProcess victim = VictimProcess.start();
        AttackAgent agent = agentTargeting(topics, victim)) {
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
                              topics.prefix(),
                              "--experiment-id",
                              "pause-1")));
      runner.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !buffer.toString(StandardCharsets.UTF_8).contains("attack pause-process STARTED")) {
        Thread.sleep(100);
      }
      assertThat(victim.state()).isEqualTo('T');
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
      assertThat(victim.state()).isNotEqualTo('T');
      try (TopicReader reader =
          new TopicReader(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
        ExperimentRecording rec =
            ExperimentRecording.fromTopics(reader, topics, "pause-1", Duration.ofSeconds(30));
        assertThat(rec.experiment().getState()).isEqualTo(ExperimentState.ABORTED);
        assertThat(rec.experiment().getEndedAt()).isNotNull();
        assertThat(rec.experiment().getDefinition()).contains("pause-process");
      }
    }
  }

  @Test
  void dryRunReportsTheTargetsAndTouchesNothing() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("dry"));
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
    try (VictimProcess victim = VictimProcess.start();
        AttackAgent agent = agentTargeting(topics, victim)) {
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
                  topics.prefix());
      String out = buffer.toString(StandardCharsets.UTF_8);
      System.out.println(out);
      // the plan is printed, the victim would be hit, the ghost does not exist: rejected
      assertThat(out).contains("pause-process  process [victim] mode all");
      assertThat(out).contains("would hit: pause-process ACCEPTED on victim pid=" + victim.pid());
      assertThat(out).contains("attack kill-process REJECTED");
      assertThat(out).contains("DRY RUN: some attacks would be REJECTED");
      assertThat(code).isEqualTo(1);
      assertThat(victim.state()).isNotEqualTo('T');
      assertThat(victim.isAlive()).isTrue();
    }
  }
}
