package io.faultline.schema;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A component's config map (from {@link ConfigSource#load}) that remembers every key the component
 * looked up, so that after reading its config it can refuse the keys of its own prefixes it never
 * read: a typo in {@code agent.command.secret} would otherwise silently turn signing off. The known
 * keys are the ones the component's code reads, so there is no second list to keep in step.
 */
public final class StrictConfig extends AbstractMap<String, String> {

  private final Map<String, String> map;
  private final Set<String> read = ConcurrentHashMap.newKeySet();
  private final Set<String> readPrefixes = ConcurrentHashMap.newKeySet();

  private StrictConfig(Map<String, String> map) {
    this.map = Map.copyOf(map);
  }

  public static StrictConfig of(Map<String, String> map) {
    return map instanceof StrictConfig strict ? strict : new StrictConfig(map);
  }

  @Override
  public String get(Object key) {
    read.add(String.valueOf(key));
    return map.get(key);
  }

  @Override
  public String getOrDefault(Object key, String fallback) {
    read.add(String.valueOf(key));
    return map.getOrDefault(key, fallback);
  }

  @Override
  public boolean containsKey(Object key) {
    read.add(String.valueOf(key));
    return map.containsKey(key);
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return Collections.unmodifiableSet(map.entrySet());
  }

  /** Every key under {@code prefix} counts as read (a pass-through block such as kafka.*). */
  public void readAll(String prefix) {
    readPrefixes.add(prefix);
  }

  /**
   * Throws naming the first key under one of {@code prefixes} that was never read, and the closest
   * key that was: {@code agent.comand.secret: unknown key of the agent; did you mean
   * agent.command.secret?}.
   */
  public void refuseUnread(String component, String... prefixes) {
    for (String key : new TreeSet<>(map.keySet())) {
      boolean ours = false;
      for (String p : prefixes) {
        ours |= key.startsWith(p);
      }
      if (!ours || read.contains(key) || readPrefixes.stream().anyMatch(key::startsWith)) {
        continue;
      }
      Set<String> known = new TreeSet<>();
      for (String k : read) {
        for (String p : prefixes) {
          if (k.startsWith(p)) {
            known.add(k);
          }
        }
      }
      String hint = NearestName.hint(known, key);
      throw new IllegalArgumentException(
          key
              + ": unknown key of the "
              + component
              + (hint.isEmpty() ? " (keys it reads: " + String.join(", ", known) + ")" : hint));
    }
  }
}
