package io.faultline.scale;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * MIDI files under an S3 prefix: ListObjectsV2 page by page (continuation tokens), then GetObject
 * per file.
 */
public final class S3Corpus implements CorpusSource {

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final boolean ownsClient;

  public S3Corpus(S3Client s3, String bucket, String prefix) {
    this(s3, bucket, prefix, false);
  }

  private S3Corpus(S3Client s3, String bucket, String prefix, boolean ownsClient) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    this.ownsClient = ownsClient;
  }

  /**
   * A corpus at {@code s3://bucket/prefix} with the default AWS credentials chain; {@code endpoint}
   * (may be null) overrides the S3 endpoint and switches to path-style access (MinIO, tests).
   */
  public static S3Corpus open(String location, String region, String endpoint) {
    if (!location.startsWith("s3://") || location.length() <= "s3://".length()) {
      throw new IllegalArgumentException(
          "SCALE_CORPUS '" + location + "': must be a directory or s3://bucket/prefix");
    }
    String rest = location.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    var builder =
        S3Client.builder()
            .region(Region.of(region))
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClient(UrlConnectionHttpClient.create());
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
    }
    return new S3Corpus(builder.build(), bucket, prefix, true);
  }

  @Override
  public List<Entry> list() throws IOException {
    List<Entry> out = new ArrayList<>();
    String token = null;
    try {
      do {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket);
        if (!prefix.isEmpty()) {
          request.prefix(prefix);
        }
        if (token != null) {
          request.continuationToken(token);
        }
        ListObjectsV2Response page = s3.listObjectsV2(request.build());
        for (S3Object o : page.contents()) {
          if (CorpusSource.isMidi(o.key())) {
            out.add(new Entry(CorpusSource.songId(o.key()), o.key()));
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw new IOException("cannot list " + describe() + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(Entry::location));
    return out;
  }

  @Override
  public byte[] read(Entry entry) throws IOException {
    try {
      return s3.getObjectAsBytes(
              GetObjectRequest.builder().bucket(bucket).key(entry.location()).build())
          .asByteArray();
    } catch (SdkException e) {
      throw new IOException(
          "cannot read s3://" + bucket + "/" + entry.location() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }
}
