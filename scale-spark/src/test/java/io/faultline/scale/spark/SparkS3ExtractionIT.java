package io.faultline.scale.spark;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.MidiCorpusGenerator;
import io.faultline.scale.S3Corpus;
import io.faultline.scale.SongStore;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark job reading an S3 corpus (a WireMock S3, as S3CorpusIT's): each executor opens its own
 * S3Corpus from the CorpusLocation; the store equals the thread pool's from the same bucket.
 */
class SparkS3ExtractionIT {

  static final int SONGS = 40;
  static WireMockServer s3;
  static SparkSession spark;

  @BeforeAll
  static void bucketAndSession() {
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    s3 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    s3.start();
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>midi</Name><Prefix>songs/</Prefix><KeyCount>"
                + (SONGS + 1)
                + "</KeyCount><IsTruncated>false</IsTruncated>");
    for (int i = 0; i <= SONGS; i++) {
      String key = i < SONGS ? "songs/" + MidiCorpusGenerator.songId(i) + ".mid" : "songs/junk.mid";
      xml.append("<Contents><Key>").append(key).append("</Key><Size>100</Size></Contents>");
      byte[] body =
          i < SONGS
              ? MidiCorpusGenerator.toMidi(MidiCorpusGenerator.plan(i, 42), 42)
              : "not MIDI".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      s3.stubFor(
          get(urlPathEqualTo("/midi/" + key))
              .willReturn(aResponse().withStatus(200).withBody(body)));
    }
    s3.stubFor(
        get(urlPathEqualTo("/midi"))
            .withQueryParam("list-type", equalTo("2"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(xml.append("</ListBucketResult>").toString())));
    spark = LocalSparkSessions.loopback("SparkS3ExtractionIT");
  }

  @AfterAll
  static void stop() {
    spark.stop();
    s3.stop();
  }

  @Test
  void extractsAnS3CorpusAsTheThreadPoolDoes() throws Exception {
    String endpoint = "http://127.0.0.1:" + s3.port();
    CorpusLocation bucket = new CorpusLocation("s3://midi/songs/", "us-east-1", endpoint);
    String pooled = "jdbc:h2:mem:s3-pool-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (SongStore store = SongStore.open(pooled, "", "", 4);
        S3Corpus corpus = S3Corpus.open("s3://midi/songs/", "us-east-1", endpoint)) {
      new ExtractionJob(store, 2).run(corpus);
    }
    StoreLocation sparked =
        new StoreLocation(
            "jdbc:h2:mem:s3-spark-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "");

    ExtractionJob.Report report = new SparkExtractionJob(spark, sparked, 10).run(bucket);

    assertThat(report.inserted()).isEqualTo(SONGS);
    assertThat(report.corruptFiles()).containsExactly("songs/junk.mid");
    StoreChecksum expected = StoreChecksum.of(pooled, "", "");
    assertThat(expected.songs()).isEqualTo(SONGS);
    assertThat(StoreChecksum.of(sparked.url(), "", "")).isEqualTo(expected);
  }
}
