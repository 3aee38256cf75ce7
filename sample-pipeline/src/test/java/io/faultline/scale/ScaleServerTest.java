package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaleServerTest {

  @TempDir static Path dir;
  private static SongStore store;
  private static ScaleServer server;
  private static final HttpClient client = HttpClient.newHttpClient();

  static ScaleConfig config(String group, String dbUrl) {
    return ScaleConfig.fromMap(
        Map.of("SCALE_GROUP", group, "SCALE_PORT", "0", "SCALE_DB_URL", dbUrl));
  }

  @BeforeAll
  static void start() throws Exception {
    TestCorpus.write(dir, TestCorpus.handChecked());
    ScaleConfig config = config("EXPERIMENTAL", "jdbc:h2:mem:server-test;DB_CLOSE_DELAY=-1");
    store = SongStore.open(config.dbUrl(), "", "", 4);
    assertThat(new ExtractionJob(store, 2).run(new DirectoryCorpus(dir)).inserted()).isEqualTo(5);
    server = new ScaleServer(config, store);
    server.refreshIndex();
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return get(server.port(), path);
  }

  @Test
  void similarSongsAreTheHandCheckedJaccardRanking() throws Exception {
    var r = get("/similar?song=a&limit=10");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Faultline-Group")).contains("experimental");
    assertThat(r.body())
        .isEqualTo(
            "{\"song\":\"a\",\"similar\":["
                + "{\"id\":\"e\",\"title\":\"Title of e\",\"score\":0.8000},"
                + "{\"id\":\"b\",\"title\":\"Title of b\",\"score\":0.7500},"
                + "{\"id\":\"c\",\"title\":\"Title of c\",\"score\":0.2000}]}");
    assertThat(get("/similar?song=a&limit=1").body()).contains("\"e\"").doesNotContain("\"b\"");
    assertThat(get("/similar?song=d").body()).isEqualTo("{\"song\":\"d\",\"similar\":[]}");
  }

  @Test
  void songComesFromTheDatabaseWithFamiliesAndNoteCounts() throws Exception {
    var r = get("/songs/a");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"title\":\"Title of a\"")
        .contains("\"drums\":true")
        .contains("{\"program\":24,\"family\":3,\"familyName\":\"Guitar\",\"notes\":5}")
        .contains("{\"program\":128,\"family\":16,\"familyName\":\"Drums\",\"notes\":7}");
  }

  @Test
  void testDbQueriesTheStoreOnEveryCall() throws Exception {
    var r = get("/test_db");
    assertThat(r.statusCode()).isEqualTo(200);
    // every song of the hand-checked corpus plays 5 notes per program and 7 drum notes
    assertThat(r.body())
        .matches("\\{\"song\":\"[a-e]\",\"instruments\":[2-5],\"notes\":(10|15|22|27|32)}");
    // the server counts a request after its response is sent, so the client may see the body
    // first: wait (up to 10 s) for the count rather than read it once
    String counted =
        "scale_http_requests_total{endpoint=\"test_db\",group=\"experimental\",status=\"200\"}";
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!server.metrics().scrape().contains(counted) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.metrics().scrape()).contains(counted);
  }

  @Test
  void badRequestsGetNamedJsonErrors() throws Exception {
    var missing = get("/similar");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(missing.body())
        .isEqualTo(
            "{\"error\":\"parameter 'song' is required, e.g. /similar?song=song-00001\",\"status\":400}");
    var limit = get("/similar?song=a&limit=500");
    assertThat(limit.statusCode()).isEqualTo(400);
    assertThat(limit.body())
        .contains("parameter 'limit' '500': must be a whole number from 1 to 100");
    assertThat(get("/similar?song=a&limit=x").statusCode()).isEqualTo(400);
    var unknown = get("/similar?song=nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("song 'nope' not found");
    assertThat(get("/songs/nope").statusCode()).isEqualTo(404);
    assertThat(get("/songs/").statusCode()).isEqualTo(400);
    var endpoint = get("/nowhere");
    assertThat(endpoint.statusCode()).isEqualTo(404);
    assertThat(endpoint.body()).contains("no such endpoint /nowhere");
    var post =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/similar?song=a"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void metricsCarryTheGroupOnEverySeries() throws Exception {
    get("/similar?song=a");
    get("/similar?song=nope");
    var r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    String body = r.body();
    assertThat(body)
        .contains(
            "scale_http_request_duration_seconds_bucket{endpoint=\"similar\",group=\"experimental\",le=\"+Inf\"}")
        .contains(
            "scale_http_requests_total{endpoint=\"similar\",group=\"experimental\",status=\"404\"}")
        .contains("scale_db_pool_active_connections{group=\"experimental\"}")
        .contains("scale_db_pool_idle_connections{group=\"experimental\"}")
        .contains("scale_db_pool_pending_threads{group=\"experimental\"} 0.0")
        .contains("scale_songs{group=\"experimental\"} 5.0")
        .contains("jvm_memory_used_bytes{area=\"heap\",group=\"experimental\"}");
    body.lines()
        .filter(l -> !l.startsWith("#"))
        .forEach(l -> assertThat(l).contains("group=\"experimental\""));
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    var ready = get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"songs\":5");
  }

  @Test
  void notReadyWhileTheDatabaseIsGoneButStillAlive() throws Exception {
    ScaleConfig config = config("control", "jdbc:h2:mem:server-gone;DB_CLOSE_DELAY=-1");
    SongStore gone = SongStore.open(config.dbUrl(), "", "", 2);
    try (ScaleServer other = new ScaleServer(config, gone)) {
      other.refreshIndex();
      assertThat(get(other.port(), "/ready").statusCode()).isEqualTo(200);
      gone.close();
      var ready = get(other.port(), "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("database not reachable");
      assertThat(get(other.port(), "/health").statusCode()).isEqualTo(200);
      var db = get(other.port(), "/test_db");
      assertThat(db.statusCode()).isEqualTo(503);
      assertThat(db.body()).contains("database unavailable");
      assertThat(get(other.port(), "/metrics").body())
          .contains("scale_http_errors_total{endpoint=\"test_db\",group=\"control\"} 1.0");
    }
  }
}
