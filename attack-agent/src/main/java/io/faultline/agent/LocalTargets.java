package io.faultline.agent;

import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local process targets, read from {@code <dir>/<name>.properties} (name, group, pid, host, port,
 * optional cpus, proxy.control, zone, role, pidfile) each time a command is selected, since pids
 * change when a process restarts.
 *
 * <p>The directory is listed and every file stat'd on each {@link #read()}; a file is parsed again
 * unless its size, modification time, change time and inode are those of its last parse, and that
 * parse was at least {@link #SETTLED} after its last change (docs/adr/0106). A timestamp ticks
 * coarsely (a second on some file systems), so a file rewritten within one tick of its last parse
 * may keep every stamp: such a file is parsed on every read until it has settled. The change time
 * is the kernel's, set on any write, so a writer that puts the modification time back (a {@code
 * touch -d}, a {@code cp -p}) is still seen.
 */
public final class LocalTargets {

  private static final Logger log = LoggerFactory.getLogger(LocalTargets.class);

  /** How long after its last change a file's stamps are trusted to tell a later change apart. */
  static final Duration SETTLED = Duration.ofSeconds(2);

  private final Path dir;
  private final LongSupplier wallMillis;
  // the last parse of each file, by path; a file read with the same stamps is not parsed again
  private final Map<Path, Parsed> parsed = new HashMap<>();

  public LocalTargets(Path dir) {
    this(dir, System::currentTimeMillis);
  }

  /** {@code wallMillis}: the wall clock the file system's timestamps are compared with. */
  LocalTargets(Path dir, LongSupplier wallMillis) {
    this.dir = dir;
    this.wallMillis = wallMillis;
  }

  public Path dir() {
    return dir;
  }

  public synchronized List<ProcessTarget> read() {
    List<ProcessTarget> targets = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      parsed.clear();
      return targets;
    }
    Map<Path, Parsed> seen = new HashMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
      for (Path file : files) {
        Parsed p = read(file);
        if (p == null) {
          continue;
        }
        seen.put(file, p);
        if (p.target != null) {
          targets.add(p.target);
        }
      }
    } catch (IOException e) {
      throw new InvalidRecordException("target", "cannot read targets directory " + dir + ": " + e);
    }
    // a removed file is forgotten with its pid
    parsed.keySet().retainAll(seen.keySet());
    parsed.putAll(seen);
    targets.sort(Comparator.comparing(ProcessTarget::name));
    return targets;
  }

  /** The file's target (null for a bad file), from the last parse while its stamps hold. */
  private Parsed read(Path file) {
    long now = wallMillis.getAsLong();
    Stamp stamp;
    try {
      stamp = Stamp.of(file);
    } catch (IOException e) {
      log.warn("ignoring target file {}: {}", file, e.toString()); // removed since the listing
      return null;
    }
    Parsed last = parsed.get(file);
    if (last != null && last.settled && last.stamp.equals(stamp)) {
      return last;
    }
    boolean settled = stamp.changedMillis() <= now - SETTLED.toMillis();
    try {
      return new Parsed(stamp, parse(file), settled);
    } catch (RuntimeException | IOException e) {
      if (last == null || !last.stamp.equals(stamp) || last.target != null) {
        log.warn("ignoring target file {}: {}", file, e.getMessage());
      }
      return new Parsed(stamp, null, settled);
    }
  }

  /** What tells one version of a target file from another without reading it. */
  private record Stamp(long size, FileTime modified, Object changed, Object fileKey) {

    static Stamp of(Path file) throws IOException {
      try {
        Map<String, Object> a =
            Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,fileKey");
        return new Stamp(
            (Long) a.get("size"),
            (FileTime) a.get("lastModifiedTime"),
            a.get("ctime"),
            a.get("fileKey"));
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        // no change time outside Unix: the modification time stands for it
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.size(), a.lastModifiedTime(), null, a.fileKey());
      }
    }

    long changedMillis() {
      long modified = this.modified.toMillis();
      return changed instanceof FileTime c ? Math.max(modified, c.toMillis()) : modified;
    }
  }

  private record Parsed(Stamp stamp, ProcessTarget target, boolean settled) {}

  static ProcessTarget parse(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    String name = p.getProperty("name");
    String group = p.getProperty("group", "");
    String pid = p.getProperty("pid");
    if (name == null || pid == null) {
      throw new IllegalArgumentException("needs name and pid");
    }
    Group g;
    try {
      g = Group.valueOf(group.strip().toUpperCase());
    } catch (IllegalArgumentException e) {
      g = Group.UNKNOWN; // never attackable
    }
    java.util.Map<String, String> labels = new java.util.TreeMap<>();
    for (String key : ProcessTarget.LABEL_KEYS) {
      String value = p.getProperty(key);
      if (value != null && !value.isBlank()) {
        labels.put(key, value.strip());
      }
    }
    return new ProcessTarget(
        name.strip(),
        g,
        Long.parseLong(pid.strip()),
        p.getProperty("host", "127.0.0.1"),
        Integer.parseInt(p.getProperty("port", "0").strip()),
        p.getProperty("cpus"),
        p.getProperty("proxy.control"), // optional: the network faults need it
        labels,
        p.getProperty("pidfile"));
  }
}
