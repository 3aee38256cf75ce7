package io.faultline.agent.aws;

import io.faultline.agent.FaultCatalog;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The AWS faults with their clients: region and credentials from the SDK's default provider chains
 * (unless given), the endpoint overridden only for tests.
 */
public final class AwsFaults implements AutoCloseable {

  private final Ec2Client ec2;
  private final FisApi fis;

  public AwsFaults(Ec2Client ec2, FisApi fis) {
    this.ec2 = ec2;
    this.fis = fis;
  }

  /** {@code region} and {@code endpoint} may be null: default region chain, public endpoints. */
  public static AwsFaults create(String region, URI endpoint, AwsCredentialsProvider credentials) {
    Region r;
    try {
      r = region != null ? Region.of(region) : new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new IllegalArgumentException(
          "agent.aws.enabled=true but no AWS region is known: set agent.aws.region or AWS_REGION ("
              + e.getMessage()
              + ")",
          e);
    }
    AwsCredentialsProvider creds =
        credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
    var builder = Ec2Client.builder().region(r).credentialsProvider(creds);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return new AwsFaults(builder.build(), new FisApi(endpoint, r.id(), creds));
  }

  public void register(FaultCatalog catalog) {
    catalog
        .add(new Ec2ZoneOutage(ec2))
        .add(new FisExperiment(fis))
        .add(new Ec2Inventory(ec2))
        .add(new FisTemplateInventory(fis));
  }

  @Override
  public void close() {
    ec2.close();
  }
}
