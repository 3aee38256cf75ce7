package io.faultline.scale.spark;

import io.faultline.scale.CorpusSource;
import io.faultline.scale.DirectoryCorpus;
import io.faultline.scale.S3Corpus;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where a corpus lives, as a value an executor can receive: a directory (every executor sees the
 * same path, as on one machine or a shared volume) or {@code s3://bucket/prefix} with its region
 * and optional endpoint. Each JVM opens its own reader from it, the same readers {@code
 * ExtractionJob} uses, so listing and reading have one implementation.
 */
public record CorpusLocation(String location, String s3Region, String s3Endpoint)
    implements Serializable {

  public static CorpusLocation directory(Path dir) {
    return new CorpusLocation(dir.toAbsolutePath().toString(), "us-east-1", null);
  }

  public boolean isS3() {
    return location.startsWith("s3://");
  }

  public CorpusSource open() {
    return isS3()
        ? S3Corpus.open(location, s3Region, s3Endpoint)
        : new DirectoryCorpus(Path.of(location));
  }
}
