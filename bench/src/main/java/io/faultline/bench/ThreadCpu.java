package io.faultline.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU seconds of this JVM's threads summed by role, so a bench that runs the broker in-process can
 * say what the broker cost beside the stream threads (docs/adr/0069). Threads that ended between
 * two readings are missing from the second one, so read around one run whose threads live through
 * it.
 */
final class ThreadCpu {

  private static final Pattern STREAM_THREAD = Pattern.compile(".*-StreamThread-\\d+");

  private ThreadCpu() {}

  /** The role of a thread by its name: the analyzer's clients carry the Streams thread name. */
  static String role(String thread) {
    if (STREAM_THREAD.matcher(thread).matches()) {
      return "stream";
    }
    if (thread.contains("-StreamThread-")) {
      return thread.contains("producer-network-thread") ? "stream-producer-io" : "stream-clients";
    }
    if (thread.contains("GlobalStreamThread")) {
      return "global-stream";
    }
    if (thread.equals("main")) {
      return "bench-main";
    }
    return "broker-and-other";
  }

  /**
   * CPU seconds so far per role, plus {@code process} (every thread of the JVM, the JIT and the
   * garbage collector included) and {@code gc-reported} (the collectors' own accumulated time).
   */
  static Map<String, Double> byRole() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Double> seconds = new TreeMap<>();
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(t.getThreadId());
      if (nanos > 0) {
        seconds.merge(role(t.getThreadName()), nanos / 1e9, Double::sum);
      }
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      seconds.put("process", os.getProcessCpuTime() / 1e9);
    }
    double gc = 0;
    for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, c.getCollectionTime()) / 1e3;
    }
    seconds.put("gc-reported", gc);
    return seconds;
  }

  /** The CPU seconds per role since {@code before} (a role new since then counts from zero). */
  static Map<String, Double> since(Map<String, Double> before) {
    Map<String, Double> now = byRole();
    Map<String, Double> delta = new TreeMap<>();
    now.forEach((role, s) -> delta.put(role, s - before.getOrDefault(role, 0.0)));
    return delta;
  }

  /**
   * Per native thread of this process (Linux {@code /proc/self/task/<tid>/schedstat}): the
   * nanoseconds it ran and the nanoseconds it waited runnable for a core; empty elsewhere.
   */
  static Map<String, long[]> schedstat() {
    Map<String, long[]> byTask = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
          byTask.put(
              task.getFileName().toString(),
              new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
        } catch (IOException | RuntimeException ended) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException notLinux) {
      return Map.of();
    }
    return byTask;
  }

  /**
   * Seconds the JVM's threads ({@code process-runqueue-wait}) and its stream threads ({@code
   * stream-runqueue-wait}) waited runnable for a core since {@code start} (a {@link #schedstat}).
   * Java gives no thread's native id, so a stream thread is the native thread whose CPU time is
   * nearest its own; a thread that started after {@code start} counts from zero.
   */
  static Map<String, Double> runQueueWait(Map<String, long[]> start) {
    Map<String, long[]> now = schedstat();
    Map<String, Double> seconds = new TreeMap<>();
    if (now.isEmpty()) {
      return seconds;
    }
    long all = 0;
    for (var e : now.entrySet()) {
      all += e.getValue()[1] - start.getOrDefault(e.getKey(), new long[2])[1];
    }
    seconds.put("process-runqueue-wait", all / 1e9);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long streams = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null || !role(t.getThreadName()).equals("stream")) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(t.getThreadId());
      String nearest = null;
      for (var e : now.entrySet()) {
        if (nearest == null
            || Math.abs(e.getValue()[0] - cpu) < Math.abs(now.get(nearest)[0] - cpu)) {
          nearest = e.getKey();
        }
      }
      streams += now.get(nearest)[1] - start.getOrDefault(nearest, new long[2])[1];
    }
    seconds.put("stream-runqueue-wait", streams / 1e9);
    return seconds;
  }

  static String json(Map<String, Double> seconds) {
    return seconds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "\"%s\":%.3f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }
}
