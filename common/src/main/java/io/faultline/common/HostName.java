package io.faultline.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * This host's name without a DNS lookup: {@code InetAddress.getLocalHost()} resolves the name and
 * can hang for seconds at start-up on a host whose resolver is badly configured. The name is the
 * environment's {@code HOSTNAME} (set by Kubernetes and container runtimes), else the kernel's
 * ({@code /proc/sys/kernel/hostname}), else {@code unknown}.
 */
public final class HostName {

  static final Path KERNEL = Path.of("/proc/sys/kernel/hostname");
  static final String UNKNOWN = "unknown";

  private HostName() {}

  /** This host's name, from the environment or the kernel; never a DNS lookup. */
  public static String local() {
    return of(System.getenv(), KERNEL);
  }

  /** The name from {@code env}'s {@code HOSTNAME}, else the first line of {@code kernelFile}. */
  static String of(Map<String, String> env, Path kernelFile) {
    String fromEnv = env.get("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    try {
      String fromKernel = Files.readString(kernelFile, StandardCharsets.UTF_8).strip();
      if (!fromKernel.isEmpty() && fromKernel.lines().count() == 1) {
        return fromKernel;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: no name
    }
    return UNKNOWN;
  }
}
