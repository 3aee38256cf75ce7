package io.faultline.agent;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Which attacks hold a shared fault ({@link Fault.Overlap#SHARE}) on one target: each of them
 * applies it, and only the last one to end undoes it (docs/adr/0085). Without this, the first
 * pause's SIGCONT resumed a process two later pauses still held. Apply and release of shared faults
 * run one at a time, so a recovery never undoes a stop an apply has just sent. Kept in memory only:
 * an agent that restarts recovers every attack of its journal, so each release finds no other
 * holder and undoes the fault (idempotent: a second SIGCONT is harmless).
 */
final class FaultHolds {

  private final Map<String, Map<String, Long>> holders = new HashMap<>();

  /** The key of one fault on one target: two attacks with the same key share the fault. */
  static String key(Fault fault, Target target) {
    String key = fault.fault() + " " + target.kind() + " " + target.name();
    // a process's target file may name a new pid after a restart: another process, another hold
    return target instanceof ProcessTarget p ? key + " pid=" + p.pid() : key;
  }

  /** Applies the fault and records {@code attackId} as a holder until {@code expiresAt}. */
  synchronized <T> T apply(String key, String attackId, long expiresAt, Callable<T> apply)
      throws Exception {
    T applied = apply.call();
    holders.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(attackId, expiresAt);
    return applied;
  }

  /** Moves the holder's end to the one its STARTED announced (later than the write-ahead one). */
  synchronized void extend(String key, String attackId, long expiresAt) {
    Map<String, Long> held = holders.get(key);
    if (held != null && held.containsKey(attackId)) {
      held.put(attackId, expiresAt);
    }
  }

  /**
   * Releases {@code attackId}'s hold: runs {@code recover} when no other attack holds the fault,
   * else returns {@code what} and who still holds it, untouched.
   */
  synchronized String release(String key, String attackId, String what, Callable<String> recover)
      throws Exception {
    Map<String, Long> held = holders.get(key);
    if (held != null) {
      held.remove(attackId);
      if (held.isEmpty()) {
        holders.remove(key);
      }
    }
    if (held == null || held.isEmpty()) {
      return recover.call();
    }
    // the holder that ends last is the one that will undo it
    Map.Entry<String, Long> last =
        held.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    return what
        + ": still held by attack "
        + last.getKey()
        + (held.size() > 1 ? " (and " + (held.size() - 1) + " more)" : "")
        + " until "
        + Instant.ofEpochMilli(last.getValue())
        + "; left in place for it";
  }
}
