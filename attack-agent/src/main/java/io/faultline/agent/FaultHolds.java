package io.faultline.agent;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which attacks hold a shared fault ({@link Fault.Overlap#SHARE}) on one target: each of them
 * applies it, and only the last one to end undoes it (docs/adr/0085). Without this, the first
 * pause's SIGCONT resumed a process two later pauses still held. Apply and release of one key (one
 * fault on one target) run one at a time, so a recovery never undoes a stop an apply has just sent;
 * different keys run in parallel, so a STOP that waits up to 2 s for one process to take it never
 * delays another target's recovery (docs/adr/0090). Kept in memory only: an agent that restarts
 * recovers every attack of its journal, so each release finds no other holder and undoes the fault
 * (idempotent: a second SIGCONT is harmless).
 */
final class FaultHolds {

  /** One key's holders, and the lock its apply and release run under. */
  private static final class Hold {
    final ReentrantLock lock = new ReentrantLock();
    final Map<String, Long> holders = new LinkedHashMap<>(); // guarded by lock
    int users; // guarded by FaultHolds.this: threads that entered and have not left
  }

  // guarded by this, held only to find or drop a key's Hold, never while a fault runs
  private final Map<String, Hold> holds = new HashMap<>();

  /** The key of one fault on one target: two attacks with the same key share the fault. */
  static String key(Fault fault, Target target) {
    String key = fault.fault() + " " + target.kind() + " " + target.name();
    // a process's target file may name a new pid after a restart: another process, another hold
    return target instanceof ProcessTarget p ? key + " pid=" + p.pid() : key;
  }

  /** Applies the fault and records {@code attackId} as a holder until {@code expiresAt}. */
  <T> T apply(String key, String attackId, long expiresAt, Callable<T> apply) throws Exception {
    Hold hold = enter(key);
    try {
      T applied = apply.call();
      hold.holders.put(attackId, expiresAt);
      return applied;
    } finally {
      leave(key, hold);
    }
  }

  /** Moves the holder's end to the one its STARTED announced (later than the write-ahead one). */
  void extend(String key, String attackId, long expiresAt) {
    Hold hold = enter(key);
    try {
      hold.holders.computeIfPresent(attackId, (id, end) -> expiresAt);
    } finally {
      leave(key, hold);
    }
  }

  /**
   * Releases {@code attackId}'s hold: runs {@code recover} when no other attack holds the fault,
   * else returns {@code what} and who still holds it, untouched.
   */
  String release(String key, String attackId, String what, Callable<String> recover)
      throws Exception {
    Hold hold = enter(key);
    try {
      hold.holders.remove(attackId);
      if (hold.holders.isEmpty()) {
        return recover.call();
      }
      // the holder that ends last is the one that will undo it
      Map.Entry<String, Long> last =
          hold.holders.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
      int others = hold.holders.size() - 1;
      return what
          + ": still held by attack "
          + last.getKey()
          + (others > 0 ? " (and " + others + " more)" : "")
          + " until "
          + Instant.ofEpochMilli(last.getValue())
          + "; left in place for it";
    } finally {
      leave(key, hold);
    }
  }

  /** The number of keys with a holder or a thread inside: for tests, nothing is left behind. */
  synchronized int keys() {
    return holds.size();
  }

  /** Takes the key's lock; the Hold stays in the map while any thread is inside. */
  private Hold enter(String key) {
    Hold hold;
    synchronized (this) {
      hold = holds.computeIfAbsent(key, k -> new Hold());
      hold.users++;
    }
    hold.lock.lock();
    return hold;
  }

  /** Drops the key once no thread is inside and nothing holds it, so ended pids do not pile up. */
  private void leave(String key, Hold hold) {
    hold.lock.unlock();
    synchronized (this) {
      // the last user's unlock came before its decrement here: its holders are visible
      if (--hold.users == 0 && hold.holders.isEmpty()) {
        holds.remove(key);
      }
    }
  }
}
