package io.faultline.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, combined broker and controller) started in this JVM. Its data lives
 * in a directory the user can see and delete; the storage is formatted on first start and reused
 * (with a fresh port) on the next one unless {@code fresh} is set.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final boolean deleteOnClose;
  private final int brokerPort;
  private final Map<String, Integer> extraPorts = new java.util.LinkedHashMap<>();
  private KafkaRaftServer server;
  private KafkaConfig config; // kept for restart(): same ports, same data

  private EmbeddedKafka(Path dataDir, boolean deleteOnClose, int brokerPort) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.brokerPort = brokerPort;
  }

  /**
   * A client listener beside the PLAINTEXT one, e.g. {@code SECURE} with protocol {@code SASL_SSL};
   * its settings go into the overrides as {@code listener.name.secure.*}.
   */
  public record Listener(String name, String protocol) {}

  /** Starts a broker whose data lives in {@code dataDir}; {@code fresh} wipes it first. */
  public static EmbeddedKafka start(Path dataDir, boolean fresh) {
    return start(dataDir, fresh, false, Map.of());
  }

  /** Starts a throw-away broker in a temp directory that is deleted on close (tests). */
  public static EmbeddedKafka startTemporary() {
    try {
      return start(Files.createTempDirectory("faultline-kafka-"), true, true, Map.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temp directory for Kafka: " + e, e);
    }
  }

  public static EmbeddedKafka start(
      Path dataDir, boolean fresh, boolean deleteOnClose, Map<String, String> overrides) {
    return start(dataDir, fresh, deleteOnClose, overrides, List.of());
  }

  /** A broker with extra client listeners (TLS, SASL) on ports of their own. */
  public static EmbeddedKafka start(
      Path dataDir,
      boolean fresh,
      boolean deleteOnClose,
      Map<String, String> overrides,
      List<Listener> extraListeners) {
    return start(dataDir, fresh, deleteOnClose, overrides, extraListeners, 0);
  }

  /**
   * As above on a given PLAINTEXT port (0: a free one), so that a broker run in a child process can
   * be killed and started again where its clients expect it (fault-matrix tests).
   */
  public static EmbeddedKafka start(
      Path dataDir,
      boolean fresh,
      boolean deleteOnClose,
      Map<String, String> overrides,
      List<Listener> extraListeners,
      int brokerPort) {
    long begin = System.nanoTime();
    EmbeddedKafka kafka =
        new EmbeddedKafka(dataDir, deleteOnClose, brokerPort > 0 ? brokerPort : freePort());
    for (Listener l : extraListeners) {
      kafka.extraPorts.put(l.name(), kafka.freePortNotTaken());
    }
    try {
      if (fresh) {
        deleteRecursively(dataDir);
      }
      Files.createDirectories(dataDir);
      kafka.startServer(overrides, extraListeners);
    } catch (Exception e) {
      kafka.close();
      throw new IllegalStateException(
          "cannot start the embedded Kafka in " + dataDir + ": " + e, e);
    }
    log.info(
        "embedded Kafka at {} (data in {}), started in {} ms",
        kafka.bootstrapServers(),
        dataDir,
        (System.nanoTime() - begin) / 1_000_000);
    return kafka;
  }

  /**
   * What every embedded broker sets, the single one and a cluster's: its internal topics with
   * {@code replicas} replicas ({@code minInsync} in sync), three partitions each, no rebalance
   * delay, no topic created by a client's mention, small segments and a small cleaner buffer.
   */
  static void smallBroker(Properties props, int replicas, int minInsync) {
    props.put("offsets.topic.replication.factor", Integer.toString(replicas));
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", Integer.toString(replicas));
    props.put("transaction.state.log.min.isr", Integer.toString(minInsync));
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
    props.put("share.coordinator.state.topic.min.isr", Integer.toString(minInsync));
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
  }

  private void startServer(Map<String, String> overrides, List<Listener> extraListeners)
      throws Exception {
    int controllerPort = freePortNotTaken();
    Path logDir = dataDir.resolve("log");
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + brokerPort);
    StringBuilder advertised = new StringBuilder(listeners);
    StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    for (Listener l : extraListeners) {
      String address = l.name() + "://127.0.0.1:" + extraPorts.get(l.name());
      listeners.append(',').append(address);
      advertised.append(',').append(address);
      protocols.append(',').append(l.name()).append(':').append(l.protocol());
    }
    props.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", advertised.toString());
    props.put("listener.security.protocol.map", protocols.toString());
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("num.partitions", "3");
    smallBroker(props, 1, 1);
    props.putAll(overrides);
    config = new KafkaConfig(props, false);

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      Formatter formatter =
          new Formatter()
              .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
              .setNodeId(NODE_ID)
              .setClusterId(Uuid.randomUuid().toString())
              .setDirectories(List.of(logDir.toString()))
              .setMetadataLogDirectory(logDir.toString())
              .setControllerListenerName("CONTROLLER")
              .setReleaseVersion(MetadataVersion.latestProduction())
              .setIgnoreFormatted(true);
      formatter.run();
    }
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    awaitReady();
  }

  private void awaitReady() throws Exception {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
    try (Admin admin = Admin.create(conf)) {
      admin.describeCluster().nodes().get();
    }
  }

  /** Stops the broker, keeping its data, for tests of clients that lose Kafka for a while. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts the broker again after {@link #stop}, on the same ports with the same data. */
  public synchronized void restart() {
    if (server != null) {
      return;
    }
    try {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitReady();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot restart the embedded Kafka in " + dataDir + ": " + e, e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** The address of an extra listener given at start, e.g. {@code 127.0.0.1:40123}. */
  public String listenerAddress(String name) {
    Integer port = extraPorts.get(name);
    if (port == null) {
      throw new IllegalArgumentException(
          "no listener named " + name + "; this broker has " + extraPorts.keySet());
    }
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      try {
        server.shutdown();
        server.awaitShutdown();
      } catch (RuntimeException e) {
        log.warn("embedded Kafka did not shut down cleanly: {}", e.toString());
      }
      server = null;
    }
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  /**
   * A free port other than the broker's and the extra listeners': a port just released (the
   * broker's own, on a restart with a fixed port) can be handed out again at once, and two
   * listeners on one port make the broker refuse to start.
   */
  private int freePortNotTaken() {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = freePort();
      if (port != brokerPort && !extraPorts.containsValue(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port apart from " + brokerPort);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port: " + e, e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
