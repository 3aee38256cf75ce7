package io.faultline.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class TargetFilesTest {

  @Test
  void targetFilesHoldOnePropertiesFilePerTarget() throws Exception {
    TargetFiles targets = TargetFiles.create("victim-test").process("v", "EXPERIMENTAL", 42);
    assertThat(Files.readString(targets.dir().resolve("v.properties")))
        .isEqualTo("name=v\ngroup=EXPERIMENTAL\npid=42\nport=0\n");
  }

  @Test
  void aProxiedTargetNamesTheProxysPortAndControlAddress() throws Exception {
    TargetFiles targets =
        TargetFiles.create("victim-test")
            .proxiedProcess("v", "EXPERIMENTAL", 42, 8081, "127.0.0.1:9001");
    assertThat(Files.readString(targets.dir().resolve("v.properties")))
        .isEqualTo("name=v\ngroup=EXPERIMENTAL\npid=42\nport=8081\nproxy.control=127.0.0.1:9001\n");
  }
}
