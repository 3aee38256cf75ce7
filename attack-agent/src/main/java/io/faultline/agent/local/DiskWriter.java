package io.faultline.agent.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The writer process of {@code disk-io}: writes {@code --block-kb} blocks at {@code --mbps} MB per
 * second into {@code --dir}/load.bin, fsync after each block, wrapping at {@value #FILE_MB} MB; at
 * {@code --until} (epoch ms) it stops and removes its directory.
 */
public final class DiskWriter {

  static final int FILE_MB = 64;

  private DiskWriter() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Map<String, String> flags = ChildJvm.flags(args, List.of("dir", "mbps", "block-kb", "until"));
    Path dir = Path.of(flags.get("dir"));
    long bytesPerSecond = Long.parseLong(flags.getOrDefault("mbps", "16")) << 20;
    int block = Integer.parseInt(flags.getOrDefault("block-kb", "1024")) << 10;
    long until = Long.parseLong(flags.getOrDefault("until", "0"));
    byte[] data = new byte[block];
    ThreadLocalRandom.current().nextBytes(data); // incompressible
    long fileBytes = (long) FILE_MB << 20;
    long start = System.nanoTime();
    long written = 0;
    try (FileChannel file =
        FileChannel.open(
            dir.resolve("load.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      while (System.currentTimeMillis() < until) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        long position = written % fileBytes;
        while (buffer.hasRemaining()) {
          position += file.write(buffer, position);
        }
        file.force(false);
        written += block;
        long aheadNanos = written * 1_000_000_000L / bytesPerSecond - (System.nanoTime() - start);
        if (aheadNanos > 0) {
          Thread.sleep(
              Math.min(aheadNanos / 1_000_000, Math.max(0, until - System.currentTimeMillis())));
        }
      }
    } finally {
      DiskIo.removeDir(dir);
    }
  }
}
