package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.schema.AttackState;
import io.faultline.schema.Group;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attack whose recovery is still running takes its share of the blast radius until that recovery
 * is done (docs/adr/0096): an orphan network-latency whose proxy holds the DELETE of its impairment
 * open, on an agent with no Kafka to reach.
 */
class RecoveringAttackHoldsItsShareTest {

  @TempDir Path dir;

  @Test
  void anAttackBeingRecoveredHoldsItsTargetsUntilItsRecoveryIsDone() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    proxy.start();
    AttackAgent agent = new AttackAgent(AgentJournalTest.withoutKafka("recovering-agent", dir));
    try {
      String control = "127.0.0.1:" + proxy.getAddress().getPort();
      var recovery =
          agent.recoverOrphan(
              AttackState.newBuilder()
                  .setAttackId("slow-1")
                  .setExperimentId("e")
                  .setCommandId("c-slow")
                  .setFault("network-latency")
                  .setAgentId("gone-agent")
                  .setTargets(List.of("web-1 pid=4242"))
                  .setRecovery(
                      Map.of(
                          "web-1.pid", "4242",
                          "web-1.control", control,
                          "web-1.kind", "latency",
                          "web-1.owner", "o-1"))
                  .setStartedAt(System.currentTimeMillis())
                  .setExpiresAt(System.currentTimeMillis() + 60_000)
                  .build(),
              "orphan of gone-agent");
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("the recovery reached the proxy").isTrue();

      assertThat(agent.activeAttacks()).as("no longer active").doesNotContain("slow-1");
      assertThat(agent.held())
          .singleElement()
          .satisfies(
              h -> {
                assertThat(h.target().name()).isEqualTo("web-1");
                assertThat(h.holder())
                    .isEqualTo("slow-1 (command c-slow), which is being recovered now");
              });
      List<ProcessTarget> web =
          List.of(
              new ProcessTarget("web-1", Group.EXPERIMENTAL, 4242, "127.0.0.1", 0, null),
              new ProcessTarget("web-2", Group.EXPERIMENTAL, 4243, "127.0.0.1", 0, null));
      BlastRadius radius = BlastRadius.of(web, agent.held(), 50);
      assertThat(radius.taken(web.get(0))).isTrue();
      assertThat(radius.room()).as("1 of 2 at 50%: none left while it recovers").isZero();

      release.countDown();
      recovery.get(30, TimeUnit.SECONDS);
      assertThat(agent.held()).as("its share is free once the recovery is done").isEmpty();
      assertThat(BlastRadius.of(web, agent.held(), 50).room()).isEqualTo(1);
    } finally {
      release.countDown();
      agent.close();
      proxy.stop(0);
    }
  }
}
