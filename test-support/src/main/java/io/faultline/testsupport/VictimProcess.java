package io.faultline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real child process for faults to act on: {@code sleep 300}, killed on close. */
public final class VictimProcess implements AutoCloseable {

  private final Process process;

  private VictimProcess(Process process) {
    this.process = process;
  }

  /** Starts {@code sleep 300}. */
  public static VictimProcess start() throws IOException {
    return start(Duration.ofSeconds(300));
  }

  /** Starts a {@code sleep} that outlives a test longer than five minutes. */
  public static VictimProcess start(Duration lifetime) throws IOException {
    return new VictimProcess(
        new ProcessBuilder("sleep", Long.toString(lifetime.toSeconds())).start());
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The state letter of /proc/PID/stat: T when stopped by SIGSTOP, S or R when running, Z dead. */
  public char state() {
    return state(process.pid());
  }

  /** The state letter of /proc/PID/stat for any process. */
  public static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException e) {
      throw new UncheckedIOException("/proc/" + pid + "/stat unreadable", e);
    }
  }

  /** The state letter of /proc/PID/stat, or 0 when the process is gone (a fault that kills). */
  public static char stateOrGone(long pid) {
    try {
      return state(pid);
    } catch (UncheckedIOException e) {
      return 0;
    }
  }

  /** SIGKILL, as the tests' tear-down always did. */
  @Override
  public void close() {
    process.destroyForcibly();
  }
}
