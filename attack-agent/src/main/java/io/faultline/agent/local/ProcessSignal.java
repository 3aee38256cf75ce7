package io.faultline.agent.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGSTOP, SIGCONT and SIGKILL to processes. On Linux it calls libc's {@code kill(2)} in the
 * agent's own process: a {@code kill} child (spawn, exec, wait) was the largest step between a
 * command and its STARTED event, a median 6 ms on a quiet 2-core machine (docs/adr/0059).
 * Elsewhere, or where libc cannot be loaded, it runs {@code kill} as before.
 */
enum ProcessSignal {
  STOP(19),
  CONT(18),
  KILL(9);

  /** kill(2)'s errno when the process does not exist (any more). */
  private static final int ESRCH = 3;

  private static final Logger log = LoggerFactory.getLogger(ProcessSignal.class);
  private static final CLibrary libc = loadLibc();

  /** The signal's number on Linux (the same on x86-64, arm64 and riscv64). */
  private final int linuxNumber;

  ProcessSignal(int linuxNumber) {
    this.linuxNumber = linuxNumber;
  }

  /**
   * How long a STOP waits for its process to take it before it returns anyway (with a WARN): a
   * process in uninterruptible sleep stops only when it leaves it; the signal stays queued.
   */
  static final Duration STOP_WAIT = Duration.ofSeconds(2);

  /**
   * Sends the signal; throws, naming the pid and the reason, when it was not delivered. A STOP
   * returns once the process has taken it ({@link #awaitStopped(List)}).
   */
  void send(long pid) throws Exception {
    requireOneProcess(pid);
    if (libc == null) {
      sendWithKillCommand(pid);
    } else {
      try {
        libc.kill((int) pid, linuxNumber);
      } catch (LastErrorException e) {
        throw new IllegalStateException(
            "kill -" + name() + " " + pid + " failed: " + e.getMessage(), e);
      }
    }
    if (this == STOP) {
      awaitStopped(List.of(pid));
    }
  }

  /**
   * After a STOP only: waits until each process has taken it, all within {@link #STOP_WAIT}:
   * kill(2) only queues a stop, and the process stops when it next runs, which on a loaded machine
   * can be after the caller has announced the fault (a STARTED whose target still read R in /proc;
   * CommandIntakeIT saw it once). A WARN names each process still running after it. The other
   * signals need no wait: CONT resumes at once, KILL's target ends as the kernel reaps it.
   */
  private static void awaitStopped(List<Long> pids) throws InterruptedException {
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    for (long pid : pids) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!awaitStopped(pid, left, ProcessSignal::procState)) {
        log.warn(
            "pid {} not stopped {} ms after SIGSTOP (state {}); it stops when it next runs",
            pid,
            STOP_WAIT.toMillis(),
            procState(pid));
      }
    }
  }

  /**
   * Polls {@code stateOf} (the state letter of /proc/PID/stat; 0 when unknown or gone) until the
   * process is stopped (T or t), gone or a zombie; false when it is still running after {@code
   * limit}. Where /proc cannot be read (not Linux) there is nothing to wait for: true.
   */
  static boolean awaitStopped(long pid, Duration limit, LongFunction<Character> stateOf)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    for (int polls = 0; ; polls++) {
      char state = stateOf.apply(pid);
      if (state == 0 || state == 'T' || state == 't' || state == 'Z' || state == 'X') {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      if (polls < 100) {
        Thread.yield(); // the target usually stops within its next time slice
      } else {
        Thread.sleep(1);
      }
    }
  }

  /** The state letter of /proc/PID/stat, or 0 when it cannot be read (gone, or no /proc). */
  static char procState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int end = stat.lastIndexOf(')');
      return end < 0 || end + 2 >= stat.length() ? 0 : stat.charAt(end + 2);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Sends the signal to each pid (a zone's processes); one that exited since it was listed is
   * skipped, as the {@code kill} command does. Every pid is checked before any signal is sent; a
   * STOP returns once each process has taken it, all within one {@link #STOP_WAIT}. Returns how
   * many processes were signalled (through libc; all of them with the command).
   */
  int sendToEach(List<Long> pids) throws Exception {
    pids.forEach(ProcessSignal.this::requireOneProcess);
    if (pids.isEmpty()) {
      return 0;
    }
    if (libc == null) {
      List<String> command = new ArrayList<>(List.of("kill", "-" + name()));
      pids.forEach(p -> command.add(Long.toString(p)));
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      // a process may exit between listing and signalling; kill then reports it and goes on
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + name() + " " + pids + " did not return in 5 s");
      }
      if (this == STOP) {
        awaitStopped(pids);
      }
      return pids.size();
    }
    int signalled = 0;
    List<String> failed = new ArrayList<>();
    for (long pid : pids) {
      try {
        libc.kill((int) pid, linuxNumber);
        signalled++;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != ESRCH) {
          failed.add(pid + ": " + e.getMessage());
        }
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(
          "kill -"
              + name()
              + " failed for "
              + failed.size()
              + " of "
              + pids.size()
              + ": "
              + failed);
    }
    if (this == STOP) {
      awaitStopped(pids);
    }
    return signalled;
  }

  private void requireOneProcess(long pid) {
    if (pid < 2 || pid > Integer.MAX_VALUE) {
      // kill(2) reads 0 as the caller's process group and -1 as every process it may signal, and a
      // long cast to int can land on either: only one process is ever a target
      throw new IllegalArgumentException(
          "kill -"
              + name()
              + " "
              + pid
              + ": pid must be one process, 2.."
              + Integer.MAX_VALUE
              + "; no signal sent");
    }
  }

  /** True when signals go through libc, false when each one runs a {@code kill} process. */
  static boolean inProcess() {
    return libc != null;
  }

  private void sendWithKillCommand(long pid) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name(), Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException(
          "kill -"
              + name()
              + " "
              + pid
              + " failed: "
              + new String(kill.getInputStream().readAllBytes()).strip());
    }
  }

  /** libc's kill(2); a failure throws with errno's text. */
  interface CLibrary extends Library {
    int kill(int pid, int signal) throws LastErrorException;
  }

  private static CLibrary loadLibc() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return null;
    }
    try {
      return Native.load("c", CLibrary.class);
    } catch (Throwable e) {
      // no native support for this platform in the JNA jar (or none allowed): the kill command
      log.warn(
          "libc not loadable ({}); pause-process and zone-outage signals run the kill command",
          e.toString());
      return null;
    }
  }
}
