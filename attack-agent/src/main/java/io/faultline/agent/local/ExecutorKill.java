package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * SIGKILLs one Spark executor JVM of a standalone worker: the target is the worker (its target file
 * says {@code role=spark-worker}), the executor is the worker's descendant running {@code
 * CoarseGrainedExecutorBackend}, the lowest pid when there are several. Nothing to undo: the master
 * starts a new executor and the driver retries the lost tasks, as on Kubernetes after an executor
 * pod is deleted.
 */
public final class ExecutorKill extends ProcessFault {

  /** What an executor JVM's command line contains. */
  static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  @Override
  public FaultSpec spec() {
    return FaultSpecs.EXECUTOR_KILL;
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration) {
    ProcessHandle worker = target.requireRunning();
    ProcessHandle executor =
        executors(worker).stream()
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        target.describe()
                            + " runs no Spark executor; select a worker (role=spark-worker)"
                            + " while a job runs"));
    if (!executor.destroyForcibly()) {
      throw new IllegalStateException("cannot signal executor pid=" + executor.pid());
    }
    return new Applied(
        List.of(target.describe() + " executor pid=" + executor.pid() + " SIGKILL"), Map.of());
  }

  /** The worker's live executor JVMs, lowest pid first. */
  static List<ProcessHandle> executors(ProcessHandle worker) {
    return worker
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> commandLine(p).contains(EXECUTOR_MAIN))
        .sorted(Comparator.comparingLong(ProcessHandle::pid))
        .toList();
  }

  /**
   * The whole command line from {@code /proc}: {@code ProcessHandle.Info.commandLine()} stops at
   * 4096 bytes, and an executor's class path comes before its main class.
   */
  static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")));
    } catch (IOException e) {
      return p.info().commandLine().orElse(""); // no /proc, or the process is gone
    }
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) {
    return target.name() + ": nothing to undo; the master starts a new executor";
  }
}
