package io.faultline.agent.matrix;

import io.faultline.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A broker in a process of its own, so a test can SIGKILL or SIGTERM it: {@code BrokerProcess
 * DATA_DIR PORT ADVERTISED_PORT} keeps its data in DATA_DIR (a restart on the same directory and
 * port finds its topics and records), listens on PORT and tells clients to connect to
 * ADVERTISED_PORT (a {@link LinkProxy} in front of it). Prints {@code READY} once it answers;
 * SIGTERM shuts it down cleanly.
 */
public final class BrokerProcess {

  private BrokerProcess() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    int advertised = Integer.parseInt(args[2]);
    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            dataDir,
            false,
            false,
            Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertised),
            List.of(),
            port);
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-stop"));
    System.out.println("READY " + kafka.bootstrapServers());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
