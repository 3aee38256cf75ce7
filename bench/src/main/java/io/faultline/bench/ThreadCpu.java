package io.faultline.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

  static String json(Map<String, Double> seconds) {
    return seconds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "\"%s\":%.3f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }
}
