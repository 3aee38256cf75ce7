package io.faultline.kafka;

import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
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
 * A multi-broker KRaft cluster in this JVM, for tests of what a broker failure does: one dedicated
 * controller (node 0) and {@code n} brokers (nodes 1..n) on loopback ports, replication factor
 * {@code n} and {@code min.insync.replicas} {@code n - 1} for the internal topics (offsets,
 * transactions) and for every topic created without its own (Kafka Streams' changelog and
 * repartition topics). {@link #kill} stops a broker without a controlled shutdown, so the
 * controller finds it gone by its missed heartbeats as it would a crashed one, and its partitions
 * change leader only then.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

  private final Path dataDir;
  private final String clusterId = Uuid.randomUuid().toString();
  private final Set<Integer> usedPorts = new HashSet<>();
  private final int controllerPort;
  private final List<Integer> brokerPorts = new ArrayList<>();
  private final List<KafkaRaftServer> brokers = new ArrayList<>();
  private KafkaRaftServer controller;

  private EmbeddedKafkaCluster(Path dataDir) {
    this.dataDir = dataDir;
    this.controllerPort = freePort();
  }

  /** Starts a controller and {@code brokers} brokers (2 to 9) in a temp directory. */
  public static EmbeddedKafkaCluster start(int brokers) {
    if (brokers < 2 || brokers > 9) {
      throw new IllegalArgumentException("brokers " + brokers + ": must be from 2 to 9");
    }
    long begin = System.nanoTime();
    EmbeddedKafkaCluster cluster;
    try {
      cluster = new EmbeddedKafkaCluster(Files.createTempDirectory("faultline-kafka-cluster-"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temp directory for Kafka: " + e, e);
    }
    try {
      for (int i = 0; i < brokers; i++) {
        cluster.brokerPorts.add(cluster.freePort());
      }
      for (int i = 0; i < brokers; i++) {
        cluster.brokers.add(null);
      }
      // every node at once, as Kafka's own test kit does: a broker's startup blocks until the
      // controller has registered and unfenced it, so one after the other the waits add up
      // (docs/adr/0039: 41-86 s for 3 brokers on the loaded 2-core machine)
      List<CompletableFuture<Void>> starting = new ArrayList<>();
      starting.add(
          CompletableFuture.runAsync(
              () -> cluster.controller = cluster.startUnchecked(0, cluster.controllerProperties()),
              EmbeddedKafkaCluster::onItsOwnThread));
      for (int i = 0; i < brokers; i++) {
        int index = i;
        starting.add(
            CompletableFuture.runAsync(
                () ->
                    cluster.setBroker(
                        index, cluster.startUnchecked(index + 1, cluster.brokerProperties(index))),
                EmbeddedKafkaCluster::onItsOwnThread));
      }
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get();
      cluster.awaitBrokers(brokers);
    } catch (Exception e) {
      cluster.close();
      throw new IllegalStateException("cannot start a " + brokers + "-broker Kafka: " + e, e);
    }
    log.info(
        "embedded Kafka cluster of {} brokers at {}, started in {} ms",
        brokers,
        cluster.bootstrapServers(),
        (System.nanoTime() - begin) / 1_000_000);
    return cluster;
  }

  /** Every broker's address, comma-separated, as clients take it. */
  public String bootstrapServers() {
    return brokerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** Node ids of the brokers, 1..n. */
  public List<Integer> brokerIds() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= brokerPorts.size(); i++) {
      ids.add(i);
    }
    return ids;
  }

  /** Stops broker {@code nodeId} at once: no controlled shutdown, no leadership handed over. */
  public synchronized void kill(int nodeId) {
    KafkaRaftServer broker = brokers.get(nodeId - 1);
    if (broker == null) {
      return;
    }
    broker.shutdown();
    broker.awaitShutdown();
    brokers.set(nodeId - 1, null);
    log.info("broker {} of the embedded cluster stopped", nodeId);
  }

  /** Starts a killed broker again, same port, same data. */
  public synchronized void restart(int nodeId) {
    if (brokers.get(nodeId - 1) != null) {
      return;
    }
    try {
      brokers.set(nodeId - 1, startNode(nodeId, brokerProperties(nodeId - 1)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot restart broker " + nodeId + ": " + e, e);
    }
  }

  private Properties controllerProperties() {
    Properties props = common(0);
    props.put("process.roles", "controller");
    props.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
    // in KRaft the controller, not the broker, fills in a CreateTopics request's defaults
    // (Kafka Streams asks for its internal topics with replication factor -1)
    topicDefaults(props);
    return props;
  }

  /**
   * What a topic created without a partition count or replication factor gets: {@code n} replicas,
   * {@code n - 1} of them in sync to take a write, like the topics the tests create.
   */
  private void topicDefaults(Properties props) {
    int n = brokerPorts.size();
    props.put("num.partitions", "3");
    props.put("default.replication.factor", Integer.toString(n));
    props.put("min.insync.replicas", Integer.toString(n - 1));
  }

  private Properties brokerProperties(int index) {
    int n = brokerPorts.size();
    Properties props = common(index + 1);
    topicDefaults(props);
    String address = "PLAINTEXT://127.0.0.1:" + brokerPorts.get(index);
    props.put("process.roles", "broker");
    props.put("listeners", address);
    props.put("advertised.listeners", address);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    EmbeddedKafka.smallBroker(props, n, n - 1);
    // a crash, not a planned restart: leaders move when the controller misses heartbeats
    props.put("controlled.shutdown.enable", "false");
    return props;
  }

  private Properties common(int nodeId) {
    Properties props = new Properties();
    props.put("node.id", Integer.toString(nodeId));
    props.put("controller.quorum.voters", "0@127.0.0.1:" + controllerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("log.dirs", dataDir.resolve("node-" + nodeId).toString());
    // the controller fences a silent broker after 3 s instead of 9 s
    props.put("broker.session.timeout.ms", "3000");
    props.put("broker.heartbeat.interval.ms", "500");
    return props;
  }

  /** Not the common pool: on 2 cores it runs one task at a time. */
  private static void onItsOwnThread(Runnable task) {
    DaemonThreads.named("embedded-kafka-node").newThread(task).start();
  }

  private synchronized void setBroker(int index, KafkaRaftServer broker) {
    brokers.set(index, broker);
  }

  private KafkaRaftServer startUnchecked(int nodeId, Properties props) {
    try {
      return startNode(nodeId, props);
    } catch (Exception e) {
      throw new IllegalStateException("node " + nodeId + ": " + e, e);
    }
  }

  private KafkaRaftServer startNode(int nodeId, Properties props) throws Exception {
    KafkaConfig config = new KafkaConfig(props, false);
    Path logDir = dataDir.resolve("node-" + nodeId);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      Files.createDirectories(logDir);
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setIgnoreFormatted(true)
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return server;
  }

  private void awaitBrokers(int n) throws Exception {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
    long deadline = System.currentTimeMillis() + 60_000;
    try (Admin admin = Admin.create(conf)) {
      while (admin.describeCluster().nodes().get().size() < n) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("not all " + n + " brokers registered within 60 s");
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public synchronized void close() {
    // the brokers at once (each waits out its own shutdown), then the controller
    CompletableFuture.allOf(
            brokers.stream()
                .map(
                    b ->
                        CompletableFuture.runAsync(
                            () -> stopQuietly(b), EmbeddedKafkaCluster::onItsOwnThread))
                .toArray(CompletableFuture[]::new))
        .join();
    brokers.replaceAll(b -> null);
    stopQuietly(controller);
    controller = null;
    EmbeddedKafka.deleteRecursively(dataDir);
  }

  private static void stopQuietly(KafkaRaftServer server) {
    if (server == null) {
      return;
    }
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("embedded Kafka node did not shut down cleanly: {}", e.toString());
    }
  }

  /** A free loopback port not yet given to another node of this cluster. */
  private int freePort() {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (usedPorts.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new IllegalStateException("no free loopback port: " + e, e);
      }
    }
    throw new IllegalStateException("no free loopback port apart from " + usedPorts);
  }
}
