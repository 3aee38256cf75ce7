package io.faultline.scale.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Both groups' fleets (docs/adr/0015), started side by side and sharing nothing: each its own etcd,
 * Patroni cluster, web replicas and HAProxy, with its target files in one directory for the agent.
 */
public final class LocalFleet implements AutoCloseable {

  private final GroupFleet control;
  private final GroupFleet experimental;

  private LocalFleet(GroupFleet control, GroupFleet experimental) {
    this.control = control;
    this.experimental = experimental;
  }

  /** Starts both groups at once; if one fails, the other is stopped too. */
  public static LocalFleet start(
      Path dataDir,
      Path targetsDir,
      int replicas,
      int songs,
      Duration restartDelay,
      Consumer<String> say)
      throws IOException {
    CompletableFuture<GroupFleet> control =
        CompletableFuture.supplyAsync(
            () -> group("CONTROL", dataDir, targetsDir, replicas, songs, restartDelay, say));
    CompletableFuture<GroupFleet> experimental =
        CompletableFuture.supplyAsync(
            () -> group("EXPERIMENTAL", dataDir, targetsDir, replicas, songs, restartDelay, say));
    GroupFleet c = null;
    GroupFleet x = null;
    IOException failure = null;
    for (CompletableFuture<GroupFleet> f : java.util.List.of(control, experimental)) {
      try {
        GroupFleet g = f.get();
        if (f == control) {
          c = g;
        } else {
          x = g;
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (failure == null) {
          failure =
              cause.getCause() instanceof IOException io
                  ? io
                  : new IOException(cause.getMessage(), cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new IOException("interrupted starting the fleet", e);
      }
    }
    if (failure != null) {
      if (c != null) {
        c.close();
      }
      if (x != null) {
        x.close();
      }
      throw failure;
    }
    return new LocalFleet(c, x);
  }

  private static GroupFleet group(
      String group,
      Path dataDir,
      Path targetsDir,
      int replicas,
      int songs,
      Duration restartDelay,
      Consumer<String> say) {
    try {
      FleetLayout layout =
          FleetLayout.plan(group, replicas, FleetLayout.ZONES, LoopbackPorts::next);
      return GroupFleet.start(layout, dataDir, targetsDir, songs, restartDelay, say);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public GroupFleet control() {
    return control;
  }

  public GroupFleet experimental() {
    return experimental;
  }

  public GroupFleet group(String group) {
    return "CONTROL".equalsIgnoreCase(group) ? control : experimental;
  }

  /** Every process of both groups now. */
  public Set<Long> pids() {
    Set<Long> pids = new java.util.LinkedHashSet<>(control.pids());
    pids.addAll(experimental.pids());
    return pids;
  }

  @Override
  public void close() {
    CompletableFuture<Void> c = CompletableFuture.runAsync(control::close);
    experimental.close();
    c.join();
  }
}
