package io.faultline.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A temporary targets directory, one {@code NAME.properties} file per target, as agents read. */
public final class TargetFiles {

  private final Path dir;

  private TargetFiles(Path dir) {
    this.dir = dir;
  }

  /** A new empty directory under the system temp dir, named from {@code prefix}. */
  public static TargetFiles create(String prefix) throws IOException {
    return new TargetFiles(Files.createTempDirectory(prefix));
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code name=, group=, pid=, port=0}: a process target. */
  public TargetFiles process(String name, String group, long pid) throws IOException {
    return write(name, "name=" + name + "\ngroup=" + group + "\npid=" + pid + "\nport=0\n");
  }

  /**
   * Writes a process target behind an impairment proxy: {@code port=} the proxy's listen port and
   * {@code proxy.control=} its control address, as the local platform writes them.
   */
  public TargetFiles proxiedProcess(
      String name, String group, long pid, int proxyPort, String proxyControl) throws IOException {
    return write(
        name,
        "name="
            + name
            + "\ngroup="
            + group
            + "\npid="
            + pid
            + "\nport="
            + proxyPort
            + "\nproxy.control="
            + proxyControl
            + "\n");
  }

  /** Writes a target file with the given content as is. */
  public TargetFiles write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name + ".properties"), content);
    return this;
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
