package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchStateDirectoryTest {

  @Test
  void isInSharedMemoryWhereWritableAndDeletedWithItsStores() throws Exception {
    Path dir = ScratchStateDirectory.create("scratch-test");
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      assertThat(dir.getParent()).isEqualTo(shm);
    }
    assertThat(dir.getFileName().toString()).startsWith("scratch-test");
    Path store = Files.createDirectories(dir.resolve("0_0/rocksdb/open-windows"));
    Files.writeString(store.resolve("000001.sst"), "bytes");

    ScratchStateDirectory.delete(dir);

    assertThat(dir).doesNotExist();
  }
}
