package io.faultline.scale;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale's web API. One instance belongs to one group; every response says which in {@code
 * X-Faultline-Group}, every metric in its {@code group} label.
 *
 * <pre>
 * GET /similar?song=ID&amp;limit=N   similar songs, best first (limit 1..100, default 10)
 * GET /songs/ID                     one song and its instruments, from the database
 * GET /test_db                      a query through the instrument index, on every call
 * GET /health                       liveness: 200 while the process serves
 * GET /ready                        readiness: 200 when the database is reachable and the index loaded
 * GET /metrics                      Prometheus text format
 * </pre>
 *
 * /similar scores candidates in memory (Jaccard over instrument sets, through an inverted index
 * loaded from the store) and reads their titles from the database.
 */
public final class ScaleServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScaleServer.class);

  /** A request that ends in a JSON error with this status. */
  private static final class RequestError extends Exception {
    final int status;

    RequestError(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  @FunctionalInterface
  private interface Handler {
    String handle(HttpExchange ex) throws RequestError, SQLException, IOException;
  }

  private final String name;
  private final String group;
  private final SongStore store;
  private final ScaleMetrics metrics;
  private final HttpServer server;
  private final ExecutorService workers;
  private volatile SimilarityIndex index;
  private volatile String indexVersion;

  public ScaleServer(ScaleConfig config, SongStore store) throws IOException {
    this.name = config.name();
    this.group = config.requireGroup("web");
    this.store = store;
    this.metrics = new ScaleMetrics(group, store::pool, () -> index == null ? 0 : index.size());
    this.server = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 1024);
    this.workers =
        Executors.newFixedThreadPool(config.threads(), DaemonThreads.numbered("scale-http"));
    server.setExecutor(workers);
    route("/similar", "similar", this::similar);
    route("/songs/", "songs", this::song);
    route("/test_db", "test_db", this::testDb);
    route("/health", "health", ex -> "{\"status\":\"up\",\"group\":\"" + group + "\"}");
    route("/ready", "ready", this::ready);
    server.createContext(
        "/metrics",
        ex -> {
          long start = System.nanoTime();
          send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
          metrics.record("metrics", 200, System.nanoTime() - start);
        });
    route(
        "/",
        "other",
        ex -> {
          throw new RequestError(
              404,
              "no such endpoint "
                  + ex.getRequestURI().getPath()
                  + "; try /similar?song=song-00001, /songs/song-00001, /test_db, /health, /ready or /metrics");
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public ScaleMetrics metrics() {
    return metrics;
  }

  /** Loads the similarity index from the store when the store changed since the last load. */
  public boolean refreshIndex() throws SQLException {
    String version = store.version();
    if (index != null && version.equals(indexVersion)) {
      return false;
    }
    long start = System.nanoTime();
    SimilarityIndex fresh = new SimilarityIndex(store.instrumentSets());
    index = fresh;
    indexVersion = version;
    log.info(
        "{}: similarity index of {} songs loaded in {} ms",
        name,
        fresh.size(),
        (System.nanoTime() - start) / 1_000_000);
    return true;
  }

  private void route(String path, String endpoint, Handler handler) {
    server.createContext(
        path,
        ex -> {
          long start = System.nanoTime();
          int status;
          try {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
              throw new RequestError(
                  405, "method " + ex.getRequestMethod() + " not allowed; use GET");
            }
            String body = handler.handle(ex);
            status = 200;
            send(ex, status, "application/json", body);
          } catch (RequestError e) {
            status = e.status;
            sendError(ex, status, e.getMessage());
          } catch (SQLException e) {
            status = 503;
            log.warn("{} {}: database error: {}", name, ex.getRequestURI(), e.getMessage());
            sendError(ex, status, "database unavailable: " + e.getMessage());
          } catch (RuntimeException e) {
            status = 500;
            log.error("{} {} failed", name, ex.getRequestURI(), e);
            sendError(ex, status, "internal error: " + e);
          }
          metrics.record(endpoint, status, System.nanoTime() - start);
        });
  }

  private String ready(HttpExchange ex) throws RequestError {
    if (!store.reachable()) {
      throw new RequestError(503, "database not reachable");
    }
    if (index == null) {
      throw new RequestError(503, "similarity index not loaded yet");
    }
    return "{\"status\":\"ready\",\"group\":\"" + group + "\",\"songs\":" + index.size() + "}";
  }

  private String similar(HttpExchange ex) throws RequestError, SQLException {
    Map<String, String> query;
    try {
      query = query(ex.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      throw new RequestError(400, "query string is not URL-encoded properly: " + e.getMessage());
    }
    String song = query.get("song");
    if (song == null || song.isBlank()) {
      throw new RequestError(400, "parameter 'song' is required, e.g. /similar?song=song-00001");
    }
    int limit = 10;
    if (query.containsKey("limit")) {
      try {
        limit = Integer.parseInt(query.get("limit"));
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 100) {
        throw new RequestError(
            400,
            "parameter 'limit' '" + query.get("limit") + "': must be a whole number from 1 to 100");
      }
    }
    SimilarityIndex current = index;
    if (current == null) {
      throw new RequestError(503, "similarity index not loaded yet");
    }
    List<SimilarityIndex.Match> matches = current.similar(song, limit);
    if (matches == null) {
      throw new RequestError(404, "song '" + song + "' not found");
    }
    Map<String, String> titles =
        store.titles(matches.stream().map(SimilarityIndex.Match::id).toList());
    StringBuilder json =
        new StringBuilder("{\"song\":\"").append(escape(song)).append("\",\"similar\":[");
    for (int i = 0; i < matches.size(); i++) {
      var m = matches.get(i);
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(escape(m.id()))
          .append("\",\"title\":\"")
          .append(escape(titles.getOrDefault(m.id(), "")))
          .append(String.format(Locale.ROOT, "\",\"score\":%.4f}", m.score()));
    }
    return json.append("]}").toString();
  }

  private String song(HttpExchange ex) throws RequestError, SQLException {
    String id = ex.getRequestURI().getPath().substring("/songs/".length());
    if (id.isEmpty()) {
      throw new RequestError(400, "song id missing: use /songs/ID, e.g. /songs/song-00001");
    }
    var song =
        store.find(id).orElseThrow(() -> new RequestError(404, "song '" + id + "' not found"));
    StringBuilder json =
        new StringBuilder("{\"id\":\"")
            .append(escape(song.id()))
            .append("\",\"title\":\"")
            .append(escape(song.title()))
            .append("\",\"sha256\":\"")
            .append(song.sha256())
            .append("\",\"drums\":")
            .append(song.notesByProgram().containsKey(GeneralMidi.DRUMS))
            .append(",\"instruments\":[");
    boolean first = true;
    for (var e : song.notesByProgram().entrySet()) {
      int family = GeneralMidi.family(e.getKey());
      json.append(first ? "" : ",")
          .append("{\"program\":")
          .append(e.getKey())
          .append(",\"family\":")
          .append(family)
          .append(",\"familyName\":\"")
          .append(GeneralMidi.familyName(family))
          .append("\",\"notes\":")
          .append(e.getValue())
          .append('}');
      first = false;
    }
    return json.append("]}").toString();
  }

  private String testDb(HttpExchange ex) throws SQLException {
    SimilarityIndex current = index;
    Song song = current == null ? null : current.randomSong();
    StringBuilder json = new StringBuilder("{");
    store
        .probe(song == null ? null : song.id())
        .forEach(
            (k, v) ->
                json.append(json.length() == 1 ? "" : ",")
                    .append('"')
                    .append(k)
                    .append("\":")
                    .append(v instanceof String str ? "\"" + escape(str) + "\"" : v));
    return json.append('}').toString();
  }

  private void sendError(HttpExchange ex, int status, String message) throws IOException {
    send(
        ex,
        status,
        "application/json",
        "{\"error\":\"" + escape(message) + "\",\"status\":" + status + "}");
  }

  private void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("X-Faultline-Group", group);
    ex.getResponseHeaders().set("X-Faultline-Instance", name);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> map = new HashMap<>();
    if (raw == null) {
      return map;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      map.put(k, v);
    }
    return map;
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
