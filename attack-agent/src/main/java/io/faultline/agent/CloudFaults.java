package io.faultline.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.faultline.agent.aws.AwsFaults;
import io.faultline.agent.kubernetes.KubernetesFaults;
import io.faultline.agent.kubernetes.KubernetesScope;

/**
 * The Kubernetes and AWS faults an agent runs beside the local ones: Kubernetes when {@code
 * agent.kubernetes.namespaces} names any namespace (client from kubeconfig or the in-cluster
 * service account), AWS when {@code agent.aws.enabled=true}. Either may be absent.
 */
public final class CloudFaults implements AutoCloseable {

  private final KubernetesClient kubernetes;
  private final KubernetesScope scope;
  private final String stressImage;
  private final String networkImage;
  private final AwsFaults aws;

  public CloudFaults(
      KubernetesScope scope, String stressImage, String networkImage, AwsFaults aws) {
    this.kubernetes = scope == null ? null : scope.client();
    this.scope = scope;
    this.stressImage = stressImage;
    this.networkImage = networkImage;
    this.aws = aws;
  }

  public static CloudFaults none() {
    return new CloudFaults(null, null, null, null);
  }

  public static CloudFaults fromConfig(AgentConfig config) {
    KubernetesScope scope =
        config.kubernetesNamespaces().isEmpty()
            ? null
            : new KubernetesScope(
                new KubernetesClientBuilder().build(), config.kubernetesNamespaces());
    AwsFaults aws =
        config.awsEnabled()
            ? AwsFaults.create(config.awsRegion(), config.awsEndpoint(), null)
            : null;
    return new CloudFaults(
        scope, config.kubernetesStressImage(), config.kubernetesNetworkImage(), aws);
  }

  void register(FaultCatalog catalog) {
    if (scope != null) {
      KubernetesFaults.register(catalog, scope, stressImage, networkImage);
    }
    if (aws != null) {
      aws.register(catalog);
    }
  }

  @Override
  public void close() {
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (aws != null) {
      aws.close();
    }
  }
}
