package io.faultline.scale.fleet;

import io.faultline.common.DaemonThreads;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Measures a database failover as a client sees it: every {@code interval} a new connection to the
 * group's database (the multi-host URL, primary only) inserts one row. An outage runs from the
 * first failed write to the first write accepted again; its length is the time until writes succeed
 * again.
 */
public final class WriteProbe implements AutoCloseable {

  /** Writes failed from {@code firstFailure}; {@code recovered} is the first accepted again. */
  public record Outage(Instant firstFailure, Instant recovered) {
    public Duration length() {
      return Duration.between(firstFailure, recovered);
    }
  }

  private final String url;
  private final String id = java.util.UUID.randomUUID().toString();
  private final Duration interval;
  private final Thread thread;
  private final List<Outage> outages = new ArrayList<>();
  private volatile boolean running = true;
  private Instant failingSince; // guarded by this
  private long accepted; // guarded by this
  private long failed; // guarded by this

  private WriteProbe() {
    this.url = null;
    this.interval = Duration.ZERO;
    this.thread = null;
  }

  /** A probe that writes nothing: {@link #record} only, for tests of the outage arithmetic. */
  static WriteProbe detached() {
    return new WriteProbe();
  }

  public WriteProbe(String jdbcUrl, Duration interval) throws SQLException {
    this.url = jdbcUrl;
    this.interval = interval;
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS faultline_write_probe (id bigserial PRIMARY KEY,"
              + " probe text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
    }
    this.thread = DaemonThreads.named("write-probe").newThread(this::run);
    thread.start();
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("connectTimeout", "1");
    p.setProperty("socketTimeout", "2");
    p.setProperty("loginTimeout", "2");
    return DriverManager.getConnection(url, p);
  }

  private void run() {
    while (running) {
      boolean ok;
      try (Connection c = connect();
          java.sql.PreparedStatement s =
              c.prepareStatement("INSERT INTO faultline_write_probe (probe) VALUES (?)")) {
        s.setString(1, id);
        s.executeUpdate();
        ok = true;
      } catch (SQLException e) {
        ok = false;
      }
      record(ok, Instant.now());
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  synchronized void record(boolean ok, Instant now) {
    if (ok) {
      accepted++;
      if (failingSince != null) {
        outages.add(new Outage(failingSince, now));
        failingSince = null;
      }
    } else {
      failed++;
      if (failingSince == null) {
        failingSince = now;
      }
    }
  }

  /** Outages that ended, in order. */
  public synchronized List<Outage> outages() {
    return List.copyOf(outages);
  }

  /** Whether the last write failed. */
  public synchronized boolean failing() {
    return failingSince != null;
  }

  public synchronized long accepted() {
    return accepted;
  }

  public synchronized long failed() {
    return failed;
  }

  /**
   * Acknowledged writes the database no longer has (a failover that lost the old primary's last
   * commits, or a rewound timeline): accepted minus the rows of this probe the primary holds now;
   * -1 when the database cannot be asked.
   */
  public long lostWrites() {
    try (Connection c = connect();
        java.sql.PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM faultline_write_probe WHERE probe = ?")) {
      s.setString(1, id);
      try (java.sql.ResultSet r = s.executeQuery()) {
        r.next();
        return Math.max(0, accepted() - r.getLong(1));
      }
    } catch (SQLException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread == null) {
      return;
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
