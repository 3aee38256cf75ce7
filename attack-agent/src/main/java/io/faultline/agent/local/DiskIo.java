package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.InvalidRecordException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code disk-io}: a writer process beside the target writes {@code mbps} MB per second in blocks
 * of {@code block-kb} KB, each followed by fsync, into a new directory {@code faultline-disk-io-*}
 * under {@code dir} (default the system temp dir; point it at the target's disk; {@link
 * FaultSpecs#DISK_IO}). The file wraps at {@value DiskWriter#FILE_MB} MB, so the disk never fills.
 * Recovery ends the writer and removes the directory; the writer also stops and removes it by
 * itself at the attack's deadline.
 */
public final class DiskIo extends ProcessFault {

  static final String DIR_PREFIX = "faultline-disk-io-";
  private static final Logger log = LoggerFactory.getLogger(DiskIo.class);

  @Override
  public FaultSpec spec() {
    return FaultSpecs.DISK_IO;
  }

  @Override
  public void validate(Map<String, String> parameters) {
    parentDir(parameters);
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    target.requireRunning();
    int mbps = spec().integer(parameters, "mbps");
    int blockKb = spec().integer(parameters, "block-kb");
    Path dir = Files.createTempDirectory(parentDir(parameters), DIR_PREFIX);
    long deadline = System.currentTimeMillis() + duration.toMillis();
    Process writer;
    try {
      writer =
          ChildJvm.start(
              List.of(),
              DiskWriter.class,
              32,
              List.of(
                  "--dir",
                  dir.toString(),
                  "--mbps",
                  Integer.toString(mbps),
                  "--block-kb",
                  Integer.toString(blockKb),
                  "--until",
                  Long.toString(deadline)));
    } catch (IOException e) {
      removeDir(dir);
      throw e;
    }
    log.info(
        "disk-io on {}: writer pid {} writes {} MB/s in {} KB blocks with fsync into {}",
        target.describe(),
        writer.pid(),
        mbps,
        blockKb,
        dir);
    return new Applied(
        List.of(
            target.describe()
                + " disk writer pid="
                + writer.pid()
                + " mbps="
                + mbps
                + " block-kb="
                + blockKb
                + " dir="
                + dir),
        Map.of("writerPid", Long.toString(writer.pid()), "dir", dir.toString()));
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    String stopped = ChildJvm.stop("disk writer", "writerPid", recovery);
    String raw = recovery.get("dir");
    if (raw == null) {
      return stopped;
    }
    Path dir = Path.of(raw);
    if (!dir.getFileName().toString().startsWith(DIR_PREFIX)) {
      // attack.state is input too: never delete a directory this fault did not create
      return stopped + "; refusing to remove " + dir + " (not a " + DIR_PREFIX + "* directory)";
    }
    return stopped + (removeDir(dir) ? "; removed " : "; already gone: ") + dir;
  }

  private Path parentDir(Map<String, String> parameters) {
    String raw = spec().text(parameters, "dir");
    Path dir = Path.of(raw == null ? System.getProperty("java.io.tmpdir") : raw);
    if (!dir.isAbsolute() || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new InvalidRecordException(
          "parameters.dir", "'" + raw + "': must be an absolute path of a writable directory");
    }
    return dir;
  }

  /** Removes {@code dir} and what it holds; false when it was not there. */
  static boolean removeDir(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return false;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    return true;
  }
}
