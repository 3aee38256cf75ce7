package io.faultline.agent;

import static io.faultline.agent.FaultSpec.Parameter.choice;
import static io.faultline.agent.FaultSpec.Parameter.flag;
import static io.faultline.agent.FaultSpec.Parameter.integer;
import static io.faultline.agent.FaultSpec.Parameter.millis;
import static io.faultline.agent.FaultSpec.Parameter.optionalInteger;
import static io.faultline.agent.FaultSpec.Parameter.text;

import io.faultline.schema.NearestName;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fault catalogue: every fault an agent has, with its parameters. The one place a fault's name,
 * target kind, platforms and parameters are written; the fault classes read their parameters
 * through it, and everything else is generated from it or checked against it by a test
 * (FaultSpecsTest: the agent registers exactly these faults; the CLI's file checks, JSON Schema,
 * {@code faultline faults}, {@code attack --help} and completion).
 */
public final class FaultSpecs {

  /** Experiment-file platforms. Kubernetes faults also run on aws (EKS). */
  public static final Set<String> PLATFORMS = new TreeSet<>(List.of("local", "kubernetes", "aws"));

  private static final Set<String> LOCAL = Set.of("local");
  private static final Set<String> KUBERNETES = Set.of("kubernetes", "aws");
  private static final Set<String> AWS = Set.of("aws");
  private static final Set<String> LOCAL_AND_KUBERNETES = Set.of("local", "kubernetes", "aws");

  /** Where each target kind comes from: the agent config that gives an agent targets of it. */
  public static final Map<String, String> KINDS =
      new TreeMap<>(
          Map.of(
              "process", "agent.targets.dir",
              "pod", "agent.kubernetes.namespaces",
              "node", "agent.kubernetes.namespaces",
              "zone", "agent.kubernetes.namespaces",
              "ec2", "agent.aws.enabled=true",
              "fis-template", "agent.aws.enabled=true"));

  public static final FaultSpec CPU_BURN =
      FaultSpec.of(
          "cpu-burn",
          "process",
          LOCAL,
          "a burner process competes for the target's CPUs (pinned to them when it is)",
          integer("cores", 1, 64, 1, "threads", "burner threads"),
          integer("percent", 1, 100, 100, "%", "share of each thread's time spent burning"));

  public static final FaultSpec KILL_PROCESS =
      FaultSpec.of(
          "kill-process",
          "process",
          LOCAL,
          "SIGKILL; nothing to undo, the process's supervisor restarts it");

  public static final FaultSpec TERMINATE_PROCESS =
      FaultSpec.of(
          "terminate-process",
          "process",
          LOCAL,
          "SIGTERM, a graceful shutdown; the process's supervisor restarts it");

  public static final FaultSpec EXECUTOR_KILL =
      FaultSpec.of(
              "executor-kill",
              "process",
              LOCAL_AND_KUBERNETES,
              "kills one Spark executor: locally SIGKILL of an executor JVM of the target worker"
                  + " (role=spark-worker); on Kubernetes deletes one executor pod"
                  + " (spark-role=executor) of the selected pods, never a driver; Spark replaces"
                  + " it and retries the lost tasks")
          .withKindOn("pod", KUBERNETES);

  public static final FaultSpec PAUSE_PROCESS =
      FaultSpec.of(
          "pause-process",
          "process",
          LOCAL,
          "SIGSTOP for the attack's duration (the process hangs), SIGCONT on recovery");

  public static final FaultSpec MEMORY_PRESSURE =
      FaultSpec.of(
          "memory-pressure",
          "process",
          LOCAL,
          "a holder process beside the target takes resident memory; refused below 512 MB free",
          integer("mb", 1, 8192, 256, "MB", "resident memory taken, touched page by page"));

  public static final FaultSpec DISK_IO =
      FaultSpec.of(
          "disk-io",
          "process",
          LOCAL,
          "a writer process writes and fsyncs into a wrapping file beside the target",
          integer("mbps", 1, 512, 16, "MB/s", "write rate"),
          integer("block-kb", 4, 4096, 1024, "KB", "block size, each followed by fsync"),
          text(
              "dir",
              "/.*",
              "an absolute path of a writable directory",
              null,
              "the agent's temp dir",
              false,
              "where the writer's directory is made; point it at the target's disk"));

  public static final FaultSpec NETWORK_LATENCY =
      FaultSpec.of(
          "network-latency",
          "process",
          LOCAL,
          "the target's impairment proxy delays every chunk the target sends back",
          millis("latency", 1, 60_000, "100ms", "added to each response"),
          millis("jitter", 0, 60_000, "0ms", "random +- around latency, at most latency"));

  public static final FaultSpec PACKET_LOSS =
      FaultSpec.of(
          "packet-loss",
          "process",
          LOCAL,
          "the target's impairment proxy stalls chunks as a lost TCP segment would",
          integer("percent", 1, 100, 10, "%", "chance that a chunk is lost"),
          millis("retransmit", 10, 10_000, "200ms", "stall of a lost chunk (one RTO)"));

  public static final FaultSpec POD_DELETE =
      FaultSpec.of(
          "pod-delete",
          "pod",
          KUBERNETES,
          "deletes the pod; its controller recreates it",
          optionalInteger(
              "gracePeriodSeconds", 0, 3600, "the pod's own", "s", "termination grace period"));

  public static final FaultSpec CONTAINER_KILL =
      FaultSpec.of(
          "container-kill",
          "pod",
          KUBERNETES,
          "signals a container's PID 1 through pods/exec; the kubelet restarts it",
          text(
              "container",
              "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?",
              "a container name such as scale",
              null,
              "the pod's first container",
              false,
              "the container to signal"),
          choice(
              "signal",
              List.of("TERM", "INT", "QUIT", "HUP"),
              "TERM",
              "the signal (PID 1 ignores SIGKILL from inside)"));

  public static final FaultSpec POD_CPU_STRESS =
      FaultSpec.of(
          "pod-cpu-stress",
          "pod",
          KUBERNETES,
          "stress-ng --cpu in an ephemeral container of the pod",
          integer("workers", 1, 64, 1, "workers", "stress-ng CPU workers"),
          integer("load", 1, 100, 100, "%", "load of each worker"));

  public static final FaultSpec POD_MEMORY_STRESS =
      FaultSpec.of(
          "pod-memory-stress",
          "pod",
          KUBERNETES,
          "stress-ng --vm in an ephemeral container of the pod",
          integer("mb", 1, 65536, 256, "MB", "memory held"));

  public static final FaultSpec POD_NETWORK_DELAY =
      FaultSpec.of(
          "pod-network-delay",
          "pod",
          KUBERNETES,
          "tc netem delay from an ephemeral container with NET_ADMIN",
          integer("delayMs", 1, 60_000, 100, "ms", "added delay"),
          integer("jitterMs", 0, 60_000, 0, "ms", "random +- around the delay"),
          text(
              "interface",
              "[A-Za-z0-9_.-]{1,15}",
              "a network interface name such as eth0",
              "eth0",
              null,
              false,
              "the pod's interface"));

  public static final FaultSpec ZONE_OUTAGE =
      FaultSpec.of(
          "zone-outage",
          "zone",
          LOCAL_AND_KUBERNETES,
          "Kubernetes: cordons every node of the zone (selector names) and evicts its EXPERIMENTAL"
              + " pods; local: stops every EXPERIMENTAL process of the zone (target files' zone)",
          flag(
              "force",
              "Kubernetes: delete the pods instead of evicting them (ignores"
                  + " PodDisruptionBudgets)"),
          choice(
              "signal",
              List.of("KILL", "STOP"),
              "KILL",
              "local: KILL like a power loss (restarted when the zone is back), STOP like a"
                  + " partition (SIGCONT on recovery)"));

  public static final FaultSpec NODE_DRAIN =
      FaultSpec.of(
          "node-drain",
          "node",
          KUBERNETES,
          "cordons the node and evicts its EXPERIMENTAL pods",
          flag("force", "delete the pods instead of evicting them (ignores PodDisruptionBudgets)"));

  public static final FaultSpec EC2_ZONE_OUTAGE =
      FaultSpec.of(
          "ec2-zone-outage",
          "ec2",
          AWS,
          "stops the EXPERIMENTAL instances of one availability zone; recovery starts them",
          text(
              "zone",
              "[a-z]{2}(-[a-z]+)+-\\d+[a-z]",
              "an availability zone such as eu-west-1a",
              null,
              null,
              true,
              "the availability zone whose instances stop"));

  public static final FaultSpec FIS_EXPERIMENT =
      FaultSpec.of(
          "fis-experiment",
          "fis-template",
          AWS,
          "starts an AWS FIS experiment from the selected template (names: template ids)");

  /** Every fault, in the order the table lists them. */
  public static final List<FaultSpec> ALL =
      List.of(
          CPU_BURN,
          KILL_PROCESS,
          TERMINATE_PROCESS,
          PAUSE_PROCESS,
          EXECUTOR_KILL,
          MEMORY_PRESSURE,
          DISK_IO,
          NETWORK_LATENCY,
          PACKET_LOSS,
          POD_DELETE,
          CONTAINER_KILL,
          POD_CPU_STRESS,
          POD_MEMORY_STRESS,
          POD_NETWORK_DELAY,
          ZONE_OUTAGE,
          NODE_DRAIN,
          EC2_ZONE_OUTAGE,
          FIS_EXPERIMENT);

  private FaultSpecs() {}

  public static Optional<FaultSpec> named(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(FaultSpec::name).toList();
  }

  /** The faults an experiment file on {@code platform} may use. */
  public static List<FaultSpec> on(String platform) {
    return ALL.stream().filter(s -> s.platforms().contains(platform)).toList();
  }

  /** The target kinds of the faults on {@code platform}. */
  public static Set<String> kindsOn(String platform) {
    Set<String> kinds = new TreeSet<>();
    on(platform).forEach(s -> kinds.add(s.kindOn(platform)));
    return kinds;
  }

  /** {@code "; did you mean cpu-burn?"} for a mistyped fault name, or nothing. */
  public static String hint(String name) {
    return NearestName.hint(names(), name);
  }
}
