package io.faultline.scale;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Scale's web API: songs similar to a song. One instance belongs to one group (CONTROL or
 * EXPERIMENTAL); every response says which in {@code X-Faultline-Group}.
 *
 * <pre>
 * GET /similar?song=ID&amp;limit=N   similar songs, best first (limit 1..100, default 10)
 * GET /songs/ID                     one song
 * GET /health                       liveness
 * GET /ready                        readiness
 * </pre>
 */
public final class ScaleServer implements AutoCloseable {

  private final String name;
  private final String group;
  private final SimilarityIndex index;
  private final HttpServer server;
  private final ExecutorService workers;

  public ScaleServer(String name, String group, int port, SimilarityIndex index, int threads)
      throws IOException {
    this.name = name;
    this.group = group;
    this.index = index;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    this.workers = Executors.newFixedThreadPool(threads);
    server.setExecutor(workers);
    server.createContext("/similar", this::similar);
    server.createContext("/songs/", this::song);
    server.createContext("/health", ex -> respond(ex, 200, "{\"status\":\"up\"}"));
    server.createContext(
        "/ready",
        ex -> respond(ex, 200, "{\"status\":\"ready\",\"songs\":" + index.corpus().size() + "}"));
    server.createContext(
        "/",
        ex ->
            error(
                ex,
                404,
                "no such endpoint "
                    + ex.getRequestURI().getPath()
                    + "; try /similar?song=song-00001"));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void similar(HttpExchange ex) throws IOException {
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    String song = query.get("song");
    if (song == null || song.isBlank()) {
      error(ex, 400, "parameter 'song' is required, e.g. /similar?song=song-00001");
      return;
    }
    int limit = 10;
    if (query.containsKey("limit")) {
      try {
        limit = Integer.parseInt(query.get("limit"));
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 100) {
        error(
            ex,
            400,
            "parameter 'limit' " + query.get("limit") + ": must be a whole number from 1 to 100");
        return;
      }
    }
    List<SimilarityIndex.Match> matches = index.similar(song, limit);
    if (matches == null) {
      error(ex, 404, "song '" + song + "' not found");
      return;
    }
    StringBuilder json =
        new StringBuilder("{\"song\":\"").append(escape(song)).append("\",\"similar\":[");
    for (int i = 0; i < matches.size(); i++) {
      var m = matches.get(i);
      json.append(i == 0 ? "" : ",")
          .append(String.format(Locale.ROOT, "{\"id\":\"%s\",\"score\":%.4f}", m.id(), m.score()));
    }
    respond(ex, 200, json.append("]}").toString());
  }

  private void song(HttpExchange ex) throws IOException {
    String id = ex.getRequestURI().getPath().substring("/songs/".length());
    Song song = index.corpus().get(id);
    if (song == null) {
      error(ex, 404, "song '" + id + "' not found");
      return;
    }
    respond(
        ex,
        200,
        String.format(
            "{\"id\":\"%s\",\"title\":\"%s\",\"instruments\":%s,\"drums\":%s}",
            song.id(),
            escape(song.title()),
            song.instruments().get(0, Song.DRUMS).stream().boxed().toList(),
            song.hasDrums()));
  }

  private void error(HttpExchange ex, int status, String message) throws IOException {
    respond(ex, status, "{\"error\":\"" + escape(message) + "\",\"status\":" + status + "}");
  }

  private void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("X-Faultline-Group", group);
    ex.getResponseHeaders().set("X-Faultline-Instance", name);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
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

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  private static final String USAGE =
      """
      Usage: ScaleServer --name NAME --group CONTROL|EXPERIMENTAL [--port N] [--songs N] [--seed N] [--threads N]
        --name     instance name, e.g. scale-experimental
        --group    CONTROL or EXPERIMENTAL
        --port     loopback port, 0 = any free one (default 0)
        --songs    corpus size (default 20000)
        --seed     corpus seed (default 42); same seed = same songs in both groups
        --threads  request threads (default 8)
      Prints 'LISTENING <port>' once it serves.""";

  public static void main(String[] args) throws IOException {
    Map<String, String> flags =
        new HashMap<>(Map.of("port", "0", "songs", "20000", "seed", "42", "threads", "8"));
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        fail("argument '" + a + "' needs a value, e.g. --port 8080");
      }
      String key = a.substring(2);
      if (!List.of("name", "group", "port", "songs", "seed", "threads").contains(key)) {
        fail("unknown flag '" + a + "'");
      }
      flags.put(key, args[++i]);
    }
    String name = flags.get("name");
    String group = flags.getOrDefault("group", "").toUpperCase(Locale.ROOT);
    if (name == null || name.isBlank()) {
      fail("--name is required");
    }
    if (!group.equals("CONTROL") && !group.equals("EXPERIMENTAL")) {
      fail("--group '" + flags.get("group") + "': must be CONTROL or EXPERIMENTAL");
    }
    int port = number(flags, "port", 0, 65535);
    int songs = number(flags, "songs", 1, 10_000_000);
    int threads = number(flags, "threads", 1, 512);
    long seed = number(flags, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE);
    SimilarityIndex index = new SimilarityIndex(SongCorpus.generate(songs, seed));
    ScaleServer server = new ScaleServer(name, group, port, index, threads);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("LISTENING " + server.port());
    System.out.flush();
  }

  private static int number(Map<String, String> flags, String key, int min, int max) {
    try {
      int n = Integer.parseInt(flags.get(key));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    fail(
        "--"
            + key
            + " '"
            + flags.get(key)
            + "': must be a whole number from "
            + min
            + " to "
            + max);
    return 0;
  }

  private static void fail(String message) {
    System.err.println("ScaleServer: " + message + "\n" + USAGE);
    System.exit(2);
  }
}
