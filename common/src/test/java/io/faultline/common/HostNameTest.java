package io.faultline.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostNameTest {

  @TempDir Path dir;

  @Test
  void theEnvironmentsHostnameComesFirst() throws Exception {
    Path kernel = Files.writeString(dir.resolve("hostname"), "from-kernel\n");
    assertThat(HostName.of(Map.of("HOSTNAME", "agent-pod-7 "), kernel)).isEqualTo("agent-pod-7");
  }

  @Test
  void withoutItTheKernelsNameIsRead() throws Exception {
    Path kernel = Files.writeString(dir.resolve("hostname"), "from-kernel\n");
    assertThat(HostName.of(Map.of(), kernel)).isEqualTo("from-kernel");
    assertThat(HostName.of(Map.of("HOSTNAME", "  "), kernel)).isEqualTo("from-kernel");
  }

  @Test
  void withNeitherTheNameIsUnknown() throws Exception {
    assertThat(HostName.of(Map.of(), dir.resolve("absent"))).isEqualTo("unknown");
    assertThat(HostName.of(Map.of(), Files.writeString(dir.resolve("empty"), "\n")))
        .isEqualTo("unknown");
    assertThat(HostName.of(Map.of(), dir)).as("a directory").isEqualTo("unknown");
  }

  @Test
  void onThisHostItIsTheKernelsNameUnlessTheEnvironmentSetsOne() throws Exception {
    String env = System.getenv("HOSTNAME");
    String expected =
        env != null && !env.isBlank()
            ? env.strip()
            : Files.isReadable(HostName.KERNEL)
                ? Files.readString(HostName.KERNEL).strip()
                : "unknown";
    assertThat(HostName.local()).isEqualTo(expected);
  }
}
