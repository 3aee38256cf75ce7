package io.faultline.agent.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small JVM started beside a target to carry a fault (CPU burner, memory holder, disk writer) on
 * the agent's own class path. Recovery ends it by pid, so any agent that reads attack.state can end
 * it; each child also exits by itself at its deadline, so an agent crash cannot leak one forever.
 */
final class ChildJvm {

  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code args}, its output discarded. {@code prefix} goes before the
   * java command (e.g. {@code taskset -c 1}); {@code maxHeapMb} bounds the child's heap.
   */
  static Process start(List<String> prefix, Class<?> main, int maxHeapMb, List<String> args)
      throws java.io.IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + maxHeapMb + "m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * Ends the child recorded under {@code key} in {@code recovery} ({@code what} names it in the
   * result, e.g. {@code burner}); a child already gone is fine, recovery is idempotent.
   */
  static String stop(String what, String key, Map<String, String> recovery) throws Exception {
    String raw = recovery.get(key);
    if (raw == null) {
      return "no " + what + " recorded (the agent stopped before starting one); it exits by itself";
    }
    long pid = Long.parseLong(raw);
    var child = ProcessHandle.of(pid);
    if (child.isEmpty() || !child.get().isAlive()) {
      return what + " pid=" + pid + " already gone";
    }
    child.get().destroyForcibly();
    // an orphan recovered by another agent is not our child: onExit() would poll it with a
    // back-off, and it stays a zombie until init reaps it (seconds under some inits), so watch
    // /proc ourselves: a zombie holds nothing but its pid
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!ended(child.get()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (!ended(child.get())) {
      throw new IllegalStateException(what + " pid=" + pid + " still runs 5 s after SIGKILL");
    }
    return what + " pid=" + pid + " stopped";
  }

  /** Gone, or a zombie waiting to be reaped (state Z or X in /proc/PID/stat). */
  static boolean ended(ProcessHandle p) {
    if (!p.isAlive()) {
      return true;
    }
    try {
      String stat =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (java.io.IOException | RuntimeException e) {
      return !p.isAlive(); // no /proc (not Linux), or it vanished meanwhile
    }
  }

  /** Reads {@code --name value} pairs of a child's command line; unknown flags are errors. */
  static Map<String, String> flags(String[] args, List<String> known) {
    Map<String, String> flags = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !known.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "unexpected argument '" + args[i] + "'; expected --NAME VALUE with NAME in " + known);
      }
      flags.put(name, args[++i]);
    }
    return flags;
  }

  /** Sleeps until {@code deadlineEpochMs}, waking early only to be interrupted. */
  static void sleepUntil(long deadlineEpochMs) throws InterruptedException {
    long left;
    while ((left = deadlineEpochMs - System.currentTimeMillis()) > 0) {
      Thread.sleep(Math.min(left, 1000));
    }
  }
}
