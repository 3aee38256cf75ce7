package io.faultline.agent;

import io.faultline.agent.local.CpuBurn;
import io.faultline.agent.local.DiskIo;
import io.faultline.agent.local.ExecutorKill;
import io.faultline.agent.local.LocalZoneOutage;
import io.faultline.agent.local.MemoryPressure;
import io.faultline.agent.local.NetworkLatency;
import io.faultline.agent.local.PacketLoss;
import io.faultline.agent.local.PauseProcess;
import io.faultline.agent.local.ShutdownProcess;
import io.faultline.common.DaemonThreads;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.CommandBounds;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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

  /** Where the command thread's current record came from, for the log of a failed send. */
  private static final ThreadLocal<String> SOURCE = new ThreadLocal<>();

  // System.nanoTime() when the command thread's last poll returned: a START's steps count from it
  private long polledAt = System.nanoTime();

  private final AgentConfig config;
  private final Topics topics;
  private final LocalTargets localTargets;
  private final FaultCatalog catalog;
  private final CloudFaults cloud;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService expiries;
  // every fault's recover() at once; a cached pool, since Java 17 has no virtual threads
  private final ExecutorService recoveries;
  private final Outbox outbox;
  private final CommandEvents commandEvents;
  private final AttackJournal journal;
  private final Set<String> recoveredAtStart = ConcurrentHashMap.newKeySet();
  private final CountDownLatch provisioned = new CountDownLatch(1);
  private volatile String provisionProblem;
  private final Map<String, ActiveAttack> active = new ConcurrentHashMap<>();
  // the active ones, those being applied and those whose recovery still runs: each holds its
  // targets from its checks until its recovery is done (docs/adr/0090, 0096)
  private final Map<String, ActiveAttack> holding = new ConcurrentHashMap<>();
  // attacks past their checks whose fault is being applied: in holding, not yet in active
  private final Set<String> applying = ConcurrentHashMap.newKeySet();
  // a START's checks and its entry into holding happen at once: two STARTs never both fit in
  // the room one of them leaves (only the command thread starts attacks; this keeps it so)
  private final Object admission = new Object();
  private final FaultHolds holds = new FaultHolds();
  // commandId -> SHA-256 of the command's canonical form: a repeat is the same command, or a
  // different command under a taken id, which is refused instead of silently dropped
  private final Map<String, byte[]> seenCommands =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
          return size() > SEEN_COMMANDS;
        }
      };
  private final Random random = new Random();
  private final DeadMansSwitch deadMansSwitch;
  private final OrphanRecovery orphans;
  private final AttackIds attackIds;
  private final AtomicLong failedSends = new AtomicLong();
  private final ComponentMetrics componentMetrics = new ComponentMetrics();
  private final AgentMetrics metrics =
      new AgentMetrics(componentMetrics, () -> active.size(), failedSends::get);
  private volatile boolean running = true;
  private volatile Thread runner;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private boolean closed; // guarded by lifecycle

  /**
   * An agent with the local faults, plus the Kubernetes and AWS faults its config turns on. It
   * first recovers what an earlier run with the same {@code agent.id} left active on this host (its
   * journal under {@code agent.outbox.dir}), without Kafka.
   */
  public AttackAgent(AgentConfig config) {
    this(config, CloudFaults.fromConfig(config));
  }

  /**
   * An agent with the local faults plus the given cluster faults and inventories (tests hand in
   * faults bound to mock servers). The agent closes {@code cloud} when it closes.
   */
  public AttackAgent(AgentConfig config, CloudFaults cloud) {
    this.config = config;
    this.topics = new Topics(config.topicsPrefix(), config.topicsPartitions());
    this.localTargets = new LocalTargets(config.targetsDir());
    this.cloud = cloud;
    this.catalog = FaultCatalog.local(localExecutors(), localTargets::read);
    // zones of the local target files (a fleet's); an agent with Kubernetes namespaces takes them
    // from the cluster instead
    catalog.add(new LocalZoneOutage(localTargets.dir())).add(LocalZoneOutage.zones(localTargets));
    cloud.register(catalog);
    // the agent id as a directory name: no separators, never "." or ".."
    Path local =
        config.outboxDir().resolve("_" + config.agentId().replaceAll("[^A-Za-z0-9._@-]", "_"));
    // records belong to one cluster: an agent id reused against another one never sends them there
    String cluster =
        AttackJournal.sha256Hex(config.bootstrapServers() + "|" + config.topicsPrefix())
            .substring(0, 12);
    // the journal first: its lock keeps a second agent on this directory out of the outbox too
    this.journal = new AttackJournal(local.resolve("active"));
    this.outbox = new Outbox(local.resolve("outbox-" + cluster), Duration.ofSeconds(1));
    this.recoveries = Executors.newCachedThreadPool(DaemonThreads.numbered("recovery"));
    // before any Kafka client exists: what an earlier run left active is undone first
    recoverJournal();
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
    // the broker answers a fetch as soon as a command is appended; an idle agent then asks every
    // 5 s instead of every 500 ms (kafka.fetch.max.wait.ms overrides it)
    consumerConf.putIfAbsent("fetch.max.wait.ms", "5000");
    // the group's heartbeat thread wakes every retry.backoff.ms between heartbeats (3 s apart):
    // 1 s instead of 100 ms, and the default's exponential backoff reaches 1 s anyway while Kafka
    // is away (kafka.retry.backoff.ms overrides it; docs/adr/0033)
    consumerConf.putIfAbsent("retry.backoff.ms", "1000");
    this.consumer =
        new KafkaConsumer<>(consumerConf, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> producerConf = new HashMap<>(config.kafka());
    producerConf.put("bootstrap.servers", config.bootstrapServers());
    producerConf.put("acks", "all");
    producerConf.put("enable.idempotence", "true");
    producerConf.put("linger.ms", "0");
    // a send waits at most this long for Kafka; what a recovery could not publish stays in the
    // outbox (on disk) and is sent again once Kafka is back
    long deliveryMs = config.producerDeliveryTimeout().toMillis();
    producerConf.put("max.block.ms", (int) config.producerMaxBlock().toMillis());
    producerConf.put("delivery.timeout.ms", (int) deliveryMs);
    producerConf.put("request.timeout.ms", (int) Math.min(30_000, deliveryMs));
    this.producer =
        new KafkaProducer<>(producerConf, new StringSerializer(), new ByteArraySerializer());
    componentMetrics.kafkaClient(consumer::metrics).kafkaClient(producer::metrics);
    this.commandEvents =
        new CommandEvents(producer, outbox, topics.attackEvents().name(), this::sendFailed);
    this.deadMansSwitch = new DeadMansSwitch(config, this);
    this.orphans = new OrphanRecovery(config, topics, this);
    this.attackIds = new AttackIds(active::containsKey, orphans::recorded);
    this.expiries =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("attack-expiry"));
  }

  /** The local executors by fault name, sorted (error messages list them). */
  static Map<String, Fault> localExecutors() {
    return List.of(
            ShutdownProcess.kill(),
            ShutdownProcess.terminate(),
            new PauseProcess(),
            new ExecutorKill(),
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
      deadMansSwitch.start();
      outbox.start(producer);
      provisionTopics();
      if (running) {
        consume(handled);
      }
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

  /**
   * Creates the topics if needed and waits until they take records (KAFKA-15591), trying again
   * every second while Kafka is away: an agent may start during an outage (it has recovered its
   * earlier run's attacks from its journal by then) and must stay up to deliver its outbox.
   */
  private void provisionTopics() {
    Map<String, Object> conf = new HashMap<>(config.kafka());
    conf.put("bootstrap.servers", config.bootstrapServers());
    conf.put("request.timeout.ms", 5000);
    conf.put("default.api.timeout.ms", 10000);
    boolean warned = false;
    while (running) {
      try (Admin admin = Admin.create(conf)) {
        TopicProvisioner.ensure(admin, topics, (short) 1);
        provisionProblem = null;
        provisioned.countDown();
        if (warned) {
          log.warn("agent {}: Kafka answers again; topics ready", config.agentId());
        }
        return;
      } catch (RuntimeException e) {
        provisionProblem = e.getMessage();
        if (!warned) {
          log.warn(
              "agent {}: cannot create or check the topics yet ({}); trying again every second",
              config.agentId(),
              e.getMessage());
          warned = true;
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Waits until the topics are ready, at most {@code limit}; false when they are not yet. */
  boolean awaitTopics(Duration limit) {
    try {
      return provisioned.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void consume(Map<TopicPartition, OffsetAndMetadata> handled) {
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
      // a poll returns as soon as a command arrives, and close() wakes it: a long timeout costs
      // no latency and spares the idle agent empty loops (as long as a fetch waits, 5 s)
      var records = consumer.poll(Duration.ofSeconds(5));
      polledAt = System.nanoTime();
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
        // asynchronously: the next command need not wait a round trip to the group coordinator.
        // A command whose commit is lost (a crash, a rebalance) may be read again; it is applied
        // once all the same (commandIds here, its attack.state record across agents), and
        // close() waits for the commits in flight.
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(handled);
        try {
          consumer.commitAsync(
              offsets,
              (committed, e) -> {
                if (e != null) {
                  log.warn(
                      "cannot commit the offsets of handled commands {}: {}",
                      offsets,
                      e.toString());
                }
              });
        } catch (KafkaException e) {
          log.warn("cannot commit the offsets of handled commands {}: {}", offsets, e.toString());
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
    SOURCE.set(record.topic() + "-" + record.partition() + "@" + record.offset());
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
    } finally {
      SOURCE.remove();
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
    byte[] digest = digest(command);
    byte[] seen = seenCommands.putIfAbsent(command.getCommandId(), digest);
    if (seen != null) {
      if (!MessageDigest.isEqual(seen, digest)) {
        reject(
            record,
            command.getExperimentId(),
            command,
            "commandId "
                + command.getCommandId()
                + ": already used by an earlier command with other content; a commandId names one"
                + " command: give this one a new commandId");
      } else if (config.commandSecret() != null) {
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
        case START -> start(command, age, new StartSteps(polledAt));
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

  /** SHA-256 of the command's canonical form (the one a signature covers). */
  private static byte[] digest(AttackCommand command) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(CommandSignature.canonical(command));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
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

  private void start(AttackCommand command, long ageMillis, StartSteps steps) {
    // an agent that died before committing this command's offset applied it already: its
    // attack.state record (kept in memory after the orphan's recovery) says so; applied once
    String appliedBy = command.getDryRun() ? null : orphans.appliedBy(command.getCommandId());
    if (appliedBy != null) {
      log.warn(
          "command {} (experiment {}) was applied by agent {} already (attack.state): a replay"
              + " after that agent stopped; not applied again",
          command.getCommandId(),
          command.getExperimentId(),
          appliedBy);
      return;
    }
    AttackPlan plan;
    String attackId;
    ActiveAttack reserved = null;
    synchronized (admission) {
      // one id is one attack: a taken id is refused before anything else, even for a dry run
      attackIds.check(command.getAttackId());
      int running = active.size() + applying.size();
      if (running >= config.maxConcurrent()) {
        throw new InvalidRecordException(
            null,
            "blast radius: "
                + running
                + " attacks already active (agent.max.concurrent="
                + config.maxConcurrent()
                + ")");
      }
      plan =
          AttackPlan.of(
              command,
              catalog,
              config.maxDuration(),
              config.maxBlastRadiusPercent(),
              random,
              this::heldBy,
              held());
      // taken only by a START that passed its checks, so a refused one may be sent again as it was
      attackId =
          attackIds.claim(command.getAttackId(), command.getExperimentId(), command.getDryRun());
      if (!command.getDryRun()) {
        // holds its targets from here: the next START's checks count them
        long ends = System.currentTimeMillis() + plan.duration().toMillis();
        reserved =
            new ActiveAttack(
                attackId,
                command.getExperimentId(),
                command.getCommandId(),
                plan.executor(),
                plan.targets(),
                Map.of(),
                System.currentTimeMillis(),
                ends);
        applying.add(attackId);
        holding.put(attackId, reserved);
      }
    }
    steps.mark(StartSteps.Step.PLANNED);
    try {
      applyPlanned(command, plan, attackId, ageMillis, steps);
    } finally {
      if (reserved != null) {
        // applied: replaced by the active attack; refused or failed: nothing holds its targets
        holding.remove(attackId, reserved);
        applying.remove(attackId);
      }
    }
  }

  /**
   * A START past its checks: the write-ahead record sent, ACCEPTED, that record awaited, the fault,
   * STARTED.
   */
  private void applyPlanned(
      AttackCommand command, AttackPlan plan, String attackId, long ageMillis, StartSteps steps) {
    Fault executor = plan.executor();
    Duration duration = plan.duration();
    List<Target> targets = plan.targets();
    List<String> described = targets.stream().map(Target::describe).toList();
    long now = System.currentTimeMillis();
    long expiresAt = now + duration.toMillis();
    // the write-ahead record goes out before ACCEPTED: a broker answers one connection's requests
    // in order, so its ack, which the fault waits for, is not queued behind the event's
    WriteAhead writeAhead =
        command.getDryRun()
            ? null
            : writeAhead(
                stateOf(command, attackId, executor, targets, Map.of(), now, expiresAt), steps);
    event(
        command,
        attackId,
        AttackEventType.ACCEPTED,
        described,
        null,
        Map.of("dryRun", Boolean.toString(command.getDryRun())));
    steps.mark(StartSteps.Step.ACCEPTED_SENT);
    if (command.getDryRun()) {
      log.info("dry run {}: {} would hit {}", attackId, executor.fault(), described);
      return;
    }
    writeAhead.await(journal);

    Map<Target, Map<String, String>> recovery = new LinkedHashMap<>();
    List<String> touched = new ArrayList<>();
    try {
      for (Target t : targets) {
        Fault.Applied applied =
            executor.overlap() == Fault.Overlap.SHARE
                ? holds.apply(
                    FaultHolds.key(executor, t),
                    attackId,
                    expiresAt,
                    () -> executor.apply(t, command.getParameters(), duration))
                : executor.apply(t, command.getParameters(), duration);
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
      journal.remove(attackId);
      event(
          command,
          attackId,
          AttackEventType.FAILED,
          touched,
          "applying " + executor.fault() + " failed: " + e.getMessage(),
          Map.of());
      return;
    }
    steps.mark(StartSteps.Step.FAULT_APPLIED);
    // the fault lasts its duration from when it was applied: STARTED, the recovery data and the
    // timer all say this end; the write-ahead record's end is earlier by the path to here, so an
    // orphan recovered from that record alone ends early, never late
    long endsAt = System.currentTimeMillis() + duration.toMillis();
    ActiveAttack attack =
        new ActiveAttack(
            attackId,
            command.getExperimentId(),
            command.getCommandId(),
            executor,
            targets,
            recovery,
            now,
            endsAt);
    holding.put(attackId, attack);
    active.put(attackId, attack);
    if (executor.overlap() == Fault.Overlap.SHARE) {
      targets.forEach(t -> holds.extend(FaultHolds.key(executor, t), attackId, endsAt));
    }
    // STARTED first: the recovery data's journal write (an fsync) and record need not delay it;
    // the write-ahead record of the attack is on disk and on Kafka already
    event(
        command,
        attackId,
        AttackEventType.STARTED,
        touched,
        null,
        Map.of(
            "durationMs", Long.toString(duration.toMillis()), "expiresAt", Long.toString(endsAt)));
    steps.mark(StartSteps.Step.STARTED_SENT);
    metrics.started(ageMillis, steps);
    AttackState recorded = stateOf(command, attackId, executor, targets, recovery, now, endsAt);
    // the recovery data; the attack is applied and active whether or not this reaches Kafka.
    // Sent first, right behind STARTED: another agent recovers from it if this one dies now
    send(topics.attackState().name(), attackId, encode(recorded));
    journal.record(recorded); // on this host too: a restart recovers it without Kafka
    log.info(
        "attack {} STARTED: {} on {} for {}",
        attackId,
        executor.fault(),
        touched,
        Durations.format(duration));
    // at the end STARTED announced, not a duration after this line: STARTED's send, the recovery
    // data's fsync and record took time since (seconds on a loaded machine)
    attack.expiry =
        expiries.schedule(
            () -> recover(attackId, AttackEventType.ROLLED_BACK, "duration elapsed"),
            Math.max(0, endsAt - System.currentTimeMillis()),
            TimeUnit.MILLISECONDS);
  }

  /**
   * What holds {@code target} against a START of {@code executor}, or null when it is free
   * (docs/adr/0085, 0090): an attack of this agent with the same fault on it when the fault cannot
   * be held twice ({@link Fault.Overlap#REFUSE}), or an attack of another fault that stops a pid
   * this one would stop ({@link Fault#stops}), since the first one's SIGCONT would resume the
   * process the other still holds. An attack holds until its recovery is done, not only while
   * active: a zone's SIGCONT still on its way must not resume a process a new pause has just
   * stopped.
   */
  private String heldBy(Fault executor, Target target) {
    String key = FaultHolds.key(executor, target);
    Set<Long> stops = executor.stops(target);
    for (ActiveAttack a : holding.values()) {
      boolean sameFault = a.executor.fault().equals(executor.fault());
      if (sameFault
          && executor.overlap() == Fault.Overlap.REFUSE
          && a.targets.stream().anyMatch(t -> FaultHolds.key(a.executor, t).equals(key))) {
        return holder(a) + "; " + executor.fault() + " does not stack on one target";
      }
      if (!sameFault && !stops.isEmpty()) {
        for (Target t : a.targets) {
          Set<Long> both = new TreeSet<>(a.executor.stops(t));
          both.retainAll(stops);
          if (!both.isEmpty()) {
            return holder(a)
                + "; its "
                + a.executor.fault()
                + " stops pid "
                + both.iterator().next()
                + " too, and either one's end would resume the process the other still holds";
          }
        }
      }
    }
    return null;
  }

  /** {@code is held by attack a-1 (command c-7) until <time>}, or being applied or recovered. */
  private String holder(ActiveAttack a) {
    return "is held by attack " + attack(a);
  }

  /** {@code a-1 (command c-7) until <time>}, or being applied or recovered now. */
  private String attack(ActiveAttack a) {
    return a.attackId
        + " (command "
        + a.commandId
        + ")"
        + (active.containsKey(a.attackId)
            ? " until " + Instant.ofEpochMilli(a.expiresAt)
            : applying.contains(a.attackId)
                ? ", which is being applied now"
                : ", which is being recovered now");
  }

  /**
   * Every target this agent's attacks hold now, with who holds it, for the blast radius across them
   * (docs/adr/0096): the active ones, those being applied, and those being recovered (from this
   * run, its journal, or attack.state), since each fault is in place until its recovery is done.
   */
  List<BlastRadius.Held> held() {
    List<BlastRadius.Held> held = new ArrayList<>();
    for (ActiveAttack a : holding.values()) {
      for (Target t : a.targets) {
        held.add(new BlastRadius.Held(t, a.recovery.getOrDefault(t, Map.of()), attack(a)));
      }
    }
    return held;
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
    recover(ids, AttackEventType.ROLLED_BACK, "HALT_ALL " + command.getCommandId());
  }

  /** Attacks being recovered, and when they are done. */
  record Recovering(List<String> attackIds, CompletableFuture<Void> done) {}

  private CompletableFuture<Void> recover(String attackId, AttackEventType type, String why) {
    return recover(List.of(attackId), type, why).done();
  }

  /**
   * Recovers the given attacks at once, each on a thread of its own, and returns without waiting:
   * first the local recovery ({@code recover()} of each target), then the tombstone and the event
   * into the outbox, which sends them when Kafka takes them. Nothing here waits on Kafka. Whoever
   * removes an attack from the active map does its work, so an attack is recovered once. A recovery
   * still running after {@code agent.recovery.timeout} is logged at ERROR with the attack and its
   * targets.
   */
  private Recovering recover(Collection<String> ids, AttackEventType type, String why) {
    List<String> taken = new ArrayList<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String id : ids) {
      ActiveAttack attack = active.remove(id);
      if (attack == null) {
        continue;
      }
      if (attack.expiry != null) {
        attack.expiry.cancel(false);
      }
      long takenAt = System.nanoTime();
      CompletableFuture<Void> done =
          CompletableFuture.runAsync(
              () -> {
                List<String> restored;
                try {
                  restored = recoverQuietly(attack);
                } finally {
                  holding.remove(attack.attackId, attack);
                }
                metrics.recovered(attack.executor.fault(), System.nanoTime() - takenAt);
                published(attack, type, why, restored);
              },
              recoveries);
      CompletableFuture.delayedExecutor(config.recoveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                if (!done.isDone()) {
                  log.error(
                      "attack {} ({} on {}): recovery still running after agent.recovery.timeout"
                          + " {}; the fault may still be in place",
                      attack.attackId,
                      attack.executor.fault(),
                      attack.targets.stream().map(Target::describe).toList(),
                      Durations.format(config.recoveryTimeout()));
                }
              });
      taken.add(id);
      all.add(done);
    }
    return new Recovering(taken, CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
  }

  /** After the local recovery: the tombstone and the event, kept in the outbox until sent. */
  private void published(
      ActiveAttack attack, AttackEventType type, String why, List<String> restored) {
    tombstone(attack.attackId);
    AttackEvent event =
        AttackEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setExperimentId(attack.experimentId)
            .setAttackId(attack.attackId)
            .setCommandId(attack.commandId)
            .setType(type)
            .setFault(attack.executor.fault())
            .setTimestamp(System.currentTimeMillis())
            .setAgentId(config.agentId())
            .setTargets(restored)
            .setReason(why)
            .build();
    outbox.publish(
        topics.attackEvents().name(),
        attack.experimentId,
        topics.attackEvents().valueSerde().serializer().serialize(null, event));
    metrics.event(type);
    journal.remove(attack.attackId);
    log.info("attack {} {} ({}): {}", attack.attackId, type, why, restored);
  }

  /**
   * Waits for a recovery at most {@code agent.recovery.timeout} (the attacks late are logged by
   * {@link #recover}); true when it is done.
   */
  boolean await(CompletableFuture<?> recovery) {
    try {
      recovery.get(config.recoveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /**
   * Recovers, from the local journal and without Kafka, the attacks an earlier run of this agent
   * (same {@code agent.id}) left active, e.g. when it was killed; waits for it at most {@code
   * agent.recovery.timeout}. Their events go to the outbox. The constructor calls it before it
   * creates any Kafka client. Returns how many.
   */
  private int recoverJournal() {
    List<AttackState> left = journal.active();
    if (left.isEmpty()) {
      return 0;
    }
    log.warn(
        "agent {}: {} attacks of its earlier run are still recorded as active on this host;"
            + " recovering them locally before contacting Kafka",
        config.agentId(),
        left.size());
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (AttackState s : left) {
      recoveredAtStart.add(s.getAttackId());
      all.add(
          recoverOrphan(
              s,
              "orphan of this agent's earlier run ("
                  + config.agentId()
                  + "), recovered at start-up from its local journal"));
    }
    await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
    return left.size();
  }

  /** Whether {@link #recoverJournal} recovered this attack (attack.state may still show it). */
  boolean recoveredAtStart(String attackId) {
    return recoveredAtStart.contains(attackId);
  }

  /** Recovers an attack another (dead) agent applied, from what attack.state recorded. */
  CompletableFuture<Void> recoverOrphan(AttackState state, String why) {
    Fault executor = catalog.fault(state.getFault());
    if (executor == null) {
      log.error(
          "orphan {} has unknown fault '{}'; cannot recover it",
          state.getAttackId(),
          state.getFault());
      return CompletableFuture.completedFuture(null);
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
    holding.put(orphan.attackId, orphan);
    active.put(orphan.attackId, orphan);
    return recover(orphan.attackId, AttackEventType.ROLLED_BACK, why);
  }

  private List<String> recoverQuietly(ActiveAttack attack) {
    List<String> restored = new ArrayList<>();
    for (var entry : attack.recovery.entrySet()) {
      try {
        Target target = entry.getKey();
        restored.add(
            attack.executor.overlap() == Fault.Overlap.SHARE
                ? holds.release(
                    FaultHolds.key(attack.executor, target),
                    attack.attackId,
                    target.describe(),
                    () -> attack.executor.recover(target, entry.getValue()))
                : attack.executor.recover(target, entry.getValue()));
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

  /**
   * A REJECTED event and the record in the dlq (cut when too big for the broker), both bounded; a
   * failed send is logged with the record's offset and counted ({@link #failedSends()}).
   */
  private void reject(
      ConsumerRecord<String, byte[]> record, String key, AttackCommand command, String reason) {
    String experimentId =
        command != null
            ? command.getExperimentId()
            : key != null ? CommandBounds.quote(key, CommandBounds.ID) : "unknown";
    String bounded = DeadLetters.reason(reason);
    String source = record.topic() + "-" + record.partition() + "@" + record.offset();
    log.warn("command at {} REJECTED: {}", source, bounded);
    event(command, experimentId, null, AttackEventType.REJECTED, List.of(), bounded, Map.of());
    producer.send(
        DeadLetters.record(topics, "attack-agent", record, reason),
        (meta, e) -> {
          if (e != null) {
            sendFailed("the dlq record of the command at " + source, topics.dlq().name(), e);
          }
        });
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
    sendEvent(experimentId, topics.attackEvents().valueSerde().serializer().serialize(null, event));
    metrics.event(type);
  }

  /** An event of a command, sent without waiting ({@link CommandEvents}). */
  private void sendEvent(String key, byte[] value) {
    String source = SOURCE.get();
    commandEvents.send(
        key,
        value,
        source == null ? "an event of experiment " + key : "an event of the command at " + source);
  }

  private AttackState stateOf(
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
    return AttackState.newBuilder()
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
  }

  private byte[] encode(AttackState state) {
    return topics.attackState().valueSerde().serializer().serialize(null, state);
  }

  /**
   * An attack's record before its fault: sent to attack.state (its ack to come, or refused by the
   * producer at once), then appended to the local journal by {@link #await}.
   */
  private record WriteAhead(
      AttackState state, StartSteps steps, Future<RecordMetadata> acked, RuntimeException refused) {

    /**
     * Recorded before the fault is applied: another agent can see what to roll back. The local
     * journal's one fdatasync runs while Kafka acknowledges; returns once both are done.
     */
    void await(AttackJournal journal) {
      try {
        if (refused != null) {
          throw refused;
        }
        journal.record(state);
        steps.mark(StartSteps.Step.JOURNAL_SYNCED);
        acked.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        journal.remove(state.getAttackId());
        throw new InvalidRecordException(
            null, "cannot record attack.state before applying: " + e.getMessage());
      }
    }
  }

  /** Sends the write-ahead record without waiting for its ack; {@link WriteAhead#await} waits. */
  private WriteAhead writeAhead(AttackState state, StartSteps steps) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topics.attackState().name(), state.getAttackId(), encode(state));
    try {
      Future<RecordMetadata> acked =
          producer.send(
              record,
              (meta, e) -> {
                if (e == null) {
                  steps.mark(StartSteps.Step.WRITE_AHEAD_ACKED);
                }
              });
      steps.mark(StartSteps.Step.WRITE_AHEAD_SENT);
      return new WriteAhead(state, steps, acked, null);
    } catch (RuntimeException e) {
      // reported when awaited, after ACCEPTED: REJECTED follows it, as for any write-ahead failure
      return new WriteAhead(state, steps, null, e);
    }
  }

  private void tombstone(String attackId) {
    outbox.publish(topics.attackState().name(), attackId, null);
  }

  private void send(String topic, String key, byte[] value) {
    String what = "the recovery data of attack " + key;
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (meta, e) -> {
          if (e != null) {
            sendFailed(what, topic, e);
          }
        });
  }

  private void sendFailed(String what, String topic, Exception e) {
    long failed = failedSends.incrementAndGet();
    log.error(
        "LOST {}: cannot publish it to {}: {} ({} failed sends since start)",
        what,
        topic,
        e.toString(),
        failed);
  }

  /** Events and dlq records this agent could not publish since it started (each logged). */
  /** The agent's /metrics: JVM, Kafka clients and {@link AgentMetrics}. */
  public ComponentMetrics metrics() {
    return componentMetrics;
  }

  public long failedSends() {
    return failedSends.get();
  }

  /** Attacks this agent has applied and not yet recovered. */
  /** For {@code GET /health}: null while the agent takes commands, else why it does not. */
  public String healthProblem() {
    if (stopped.getCount() == 0) {
      return "stopped consuming " + topics.attackCommands().name() + " (see the log)";
    }
    Thread t = runner;
    if (t != null && !t.isAlive()) {
      return "its consumer thread died";
    }
    String provision = provisionProblem;
    return provision == null ? null : "cannot create or check the topics: " + provision;
  }

  public Set<String> activeAttacks() {
    return Set.copyOf(active.keySet());
  }

  /** Starts recovering every active attack of this agent at once (see {@link #recover}). */
  Recovering recoverAll(String why) {
    return recover(List.copyOf(active.keySet()), AttackEventType.ROLLED_BACK, why);
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
    // recovery first: it waits on nothing, while the command thread may wait on Kafka to stop
    Recovering recovering = recoverAll("agent shutting down");
    if (recovering.attackIds().isEmpty()) {
      log.info("agent {} closing: no active attacks", config.agentId());
    } else {
      log.warn(
          "agent {} closing: recovering {} active attacks {}",
          config.agentId(),
          recovering.attackIds().size(),
          recovering.attackIds());
    }
    if (consuming != null && consuming != Thread.currentThread()) {
      try {
        if (!stopped.await(15, TimeUnit.SECONDS)) {
          log.warn("agent {}: the command thread did not stop within 15 s", config.agentId());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // an attack the command in hand applied meanwhile
    Recovering late = recoverAll("agent shutting down");
    if (!late.attackIds().isEmpty()) {
      log.warn(
          "agent {} closing: recovering {} attacks applied while it stopped {}",
          config.agentId(),
          late.attackIds().size(),
          late.attackIds());
    }
    await(CompletableFuture.allOf(recovering.done(), late.done()));
    deadMansSwitch.close();
    orphans.close();
    expiries.shutdownNow();
    cloud.close();
    outbox.close(Duration.ofSeconds(5));
    journal.close();
    recoveries.shutdown();
    producer.close(Duration.ofSeconds(5));
    if (consuming == null) {
      consumer.close(Duration.ofSeconds(5)); // run() never started
    }
  }
}
