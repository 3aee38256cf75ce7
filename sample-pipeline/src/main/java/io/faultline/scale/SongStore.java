package io.faultline.scale;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * Scale's SQL store (embedded H2 by default, PostgreSQL when configured): migrated by Flyway on
 * open, accessed through a HikariCP pool. Writes are idempotent: a song is keyed by its id and
 * rewritten only when its file's SHA-256 changed.
 */
public final class SongStore implements AutoCloseable {

  /** A stored song and the notes of each instrument (program 128 = drums). */
  public record StoredSong(
      String id, String title, String sha256, SortedMap<Integer, Integer> notesByProgram) {}

  /** What one batch write did. */
  public record WriteResult(int inserted, int updated, int unchanged) {}

  /** The pool's connections right now. */
  public record PoolState(int active, int idle, int pending, int total, int max) {}

  private final HikariDataSource dataSource;
  private final int maxPool;

  private SongStore(HikariDataSource dataSource, int maxPool) {
    this.dataSource = dataSource;
    this.maxPool = maxPool;
  }

  /**
   * Opens the pool and migrates the schema; fails with the URL named when the database is not
   * reachable.
   */
  public static SongStore open(String url, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    if (user != null && !user.isEmpty()) {
      config.setUsername(user);
    }
    if (password != null && !password.isEmpty()) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("scale-db");
    config.setConnectionTimeout(5_000);
    config.setValidationTimeout(2_000);
    // start even when the database is down: /ready says 503 until it comes back
    config.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(config);
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/scale").load().migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new IllegalStateException(
          "SCALE_DB_URL " + redact(url) + ": cannot migrate the schema: " + e.getMessage(), e);
    }
    return new SongStore(ds, poolSize);
  }

  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
  }

  /**
   * Writes a batch in one transaction: new songs inserted, changed songs rewritten, the rest left.
   */
  public WriteResult save(List<SongInstruments> songs) throws SQLException {
    if (songs.isEmpty()) {
      return new WriteResult(0, 0, 0);
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Map<String, String> existing = hashes(c, songs);
        List<SongInstruments> inserts = new ArrayList<>();
        List<SongInstruments> updates = new ArrayList<>();
        for (SongInstruments s : songs) {
          String old = existing.get(s.id());
          if (old == null) {
            inserts.add(s);
          } else if (!old.equals(s.sha256())) {
            updates.add(s);
          }
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (!updates.isEmpty()) {
          try (PreparedStatement del =
                  c.prepareStatement("DELETE FROM song_instrument WHERE song_id = ?");
              PreparedStatement upd =
                  c.prepareStatement(
                      "UPDATE song SET title = ?, content_sha256 = ?, instrument_count = ?,"
                          + " drum_notes = ?, extracted_at = ?, instrument_set = ? WHERE id = ?")) {
            for (SongInstruments s : updates) {
              del.setString(1, s.id());
              del.addBatch();
              upd.setString(1, s.title());
              upd.setString(2, s.sha256());
              upd.setInt(3, s.instrumentSet().cardinality());
              upd.setInt(4, s.drumNotes());
              upd.setTimestamp(5, now);
              upd.setString(6, setText(s.instrumentSet()));
              upd.setString(7, s.id());
              upd.addBatch();
            }
            del.executeBatch();
            upd.executeBatch();
          }
        }
        if (!inserts.isEmpty()) {
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO song (id, title, content_sha256, instrument_count, drum_notes,"
                      + " extracted_at, instrument_set) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (SongInstruments s : inserts) {
              ins.setString(1, s.id());
              ins.setString(2, s.title());
              ins.setString(3, s.sha256());
              ins.setInt(4, s.instrumentSet().cardinality());
              ins.setInt(5, s.drumNotes());
              ins.setTimestamp(6, now);
              ins.setString(7, setText(s.instrumentSet()));
              ins.addBatch();
            }
            ins.executeBatch();
          }
        }
        List<SongInstruments> rows = new ArrayList<>(inserts);
        rows.addAll(updates);
        if (!rows.isEmpty()) {
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO song_instrument (song_id, program, family, notes)"
                      + " VALUES (?, ?, ?, ?)")) {
            for (SongInstruments s : rows) {
              for (var e : s.notesByProgram().entrySet()) {
                addInstrument(ins, s.id(), e.getKey(), e.getValue());
              }
              if (s.drumNotes() > 0) {
                addInstrument(ins, s.id(), GeneralMidi.DRUMS, s.drumNotes());
              }
            }
            ins.executeBatch();
          }
        }
        c.commit();
        return new WriteResult(
            inserts.size(), updates.size(), songs.size() - inserts.size() - updates.size());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static void addInstrument(PreparedStatement ins, String id, int program, int notes)
      throws SQLException {
    ins.setString(1, id);
    ins.setInt(2, program);
    ins.setInt(3, GeneralMidi.family(program));
    ins.setInt(4, notes);
    ins.addBatch();
  }

  private static Map<String, String> hashes(Connection c, List<SongInstruments> songs)
      throws SQLException {
    Map<String, String> out = new HashMap<>();
    StringBuilder sql = new StringBuilder("SELECT id, content_sha256 FROM song WHERE id IN (");
    for (int i = 0; i < songs.size(); i++) {
      sql.append(i == 0 ? "?" : ",?");
    }
    try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
      for (int i = 0; i < songs.size(); i++) {
        ps.setString(i + 1, songs.get(i).id());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  public Optional<StoredSong> find(String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT s.title, s.content_sha256, i.program, i.notes FROM song s"
                    + " LEFT JOIN song_instrument i ON i.song_id = s.id WHERE s.id = ?"
                    + " ORDER BY i.program")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        StoredSong song = null;
        SortedMap<Integer, Integer> notes = new TreeMap<>();
        while (rs.next()) {
          if (song == null) {
            song = new StoredSong(id, rs.getString(1), rs.getString(2), notes);
          }
          int program = rs.getInt(3);
          if (!rs.wasNull()) {
            notes.put(program, rs.getInt(4));
          }
        }
        return Optional.ofNullable(song);
      }
    }
  }

  /** Titles of the given songs, in one query. */
  public Map<String, String> titles(List<String> ids) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    StringBuilder sql = new StringBuilder("SELECT id, title FROM song WHERE id IN (");
    for (int i = 0; i < ids.size(); i++) {
      sql.append(i == 0 ? "?" : ",?");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  static String setText(BitSet set) {
    StringBuilder text = new StringBuilder();
    set.stream().forEach(p -> text.append(text.length() == 0 ? "" : ",").append(p));
    return text.toString();
  }

  /**
   * Every song's instrument set, for the in-memory similarity index: one row per song from {@code
   * song.instrument_set}; songs written before that column existed are read from {@code
   * song_instrument}.
   */
  public List<Song> instrumentSets() throws SQLException {
    List<Song> songs = new ArrayList<>();
    Map<String, Integer> missing = new HashMap<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, title, instrument_set FROM song");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          BitSet set = new BitSet(GeneralMidi.DRUMS + 1);
          String text = rs.getString(3);
          if (text == null) {
            missing.put(rs.getString(1), songs.size());
          } else if (!text.isEmpty()) {
            for (String p : text.split(",")) {
              set.set(Integer.parseInt(p));
            }
          }
          songs.add(new Song(rs.getString(1), rs.getString(2), set));
        }
      }
      if (!missing.isEmpty()) {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT song_id, program FROM song_instrument");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Integer at = missing.get(rs.getString(1));
            if (at != null) {
              songs.get(at).instruments().set(rs.getInt(2));
            }
          }
        }
      }
    }
    return songs;
  }

  /** Number of songs and the latest extraction time, to see whether the index is stale. */
  public String version() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MAX(extracted_at) FROM song");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1) + "@" + rs.getTimestamp(2);
    }
  }

  public long count() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM song");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The load-test query, like the original project's {@code /test_db}: one song's instrument rows
   * through the primary key, a bounded amount of work that touches the database on every call.
   * Without a song id (empty store) it counts the songs.
   */
  public Map<String, Object> probe(String songId) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      if (songId == null) {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM song");
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put("songs", rs.getLong(1));
          return out;
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT COUNT(*), COALESCE(SUM(notes), 0) FROM song_instrument WHERE song_id = ?")) {
        ps.setString(1, songId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put("song", songId);
          out.put("instruments", rs.getLong(1));
          out.put("notes", rs.getLong(2));
          return out;
        }
      }
    }
  }

  /** True when a connection can be had and is valid within a second. */
  public boolean reachable() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  public PoolState pool() {
    HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
    if (bean == null) {
      return new PoolState(0, 0, 0, 0, maxPool);
    }
    return new PoolState(
        bean.getActiveConnections(),
        bean.getIdleConnections(),
        bean.getThreadsAwaitingConnection(),
        bean.getTotalConnections(),
        maxPool);
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
