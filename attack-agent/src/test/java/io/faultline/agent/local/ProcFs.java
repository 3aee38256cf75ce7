package io.faultline.agent.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What the tests observe of a process from outside, through /proc. */
final class ProcFs {

  private ProcFs() {}

  /** Resident set size in MB (VmRSS), or -1 once the process is gone. */
  static long rssMb(long pid) {
    long kb = field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    return kb < 0 ? -1 : kb / 1024;
  }

  /** A counter of /proc/PID/io, e.g. {@code wchar} or {@code write_bytes}; -1 once gone. */
  static long io(long pid, String counter) {
    return field(Path.of("/proc", Long.toString(pid), "io"), counter + ":");
  }

  private static long field(Path file, String prefix) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(prefix)) {
          return Long.parseLong(line.substring(prefix.length()).replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /** Polls {@code condition} every 50 ms; false if it never held within {@code limit}. */
  static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }
}
