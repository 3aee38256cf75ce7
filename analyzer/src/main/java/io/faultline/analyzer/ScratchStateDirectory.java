package io.faultline.analyzer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A state directory for a topology whose state is thrown away when it ends (a replay, a test): in
 * memory where the machine has a writable tmpfs at /dev/shm, else in the temp directory. A {@code
 * TopologyTestDriver} commits after every record it is given, and a commit flushes each RocksDB
 * store to files and syncs them: on a disk that is most of a replay's time, in memory none of it,
 * with the same stores and the same topology (docs/adr/0045).
 */
public final class ScratchStateDirectory {

  private static final Path SHM = Path.of("/dev/shm");

  private ScratchStateDirectory() {}

  /** A fresh directory named {@code prefix...}; the caller removes it ({@link #delete}). */
  public static Path create(String prefix) throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, prefix);
    }
    return Files.createTempDirectory(prefix);
  }

  /** Removes {@code dir} and everything in it, as far as it can. */
  public static void delete(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a leftover scratch directory is gone at the next boot (/dev/shm) or temp-file clean-up
    }
  }
}
