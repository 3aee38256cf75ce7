package io.faultline.agent.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a command in a container of a pod (pods/exec) and waits for its exit code. */
final class PodExec {

  private PodExec() {}

  record Result(int exitCode, String output) {}

  static Result run(
      KubernetesClient client,
      String namespace,
      String pod,
      String container,
      Duration timeout,
      String... command)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .inContainer(container)
            .writingOutput(out)
            .writingError(out)
            .exec(command)) {
      Integer code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(code == null ? -1 : code, out.toString(StandardCharsets.UTF_8).strip());
    }
  }

  /** Like {@link #run} but a non-zero exit is an error naming the command and the pod. */
  static String runChecked(
      KubernetesClient client,
      String namespace,
      String pod,
      String container,
      Duration timeout,
      String... command)
      throws Exception {
    Result r = run(client, namespace, pod, container, timeout, command);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " in "
              + namespace
              + "/"
              + pod
              + " container "
              + container
              + " exited with "
              + r.exitCode()
              + (r.output().isEmpty() ? "" : ": " + r.output()));
    }
    return r.output();
  }
}
