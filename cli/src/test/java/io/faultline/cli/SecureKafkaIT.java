package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.collector.ExperimentSourcesFollower;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.collector.SourceRunner;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.CommandType;
import io.faultline.schema.ComponentAcls;
import io.faultline.schema.ComponentAcls.Component;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SourceSpec;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.VictimProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Kafka security passes through: an in-process broker with a SASL_SSL listener (SCRAM-SHA-512 over
 * TLS with a self-signed certificate) and an authorizer that denies what no ACL allows. The agent,
 * the collector and the CLI run as their own users with exactly the ACLs of {@link ComponentAcls};
 * what a component lacks is refused; no password or command secret reaches a log line or an event.
 */
@Tag("side-by-side")
class SecureKafkaIT {

  private static final String STORE_PASSWORD = "store-" + UUID.randomUUID();
  private static final String COMMAND_SECRET = "command-secret-" + UUID.randomUUID();
  private static final Map<String, String> PASSWORDS =
      Map.of(
          "agent", "agent-pw-" + UUID.randomUUID(),
          "cli", "cli-pw-" + UUID.randomUUID(),
          "collector", "collector-pw-" + UUID.randomUUID());

  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);
  private static Path dir;
  private static EmbeddedKafka kafka;
  private static Topics topics;
  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static Level rootLevel;
  private static Level kafkaLevel;

  private static Logger kafkaLogger() {
    return (Logger) LoggerFactory.getLogger("org.apache.kafka");
  }

  @BeforeAll
  static void secureBroker() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.INFO); // catch everything a component says at INFO and above
    kafkaLevel = kafkaLogger().getLevel();
    kafkaLogger().setLevel(Level.INFO); // Kafka's client config dumps are INFO
    logs.start();
    root.addAppender(logs);

    dir = Files.createTempDirectory("faultline-secure-");
    keytool(
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-keystore",
        path("broker.p12"),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "broker",
        "-rfc",
        "-file",
        path("broker.pem"),
        "-keystore",
        path("broker.p12"),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD);
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        path("broker.pem"),
        "-keystore",
        path("trust.p12"),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD);

    Map<String, String> broker = new HashMap<>();
    broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    broker.put(
        "listener.name.secure.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    broker.put("listener.name.secure.ssl.keystore.location", path("broker.p12"));
    broker.put("listener.name.secure.ssl.keystore.password", STORE_PASSWORD);
    broker.put("listener.name.secure.ssl.key.password", STORE_PASSWORD);
    broker.put("listener.name.secure.ssl.keystore.type", "PKCS12");
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // the PLAINTEXT listener (loopback, administrator and inter-broker) stays a super user
    broker.put("super.users", "User:ANONYMOUS");
    broker.put("allow.everyone.if.no.acl.found", "false");
    kafka =
        EmbeddedKafka.start(
            dir.resolve("kafka"),
            true,
            true,
            broker,
            List.of(new EmbeddedKafka.Listener("SECURE", "SASL_SSL")));

    topics = new Topics("secure-" + UUID.randomUUID().toString().substring(0, 8) + ".", 3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
      List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new ArrayList<>();
      PASSWORDS.forEach(
          (user, password) ->
              users.add(
                  new UserScramCredentialUpsertion(
                      user,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                      password)));
      admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
      List<org.apache.kafka.common.acl.AclBinding> acls = new ArrayList<>();
      acls.addAll(ComponentAcls.of(Component.AGENT, "User:agent", topics, "faultline-analyzer"));
      acls.addAll(ComponentAcls.of(Component.CLI, "User:cli", topics, "faultline-analyzer"));
      acls.addAll(
          ComponentAcls.of(Component.COLLECTOR, "User:collector", topics, "faultline-analyzer"));
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(rootLevel);
    kafkaLogger().setLevel(kafkaLevel);
  }

  @Test
  void agentAndCliWorkOverSaslSslWithOnlyTheirAclsAndLeakNoSecret() throws Exception {
    VictimProcess victim = VictimProcess.start();
    TargetFiles targets =
        TargetFiles.create("secure-targets").process("victim", "EXPERIMENTAL", victim.pid());
    Map<String, String> agentConf = new HashMap<>();
    agentConf.put("bootstrap.servers", kafka.listenerAddress("SECURE"));
    agentConf.put("topics.prefix", topics.prefix());
    agentConf.put("agent.targets.dir", targets.dir().toString());
    agentConf.put("agent.command.secret", COMMAND_SECRET);
    client("agent").forEach((k, v) -> agentConf.put("kafka." + k, v));
    Path cliProperties = dir.resolve("cli.properties");
    StringBuilder props = new StringBuilder();
    client("cli").forEach((k, v) -> props.append(k).append('=').append(escape(v)).append('\n'));
    Files.writeString(cliProperties, props);
    String[] kafkaArgs = {
      "--bootstrap-server", kafka.listenerAddress("SECURE"),
      "--config", cliProperties.toString(),
      "--topics-prefix", topics.prefix()
    };

    try (AttackAgent agent = AgentMain.start(AgentConfig.fromMap(agentConf))) {
      // a signed command published as the cli user starts the fault
      AttackCommand start =
          AttackCommand.newBuilder()
              .setCommandId(UUID.randomUUID().toString())
              .setExperimentId("secure-exp")
              .setType(CommandType.START)
              .setFault("pause-process")
              .setTarget(
                  TargetSelector.newBuilder()
                      .setNames(List.of("victim"))
                      .setGroup(Group.EXPERIMENTAL)
                      .build())
              .setDurationMs(120_000L)
              .setIssuedAt(System.currentTimeMillis())
              .build();
      try (var producer = producer("cli")) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.attackCommands().name(),
                    "secure-exp",
                    AttackCommandCodec.toAvro(CommandSignature.signed(start, COMMAND_SECRET))))
            .get(30, TimeUnit.SECONDS);
      }
      waitUntil(() -> victim.state() == 'T', Duration.ofSeconds(60), "victim paused");

      // `faultline halt` as the cli user, through the CLI's own --config path
      ByteArrayOutputStream haltOut = new ByteArrayOutputStream();
      AttackCommandLine.Halt halt = new AttackCommandLine.Halt();
      halt.out = new PrintStream(haltOut, true, StandardCharsets.UTF_8);
      int code = new picocli.CommandLine(halt).execute(concat(new String[] {"--all"}, kafkaArgs));
      assertThat(code).as("halt published as the cli user: " + haltOut).isZero();
      // unsigned (no FAULTLINE_AGENT_COMMAND_SECRET here): the agent requires signatures
      waitUntil(
          () ->
              readAll("cli", topics.attackEvents().name()).stream()
                  .anyMatch(e -> e.contains("REJECTED")),
          Duration.ofSeconds(60),
          "the unsigned HALT_ALL rejected");
      assertThat(victim.state()).as("an unsigned HALT_ALL is refused").isEqualTo('T');

      AttackCommand haltAll =
          AttackCommand.newBuilder()
              .setCommandId(UUID.randomUUID().toString())
              .setExperimentId("secure-exp")
              .setType(CommandType.HALT_ALL)
              .setIssuedAt(System.currentTimeMillis())
              .build();
      try (var producer = producer("cli")) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.attackCommands().name(),
                    "secure-exp",
                    AttackCommandCodec.toAvro(CommandSignature.signed(haltAll, COMMAND_SECRET))))
            .get(30, TimeUnit.SECONDS);
      }
      waitUntil(() -> victim.state() != 'T', Duration.ofSeconds(60), "victim resumed");

      List<String> events = readAll("cli", topics.attackEvents().name());
      assertThat(events).anyMatch(e -> e.contains("STARTED")).anyMatch(e -> e.contains("REJECTED"));
      assertThat(events).anyMatch(e -> e.contains("ROLLED_BACK"));
      for (String secret : secrets()) {
        assertThat(events).noneMatch(e -> e.contains(secret));
      }
    } finally {
      victim.close();
    }

    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      lines.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        lines.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    assertThat(lines)
        .as("log lines captured: the agent's and the Kafka clients' (with their configs)")
        .anyMatch(l -> l.contains("consuming " + topics.attackCommands().name()))
        .anyMatch(l -> l.contains("sasl.jaas.config"));
    for (String secret : secrets()) {
      assertThat(lines).as("no log line holds a secret").noneMatch(l -> l.contains(secret));
    }
  }

  @Test
  void onlyTheCliAndTheAnalyzerMayWriteAttackCommands() {
    for (String user : List.of("collector", "agent")) {
      try (var producer = producer(user)) {
        assertThatThrownBy(
                () ->
                    producer
                        .send(
                            new ProducerRecord<>(
                                topics.attackCommands().name(), "x", new byte[] {1}))
                        .get(30, TimeUnit.SECONDS))
            .as(user + " writing attack.commands")
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
    assertThat(ComponentAcls.of(Component.ANALYZER, "User:analyzer", topics, "faultline-analyzer"))
        .anyMatch(
            b ->
                b.pattern().name().equals(topics.attackCommands().name())
                    && b.entry().operation() == org.apache.kafka.common.acl.AclOperation.WRITE);
  }

  @Test
  void theCollectorFollowsAnExperimentsSourcesWithOnlyItsAcls() throws Exception {
    HttpServer app =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    app.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    app.start();
    String url = "http://127.0.0.1:" + app.getAddress().getPort() + "/";
    Map<String, String> base = new HashMap<>();
    client("collector").forEach((k, v) -> base.put("kafka." + k, v));
    base.put("bootstrap.servers", kafka.listenerAddress("SECURE"));
    base.put("topics.prefix", topics.prefix());
    String id = "secure-sources-" + UUID.randomUUID().toString().substring(0, 8);
    Experiment experiment =
        Experiment.newBuilder()
            .setExperimentId(id)
            .setState(ExperimentState.RUNNING)
            .setCreatedAt(System.currentTimeMillis())
            .setSources(
                List.of(
                    SourceSpec.newBuilder()
                        .setType("http")
                        .setIntervalMs(500L)
                        .setControl(Map.of("targets", url + "c"))
                        .setExperimental(Map.of("targets", url + "x"))
                        .build()))
            .build();
    try (KafkaSampleSink sink =
            new KafkaSampleSink(
                kafka.listenerAddress("SECURE"), topics, ConfigSource.subset(base, "kafka."));
        ExperimentSourcesFollower follower =
            ExperimentSourcesFollower.into(sink, base, topics, Duration.ofHours(1));
        var cli = producer("cli")) {
      Thread t = follower.start("secure-follower");
      cli.send(
              new ProducerRecord<>(
                  topics.experiments().name(),
                  id,
                  AvroSerde.of(Experiment.class).encode(experiment)))
          .get(30, TimeUnit.SECONDS);
      waitUntil(() -> follower.runners().containsKey(id), Duration.ofSeconds(60), id + " started");
      SourceRunner runner = follower.runners().get(id);
      waitUntil(() -> runner.published() >= 20, Duration.ofSeconds(60), "samples published");
      // as an administrator on the plain listener: the samples reached the metrics topic
      Map<String, Object> conf = new HashMap<>();
      conf.put("bootstrap.servers", kafka.bootstrapServers());
      conf.put("group.id", "faultline-test-" + UUID.randomUUID());
      conf.put("auto.offset.reset", "earliest");
      List<MetricSample> samples = new ArrayList<>();
      try (var consumer =
          new KafkaConsumer<>(
              conf, new StringDeserializer(), topics.metrics().valueSerde().deserializer())) {
        consumer.subscribe(List.of(topics.metrics().name()));
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline
            && samples.stream().noneMatch(s -> s.getMetric().equals("http.latency.p99"))) {
          consumer.poll(Duration.ofMillis(300)).forEach(r -> samples.add(r.value()));
        }
      }
      assertThat(samples)
          .filteredOn(s -> s.getExperimentId().equals(id))
          .extracting(MetricSample::getMetric)
          .contains("http.latency.p99", "http.requests");
      follower.close();
      t.join(10_000);
    } finally {
      app.stop(0);
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    Map<String, Object> conf = new HashMap<>(client("collector"));
    conf.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"collector\" password=\"not-the-password\";");
    conf.put("bootstrap.servers", kafka.listenerAddress("SECURE"));
    conf.put("max.block.ms", "20000");
    try (var producer =
        new KafkaProducer<>(conf, new StringSerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(topics.metrics().name(), "x", new byte[] {1}))
                      .get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  private static List<String> secrets() {
    List<String> s = new ArrayList<>(PASSWORDS.values());
    s.add(COMMAND_SECRET);
    s.add(STORE_PASSWORD);
    return s;
  }

  private static Map<String, String> client(String user) {
    Map<String, String> c = new HashMap<>();
    c.put("security.protocol", "SASL_SSL");
    c.put("sasl.mechanism", "SCRAM-SHA-512");
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + PASSWORDS.get(user)
            + "\";");
    c.put("ssl.truststore.location", path("trust.p12"));
    c.put("ssl.truststore.password", STORE_PASSWORD);
    c.put("ssl.truststore.type", "PKCS12");
    return c;
  }

  private static KafkaProducer<String, byte[]> producer(String user) {
    Map<String, Object> conf = new HashMap<>(client(user));
    conf.put("bootstrap.servers", kafka.listenerAddress("SECURE"));
    conf.put("max.block.ms", "30000");
    return new KafkaProducer<>(conf, new StringSerializer(), new ByteArraySerializer());
  }

  /** Every attack event so far, as Avro's JSON text (enum names, every string field). */
  private static List<String> readAll(String user, String topic) {
    Map<String, Object> conf = new HashMap<>(client(user));
    conf.put("bootstrap.servers", kafka.listenerAddress("SECURE"));
    conf.put("group.id", "faultline-test-" + UUID.randomUUID());
    conf.put("auto.offset.reset", "earliest");
    List<String> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 20_000;
      int empty = 0;
      while (System.currentTimeMillis() < deadline && (out.isEmpty() || empty < 5)) {
        var records = consumer.poll(Duration.ofMillis(500));
        empty = records.isEmpty() ? empty + 1 : 0;
        records.forEach(r -> out.add(EVENTS.decode(r.value()).toString()));
      }
    }
    return out;
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitUntil(Check check, Duration limit, String what) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool " + String.join(" ", args) + ": " + output).isZero();
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  /** A properties-file value: backslashes and the leading/trailing specials escaped. */
  private static String escape(String v) {
    return v.replace("\\", "\\\\");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
