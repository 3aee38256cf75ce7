package io.faultline.scale.spark;

import io.faultline.scale.SongStore;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDBC store a job writes, as a value an executor can receive. Each executor JVM opens one
 * small pool per store, once, and keeps it for the JVM's life: a task must not pay Flyway's check
 * and a pool's start for every partition.
 */
public record StoreLocation(String url, String user, String password) implements Serializable {

  private static final int EXECUTOR_POOL = 2;
  private static final Map<StoreLocation, SongStore> OPEN = new ConcurrentHashMap<>();

  /** This JVM's pool for the store; opened (and the schema checked) on first use. */
  SongStore shared() {
    return OPEN.computeIfAbsent(
        this,
        s -> {
          SongStore store = SongStore.open(s.url, s.user, s.password, EXECUTOR_POOL);
          Runtime.getRuntime().addShutdownHook(new Thread(store::close, "scale-store-close"));
          return store;
        });
  }

  @Override
  public String toString() {
    return "StoreLocation[" + url.replaceAll("(?i)(password=)[^;&]*", "$1***") + "]";
  }
}
