package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `faultline attack` and `faultline halt` against a real broker and a real agent. */
class AttackHaltIT {

  private static char processState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void attackStartsAFaultAndHaltRecoversIt() throws Exception {
    String prefix = "cli-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, new Topics(prefix, 3), (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Process bystander = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createTempDirectory("cli-targets");
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    Files.writeString(
        targets.resolve("bystander.properties"),
        "name=bystander\ngroup=CONTROL\npid=" + bystander.pid() + "\n");
    String[] kafka = {
      "--bootstrap-server", TestBroker.bootstrapServers(), "--topics-prefix", prefix
    };
    try (AttackAgent agent =
        AgentMain.start(
            AgentConfig.fromMap(
                Map.of(
                    "bootstrap.servers", TestBroker.bootstrapServers(),
                    "topics.prefix", prefix,
                    "agent.targets.dir", targets.toString())))) {
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
      assertThat(processState(victim.pid())).isEqualTo('T');

      ByteArrayOutputStream haltOut = new ByteArrayOutputStream();
      AttackCommandLine.Halt halt = new AttackCommandLine.Halt();
      halt.out = new PrintStream(haltOut, true, StandardCharsets.UTF_8);
      assertThat(new CommandLine(halt).execute(concat(new String[] {"cli-exp", "--wait"}, kafka)))
          .isZero();
      assertThat(haltOut.toString(StandardCharsets.UTF_8))
          .contains("ROLLED_BACK pause-process")
          .contains("SIGCONT");
      assertThat(processState(victim.pid())).isNotEqualTo('T');

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
    } finally {
      victim.destroyForcibly();
      bystander.destroyForcibly();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
