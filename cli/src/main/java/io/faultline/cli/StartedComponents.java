package io.faultline.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command started (a broker, Scale, the agent, the analyzer...), stopped last first when it
 * ends: a component that fails to stop is logged and the others still stop. Safe to close from a
 * shutdown hook while the command's own thread closes it too.
 */
final class StartedComponents implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StartedComponents.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Stopped before everything pushed earlier. */
  synchronized void push(AutoCloseable component) {
    started.push(component);
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", c, e.toString());
      }
    }
  }
}
