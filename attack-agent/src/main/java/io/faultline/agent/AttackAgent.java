package io.faultline.agent;

import io.faultline.agent.local.CpuBurn;
import io.faultline.agent.local.DiskIo;
import io.faultline.agent.local.MemoryPressure;
import io.faultline.agent.local.NetworkLatency;
import io.faultline.agent.local.PacketLoss;
import io.faultline.agent.local.PauseProcess;
import io.faultline.agent.local.ShutdownProcess;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes attack commands, selects targets, applies faults, and recovers them: at the end of the
 * duration even if no STOP arrives, on STOP, on HALT_ALL, and on close. Every step is an event on
 * attack.events; active attacks are recorded on attack.state before the fault is applied and
 * tombstoned once recovered. A command that cannot be used is REJECTED with the field and the
 * reason, and its raw bytes go to the dlq; the agent keeps consuming.
 */
public final class AttackAgent implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AttackAgent.class);
  private static final int SEEN_COMMANDS = 10_000;
  static final String GROUP = "faultline-agent";

  private final AgentConfig config;
  private final Topics topics;
  private final LocalTargets localTargets;
  private final FaultCatalog catalog;
  private final CloudFaults cloud;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService expiries;
  private final Map<String, ActiveAttack> active = new ConcurrentHashMap<>();
  private final Set<String> seenCommands =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > SEEN_COMMANDS;
            }
          });
  private final Random random = new Random();
  private final DeadMansSwitch deadMansSwitch;
  private final OrphanRecovery orphans;
  private volatile boolean running = true;
  private volatile Thread runner;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private boolean closed; // guarded by lifecycle

  /** An agent with the local faults, plus the Kubernetes and AWS faults its config turns on. */
  public AttackAgent(AgentConfig config) {
    this(config, CloudFaults.fromConfig(config));
  }

  /**
   * An agent with the local faults plus the given cluster faults and inventories (tests hand in
   * faults bound to mock servers). The agent closes {@code cloud} when it closes.
   */
  public AttackAgent(AgentConfig config, CloudFaults cloud) {
    this.config = config;
    this.topics = new Topics(config.topicsPrefix(), 3);
    this.localTargets = new LocalTargets(config.targetsDir());
    this.cloud = cloud;
    this.catalog = FaultCatalog.local(localExecutors(), localTargets::read);
    cloud.register(catalog);
    Map<String, Object> consumerConf = new HashMap<>(config.kafka());
    consumerConf.put("bootstrap.servers", config.bootstrapServers());
    consumerConf.put("group.id", GROUP);
    // other agents tell this one is alive by its client id in the group (orphan recovery)
    consumerConf.put("client.id", config.agentId());
    // half a lease (at least the broker's 6 s minimum): a dead agent leaves the group early
    // enough for another to recover its faults within the lease (OrphanRecovery)
    consumerConf.put("session.timeout.ms", (int) Math.max(6000, config.lease().toMillis() / 2));
    consumerConf.put("enable.auto.commit", "false");
    consumerConf.put("auto.offset.reset", "earliest");
    consumerConf.put("max.poll.records", "50");
    this.consumer =
        new KafkaConsumer<>(consumerConf, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> producerConf = new HashMap<>(config.kafka());
    producerConf.put("bootstrap.servers", config.bootstrapServers());
    producerConf.put("acks", "all");
    producerConf.put("enable.idempotence", "true");
    producerConf.put("linger.ms", "0");
    // events of a recovery made while Kafka is away are delivered once it is back
    producerConf.putIfAbsent("delivery.timeout.ms", "600000");
    this.producer =
        new KafkaProducer<>(producerConf, new StringSerializer(), new ByteArraySerializer());
    this.deadMansSwitch = new DeadMansSwitch(config, this);
    this.orphans = new OrphanRecovery(config, topics, this);
    this.expiries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "attack-expiry");
              t.setDaemon(true);
              return t;
            });
  }

  /** The local executors by fault name, sorted (error messages list them). */
  static Map<String, Fault> localExecutors() {
    return List.of(
            ShutdownProcess.kill(),
            ShutdownProcess.terminate(),
            new PauseProcess(),
            new CpuBurn(),
            new MemoryPressure(),
            new DiskIo(),
            new NetworkLatency(),
            new PacketLoss())
        .stream()
        .collect(Collectors.toMap(Fault::fault, Function.identity(), (a, b) -> a, TreeMap::new));
  }

  public Set<String> faults() {
    return catalog.faults().keySet();
  }

  @Override
  public void run() {
    synchronized (lifecycle) {
      if (closed || runner != null) {
        log.warn("agent {}: run() after close() or twice; not consuming", config.agentId());
        return;
      }
      runner = Thread.currentThread();
    }
    Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
    try {
      consume(handled);
    } catch (WakeupException e) {
      // close() was called
    } catch (RuntimeException e) {
      log.error(
          "agent {} stopped consuming {}: {}; active attacks still end at their duration",
          config.agentId(),
          topics.attackCommands().name(),
          e.toString(),
          e);
    } finally {
      commitQuietly(handled);
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void consume(Map<TopicPartition, OffsetAndMetadata> handled) {
    deadMansSwitch.start();
    try {
      orphans.start();
    } catch (RuntimeException e) {
      log.error(
          "cannot read {} to recover orphaned attacks: {}",
          topics.attackState().name(),
          e.toString());
    }
    consumer.subscribe(List.of(topics.attackCommands().name()));
    log.info(
        "agent {} consuming {} (faults {}, targets in {}, max duration {}, max concurrent {})",
        config.agentId(),
        topics.attackCommands().name(),
        catalog.faults().keySet(),
        localTargets.dir(),
        Durations.format(config.maxDuration()),
        config.maxConcurrent());
    while (running) {
      var records = consumer.poll(Duration.ofMillis(100));
      for (ConsumerRecord<String, byte[]> record : records) {
        if (!running) {
          break; // the rest is left uncommitted for the next agent
        }
        handleSafely(record);
        handled.put(
            new TopicPartition(record.topic(), record.partition()),
            new OffsetAndMetadata(record.offset() + 1));
      }
      if (!handled.isEmpty()) {
        try {
          consumer.commitSync(handled);
        } catch (WakeupException e) {
          throw e; // run() commits them on the way out
        } catch (KafkaException e) {
          // e.g. a rebalance: these commands may be seen again; commandIds make that harmless here
          log.warn("cannot commit the offsets of handled commands {}: {}", handled, e.toString());
        }
        handled.clear();
      }
    }
  }

  /** So that a command handled before a shutdown is not applied again by the next agent. */
  private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> handled) {
    if (handled.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(handled, Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("cannot commit the offsets of handled commands {}: {}", handled, e.toString());
    }
  }

  /** Whatever goes wrong with one record, the agent goes on with the next (safety invariant 8). */
  private void handleSafely(ConsumerRecord<String, byte[]> record) {
    try {
      handle(record);
    } catch (RuntimeException e) {
      log.error(
          "command at {}-{}@{}: unexpected {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.toString(),
          e);
      try {
        reject(record, record.key(), null, "agent error while handling the command: " + e);
      } catch (RuntimeException again) {
        log.error("cannot even reject it: {}", again.toString());
      }
    }
  }

  void handle(ConsumerRecord<String, byte[]> record) {
    AttackCommand command;
    try {
      command = AttackCommandCodec.decode(record.value());
    } catch (InvalidRecordException e) {
      reject(record, record.key(), null, e.getMessage());
      return;
    }
    if (config.commandSecret() != null) {
      String problem = signatureProblem(command);
      if (problem != null) {
        reject(record, command.getExperimentId(), command, problem);
        return;
      }
    }
    if (!seenCommands.add(command.getCommandId())) {
      if (config.commandSecret() != null) {
        reject(
            record,
            command.getExperimentId(),
            command,
            "commandId " + command.getCommandId() + ": replayed; a signed command is applied once");
      } else {
        log.info("command {} already handled; ignoring the duplicate", command.getCommandId());
      }
      return;
    }
    long age = System.currentTimeMillis() - record.timestamp();
    if (age > config.commandMaxAge().toMillis()) {
      reject(
          record,
          command.getExperimentId(),
          command,
          "command is "
              + age / 1000
              + " s old: older than agent.command.max.age "
              + Durations.format(config.commandMaxAge())
              + "; not applied");
      return;
    }
    try {
      switch (command.getType()) {
        case START -> start(command);
        case STOP -> stop(command);
        case HALT_ALL -> haltAll(command);
        default ->
            throw new InvalidRecordException(
                "type", "'" + command.getType() + "' is not one of START, STOP, HALT_ALL");
      }
    } catch (InvalidRecordException e) {
      reject(record, command.getExperimentId(), command, e.getMessage());
    }
  }

  /** Why a command fails the signature rules (safety invariant 6), or null when it passes. */
  private String signatureProblem(AttackCommand command) {
    if (command.getSignature() == null) {
      return "signature: required; this agent accepts only commands signed with the shared secret (HMAC-SHA256)";
    }
    if (!CommandSignature.verify(command, config.commandSecret())) {
      return "signature: does not match the command; forged, altered or signed with another secret";
    }
    long skew = Math.abs(System.currentTimeMillis() - command.getIssuedAt());
    if (skew > config.signatureWindow().toMillis()) {
      return "issuedAt "
          + command.getIssuedAt()
          + ": "
          + skew / 1000
          + " s from now, outside the "
          + Durations.format(config.signatureWindow())
          + " window of agent.signature.window; expired or replayed";
    }
    return null;
  }

  private void start(AttackCommand command) {
    if (active.size() >= config.maxConcurrent()) {
      throw new InvalidRecordException(
          null,
          "blast radius: "
              + active.size()
              + " attacks already active (agent.max.concurrent="
              + config.maxConcurrent()
              + ")");
    }
    AttackPlan plan =
        AttackPlan.of(
            command, catalog, config.maxDuration(), config.maxBlastRadiusPercent(), random);
    Fault executor = plan.executor();
    Duration duration = plan.duration();
    List<Target> targets = plan.targets();
    String attackId =
        command.getAttackId() != null
            ? command.getAttackId()
            : command.getExperimentId() + "-" + UUID.randomUUID();
    List<String> described = targets.stream().map(Target::describe).toList();
    event(
        command,
        attackId,
        AttackEventType.ACCEPTED,
        described,
        null,
        Map.of("dryRun", Boolean.toString(command.getDryRun())));
    if (command.getDryRun()) {
      log.info("dry run {}: {} would hit {}", attackId, executor.fault(), described);
      return;
    }
    long now = System.currentTimeMillis();
    long expiresAt = now + duration.toMillis();
    state(command, attackId, executor, targets, Map.of(), now, expiresAt);

    Map<Target, Map<String, String>> recovery = new LinkedHashMap<>();
    List<String> touched = new ArrayList<>();
    try {
      for (Target t : targets) {
        Fault.Applied applied = executor.apply(t, command.getParameters(), duration);
        recovery.put(t, applied.recovery());
        touched.addAll(applied.touched());
      }
    } catch (Exception e) {
      log.error(
          "attack {} ({}) failed while applying: {}", attackId, executor.fault(), e.toString());
      ActiveAttack partial =
          new ActiveAttack(
              attackId,
              command.getExperimentId(),
              command.getCommandId(),
              executor,
              List.copyOf(recovery.keySet()),
              recovery,
              now,
              expiresAt);
      recoverQuietly(partial);
      tombstone(attackId);
      event(
          command,
          attackId,
          AttackEventType.FAILED,
          touched,
          "applying " + executor.fault() + " failed: " + e.getMessage(),
          Map.of());
      return;
    }
    ActiveAttack attack =
        new ActiveAttack(
            attackId,
            command.getExperimentId(),
            command.getCommandId(),
            executor,
            targets,
            recovery,
            now,
            expiresAt);
    active.put(attackId, attack);
    state(command, attackId, executor, targets, recovery, now, expiresAt);
    event(
        command,
        attackId,
        AttackEventType.STARTED,
        touched,
        null,
        Map.of(
            "durationMs",
            Long.toString(duration.toMillis()),
            "expiresAt",
            Long.toString(expiresAt)));
    log.info(
        "attack {} STARTED: {} on {} for {}",
        attackId,
        executor.fault(),
        touched,
        Durations.format(duration));
    attack.expiry =
        expiries.schedule(
            () -> recover(attackId, AttackEventType.ROLLED_BACK, "duration elapsed"),
            duration.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void stop(AttackCommand command) {
    if (command.getAttackId() == null) {
      throw new InvalidRecordException("attackId", "required for STOP");
    }
    if (!active.containsKey(command.getAttackId())) {
      log.info("STOP for {}: not active on this agent", command.getAttackId());
      return;
    }
    recover(
        command.getAttackId(), AttackEventType.STOPPED, "STOP command " + command.getCommandId());
  }

  private void haltAll(AttackCommand command) {
    String experiment = command.getExperimentId();
    List<String> ids =
        active.values().stream()
            .filter(a -> "*".equals(experiment) || a.experimentId.equals(experiment))
            .map(a -> a.attackId)
            .toList();
    log.warn("HALT_ALL for experiment {}: recovering {} attacks", experiment, ids.size());
    for (String id : ids) {
      recover(id, AttackEventType.ROLLED_BACK, "HALT_ALL " + command.getCommandId());
    }
  }

  /** Recovers one attack once; whoever removes it from the active map does the work. */
  private void recover(String attackId, AttackEventType type, String why) {
    ActiveAttack attack = active.remove(attackId);
    if (attack == null) {
      return;
    }
    if (attack.expiry != null) {
      attack.expiry.cancel(false);
    }
    List<String> restored = recoverQuietly(attack);
    tombstone(attackId);
    AttackEvent event =
        AttackEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setExperimentId(attack.experimentId)
            .setAttackId(attackId)
            .setCommandId(attack.commandId)
            .setType(type)
            .setFault(attack.executor.fault())
            .setTimestamp(System.currentTimeMillis())
            .setAgentId(config.agentId())
            .setTargets(restored)
            .setReason(why)
            .build();
    send(
        topics.attackEvents().name(),
        attack.experimentId,
        topics.attackEvents().valueSerde().serializer().serialize(null, event));
    log.info("attack {} {} ({}): {}", attackId, type, why, restored);
  }

  /** Recovers an attack another (dead) agent applied, from what attack.state recorded. */
  void recoverOrphan(AttackState state, String why) {
    Fault executor = catalog.fault(state.getFault());
    if (executor == null) {
      log.error(
          "orphan {} has unknown fault '{}'; cannot recover it",
          state.getAttackId(),
          state.getFault());
      return;
    }
    Map<String, Map<String, String>> byTarget = new LinkedHashMap<>();
    state
        .getRecovery()
        .forEach(
            (key, value) -> {
              int dot = key.lastIndexOf('.');
              if (dot > 0) {
                byTarget
                    .computeIfAbsent(key.substring(0, dot), n -> new HashMap<>())
                    .put(key.substring(dot + 1), value);
              }
            });
    Map<Target, Map<String, String>> recovery = new LinkedHashMap<>();
    byTarget.forEach((name, values) -> recovery.put(executor.fromState(name, values), values));
    ActiveAttack orphan =
        new ActiveAttack(
            state.getAttackId(),
            state.getExperimentId(),
            state.getCommandId(),
            executor,
            List.copyOf(recovery.keySet()),
            recovery,
            state.getStartedAt(),
            state.getExpiresAt());
    log.warn(
        "recovering {} ({} on {}): {}",
        state.getAttackId(),
        state.getFault(),
        state.getTargets(),
        why);
    active.put(orphan.attackId, orphan);
    recover(orphan.attackId, AttackEventType.ROLLED_BACK, why);
  }

  private List<String> recoverQuietly(ActiveAttack attack) {
    List<String> restored = new ArrayList<>();
    for (var entry : attack.recovery.entrySet()) {
      try {
        restored.add(attack.executor.recover(entry.getKey(), entry.getValue()));
      } catch (Exception e) {
        log.error(
            "attack {}: recovering {} failed: {}",
            attack.attackId,
            entry.getKey().describe(),
            e.toString());
        restored.add(entry.getKey().describe() + " recovery FAILED: " + e.getMessage());
      }
    }
    return restored;
  }

  private void reject(
      ConsumerRecord<String, byte[]> record, String key, AttackCommand command, String reason) {
    String experimentId =
        command != null ? command.getExperimentId() : key != null ? key : "unknown";
    log.warn(
        "command at {}-{}@{} REJECTED: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        reason);
    event(command, experimentId, null, AttackEventType.REJECTED, List.of(), reason, Map.of());
    producer.send(
        new ProducerRecord<>(
            topics.dlq().name(),
            null,
            record.key(),
            record.value(),
            DeadLetters.headers(
                "attack-agent", record.topic(), record.partition(), record.offset(), reason)));
  }

  private void event(
      AttackCommand command,
      String attackId,
      AttackEventType type,
      List<String> targets,
      String reason,
      Map<String, String> details) {
    event(command, command.getExperimentId(), attackId, type, targets, reason, details);
  }

  private void event(
      AttackCommand command,
      String experimentId,
      String attackId,
      AttackEventType type,
      List<String> targets,
      String reason,
      Map<String, String> details) {
    AttackEvent event =
        AttackEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setExperimentId(experimentId)
            .setAttackId(attackId)
            .setCommandId(command == null ? null : command.getCommandId())
            .setType(type)
            .setFault(command == null ? "" : command.getFault())
            .setTimestamp(System.currentTimeMillis())
            .setAgentId(config.agentId())
            .setTargets(targets)
            .setReason(reason)
            .setDetails(new TreeMap<>(details))
            .build();
    send(
        topics.attackEvents().name(),
        experimentId,
        topics.attackEvents().valueSerde().serializer().serialize(null, event));
  }

  private void state(
      AttackCommand command,
      String attackId,
      Fault executor,
      List<Target> targets,
      Map<Target, Map<String, String>> recovery,
      long startedAt,
      long expiresAt) {
    Map<String, String> flat = new TreeMap<>();
    targets.forEach(t -> t.stateEntries().forEach((k, v) -> flat.put(t.name() + "." + k, v)));
    recovery.forEach((t, r) -> r.forEach((k, v) -> flat.put(t.name() + "." + k, v)));
    AttackState state =
        AttackState.newBuilder()
            .setAttackId(attackId)
            .setExperimentId(command.getExperimentId())
            .setCommandId(command.getCommandId())
            .setFault(executor.fault())
            .setAgentId(config.agentId())
            .setTargets(targets.stream().map(Target::describe).toList())
            .setParameters(new TreeMap<>(command.getParameters()))
            .setRecovery(flat)
            .setStartedAt(startedAt)
            .setExpiresAt(expiresAt)
            .build();
    try {
      // Recorded before the fault is applied: another agent can see what to roll back.
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackState().name(),
                  attackId,
                  topics.attackState().valueSerde().serializer().serialize(null, state)))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new InvalidRecordException(
          null, "cannot record attack.state before applying: " + e.getMessage());
    }
  }

  private void tombstone(String attackId) {
    producer.send(new ProducerRecord<>(topics.attackState().name(), attackId, null));
  }

  private void send(String topic, String key, byte[] value) {
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (meta, e) -> {
          if (e != null) {
            log.error("cannot publish to {}: {}", topic, e.toString());
          }
        });
  }

  /** Attacks this agent has applied and not yet recovered. */
  /** For {@code GET /health}: null while the agent takes commands, else why it does not. */
  public String healthProblem() {
    if (stopped.getCount() == 0) {
      return "stopped consuming " + topics.attackCommands().name() + " (see the log)";
    }
    Thread t = runner;
    return t != null && !t.isAlive() ? "its consumer thread died" : null;
  }

  public Set<String> activeAttacks() {
    return Set.copyOf(active.keySet());
  }

  /** Recovers every active attack of this agent; returns how many. */
  int recoverAll(String why) {
    List<String> ids = List.copyOf(active.keySet());
    for (String id : ids) {
      recover(id, AttackEventType.ROLLED_BACK, why);
    }
    return ids.size();
  }

  /**
   * Stops taking commands, waits for the command in hand (so an attack being applied right now is
   * recovered too), recovers every active attack, then closes the clients. Safe to call twice.
   */
  @Override
  public void close() {
    Thread consuming;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      consuming = runner;
    }
    running = false;
    consumer.wakeup();
    if (consuming != null && consuming != Thread.currentThread()) {
      try {
        if (!stopped.await(15, TimeUnit.SECONDS)) {
          log.warn("agent {}: the command thread did not stop within 15 s", config.agentId());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deadMansSwitch.close();
    orphans.close();
    if (active.isEmpty()) {
      log.info("agent {} closing: no active attacks", config.agentId());
    } else {
      log.warn(
          "agent {} closing: recovering {} active attacks {}",
          config.agentId(),
          active.size(),
          active.keySet());
    }
    recoverAll("agent shutting down");
    expiries.shutdownNow();
    cloud.close();
    producer.close(Duration.ofSeconds(5));
    if (consuming == null) {
      consumer.close(Duration.ofSeconds(5)); // run() never started
    }
  }
}
