package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

  @Test
  void environmentOverridesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "agent.max.duration=5m\nbootstrap.servers=a:9092\n");
    Map<String, String> map =
        ConfigSource.load(file, Map.of("FAULTLINE_AGENT_MAX_DURATION", "10m", "HOME", "/root"));
    assertThat(map)
        .containsEntry("agent.max.duration", "10m")
        .containsEntry("bootstrap.servers", "a:9092");
    assertThat(map).doesNotContainKey("home");
  }

  @Test
  void subsetStripsThePrefix() {
    assertThat(ConfigSource.subset(Map.of("kafka.security.protocol", "SSL", "x", "y"), "kafka."))
        .isEqualTo(Map.of("security.protocol", "SSL"));
  }
}
