package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.VictimProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `faultline attack` and `faultline halt` against a real broker and a real agent. */
@Tag("side-by-side")
class AttackHaltIT {

  @Test
  void attackStartsAFaultAndHaltRecoversIt() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("cli"));
    try (VictimProcess victim = VictimProcess.start();
        VictimProcess bystander = VictimProcess.start()) {
      TargetFiles targets =
          TargetFiles.create("cli-targets")
              .process("victim", "EXPERIMENTAL", victim.pid())
              .process("bystander", "CONTROL", bystander.pid());
      String[] kafka = {
        "--bootstrap-server", TestBroker.bootstrapServers(), "--topics-prefix", topics.prefix()
      };
      try (AttackAgent agent =
          AgentMain.start(
              AgentConfig.fromMap(AgentSettings.forTestBroker(topics, targets.dir()).toMap()))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AttackCommandLine.Attack attack = new AttackCommandLine.Attack();
        attack.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code =
            new CommandLine(attack)
                .execute(
                    concat(
                        new String[] {
                          "pause-process",
                          "--target",
                          "victim",
                          "--duration",
                          "2m",
                          "--experiment",
                          "cli-exp"
                        },
                        kafka));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("STARTED pause-process victim pid=" + victim.pid());
        assertThat(victim.state()).isEqualTo('T');

        ByteArrayOutputStream haltOut = new ByteArrayOutputStream();
        AttackCommandLine.Halt halt = new AttackCommandLine.Halt();
        halt.out = new PrintStream(haltOut, true, StandardCharsets.UTF_8);
        assertThat(new CommandLine(halt).execute(concat(new String[] {"cli-exp", "--wait"}, kafka)))
            .isZero();
        assertThat(haltOut.toString(StandardCharsets.UTF_8))
            .contains("ROLLED_BACK pause-process")
            .contains("SIGCONT");
        assertThat(victim.state()).isNotEqualTo('T');

        ByteArrayOutputStream rejectedOut = new ByteArrayOutputStream();
        AttackCommandLine.Attack onControl = new AttackCommandLine.Attack();
        onControl.out = new PrintStream(rejectedOut, true, StandardCharsets.UTF_8);
        assertThat(
                new CommandLine(onControl)
                    .execute(
                        concat(
                            new String[] {
                              "kill-process", "--target", "bystander", "--duration", "5s"
                            },
                            kafka)))
            .isEqualTo(1);
        assertThat(rejectedOut.toString(StandardCharsets.UTF_8))
            .contains("REJECTED")
            .contains("CONTROL");
        assertThat(bystander.isAlive()).isTrue();
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
