package io.faultline.scale;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 reader against a WireMock S3: ListObjectsV2 over two pages, then GetObject per file. */
class S3CorpusIT {

  private WireMockServer s3;
  private S3Client client;

  @BeforeEach
  void start() {
    s3 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    s3.start();
    client =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create("http://127.0.0.1:" + s3.port()))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    s3.stop();
  }

  private static String page(boolean truncated, String nextToken, String... keys) {
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>midi</Name><Prefix>songs/</Prefix><MaxKeys>2</MaxKeys>"
                + "<KeyCount>"
                + keys.length
                + "</KeyCount>"
                + "<IsTruncated>"
                + truncated
                + "</IsTruncated>");
    if (nextToken != null) {
      xml.append("<NextContinuationToken>").append(nextToken).append("</NextContinuationToken>");
    }
    for (String key : keys) {
      xml.append("<Contents><Key>")
          .append(key)
          .append("</Key><Size>100</Size><StorageClass>STANDARD</StorageClass></Contents>");
    }
    return xml.append("</ListBucketResult>").toString();
  }

  private void stubObject(String key, byte[] body) {
    s3.stubFor(
        get(urlPathEqualTo("/midi/" + key))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "audio/midi")
                    .withBody(body)));
  }

  @Test
  void listsEveryPageAndExtractsTheFiles() throws Exception {
    s3.stubFor(
        get(urlPathEqualTo("/midi"))
            .withQueryParam("list-type", equalTo("2"))
            .withQueryParam("continuation-token", absent())
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/xml")
                    .withBody(page(true, "page-2", "songs/a.mid", "songs/b.mid"))));
    s3.stubFor(
        get(urlPathEqualTo("/midi"))
            .withQueryParam("list-type", equalTo("2"))
            .withQueryParam("continuation-token", equalTo("page-2"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        page(false, null, "songs/broken.mid", "songs/cover.jpg", "songs/e.mid"))));
    var songs = TestCorpus.handChecked();
    stubObject("songs/a.mid", MidiCorpusGenerator.toMidi(songs.get(0), 1));
    stubObject("songs/b.mid", MidiCorpusGenerator.toMidi(songs.get(1), 1));
    stubObject("songs/e.mid", MidiCorpusGenerator.toMidi(songs.get(4), 1));
    stubObject("songs/broken.mid", "MThd\0\0\0\6\0\1\0\4".getBytes());

    S3Corpus corpus = new S3Corpus(client, "midi", "songs/");
    assertThat(corpus.list())
        .containsExactly(
            new CorpusSource.Entry("a", "songs/a.mid"),
            new CorpusSource.Entry("b", "songs/b.mid"),
            new CorpusSource.Entry("broken", "songs/broken.mid"),
            new CorpusSource.Entry("e", "songs/e.mid"));
    s3.verify(
        2, getRequestedFor(urlPathEqualTo("/midi")).withQueryParam("prefix", equalTo("songs/")));

    try (SongStore store = SongStore.open("jdbc:h2:mem:s3-it;DB_CLOSE_DELAY=-1", "", "", 2)) {
      ExtractionJob.Report report = new ExtractionJob(store, 2).run(corpus);
      assertThat(report.inserted()).isEqualTo(3);
      assertThat(report.corruptFiles()).containsExactly("songs/broken.mid");
      assertThat(store.find("e").orElseThrow().notesByProgram().keySet())
          .containsExactly(0, 24, 33, 56, GeneralMidi.DRUMS);
      assertThat(store.titles(List.of("a", "b"))).containsEntry("b", "Title of b");
    }
  }

  @Test
  void aMissingObjectIsCountedNotFatalAndAMissingBucketIsNamed() throws Exception {
    s3.stubFor(
        get(urlPathEqualTo("/midi"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/xml")
                    .withBody(page(false, null, "songs/gone.mid"))));
    s3.stubFor(
        get(urlPathEqualTo("/midi/songs/gone.mid"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")));
    try (SongStore store = SongStore.open("jdbc:h2:mem:s3-it-2;DB_CLOSE_DELAY=-1", "", "", 2)) {
      ExtractionJob.Report report =
          new ExtractionJob(store, 1).run(new S3Corpus(client, "midi", "songs/"));
      assertThat(report.corruptFiles()).containsExactly("songs/gone.mid");
      assertThat(report.inserted()).isZero();
    }
    assertThatThrownBy(() -> new S3Corpus(client, "nobucket", "x/").list())
        .hasMessageStartingWith("cannot list s3://nobucket/x/");
  }

  @Test
  void locationMustBeAnS3Url() {
    assertThatThrownBy(() -> S3Corpus.open("s3://", "us-east-1", null))
        .hasMessageContaining("SCALE_CORPUS 's3://': must be a directory or s3://bucket/prefix");
  }
}
