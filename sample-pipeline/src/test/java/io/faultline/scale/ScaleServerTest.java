package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScaleServerTest {

  private static ScaleServer server;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server =
        new ScaleServer(
            "scale-test", "EXPERIMENTAL", 0, new SimilarityIndex(SongCorpus.generate(2000, 1)), 2);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersSimilarSongsWithItsGroup() throws Exception {
    var r = get("/similar?song=song-00001&limit=3");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Faultline-Group")).contains("EXPERIMENTAL");
    assertThat(r.body()).startsWith("{\"song\":\"song-00001\",\"similar\":[{\"id\":\"song-");
    assertThat(r.body().split("\"id\"")).hasSize(4);
  }

  @Test
  void badParametersAreNamed() throws Exception {
    var missing = get("/similar");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("parameter 'song' is required");
    var limit = get("/similar?song=song-00001&limit=500");
    assertThat(limit.statusCode()).isEqualTo(400);
    assertThat(limit.body())
        .contains("parameter 'limit' 500: must be a whole number from 1 to 100");
  }

  @Test
  void unknownSongIs404() throws Exception {
    var r = get("/similar?song=nope");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("song 'nope' not found");
    assertThat(get("/songs/song-00007").body()).contains("\"id\":\"song-00007\"");
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/ready").body()).contains("\"songs\":2000");
  }
}
