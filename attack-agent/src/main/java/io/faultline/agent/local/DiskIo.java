package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
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
 * {@code disk-io}: a writer process beside the target writes {@code mbps} MB per second (1..{@value
 * #MAX_MBPS}, default 16) in blocks of {@code block-kb} KB (4..4096, default 1024), each followed
 * by fsync, into a new directory {@code faultline-disk-io-*} under {@code dir} (default the system
 * temp dir; point it at the target's disk). The file wraps at {@value DiskWriter#FILE_MB} MB, so
 * the disk never fills. Recovery ends the writer and removes the directory; the writer also stops
 * and removes it by itself at the attack's deadline.
 */
public final class DiskIo implements FaultExecutor {

  static final int MAX_MBPS = 512;
  static final String DIR_PREFIX = "faultline-disk-io-";
  private static final Logger log = LoggerFactory.getLogger(DiskIo.class);

  @Override
  public String fault() {
    return "disk-io";
  }

  @Override
  public void validate(Map<String, String> parameters) {
    CpuBurn.intParam(parameters, "mbps", 16, 1, MAX_MBPS);
    CpuBurn.intParam(parameters, "block-kb", 1024, 4, 4096);
    parentDir(parameters);
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    if (!target.isAlive()) {
      throw new IllegalStateException(target.describe() + " is not running");
    }
    int mbps = CpuBurn.intParam(parameters, "mbps", 16, 1, MAX_MBPS);
    int blockKb = CpuBurn.intParam(parameters, "block-kb", 1024, 4, 4096);
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

  private static Path parentDir(Map<String, String> parameters) {
    String raw = parameters.get("dir");
    Path dir = Path.of(raw == null ? System.getProperty("java.io.tmpdir") : raw.strip());
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
