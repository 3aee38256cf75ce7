package io.faultline.agent;

import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local process targets, read from {@code <dir>/<name>.properties} (name, group, pid, host, port,
 * optional cpus, proxy.control, zone, role, pidfile) each time a command is selected, since pids
 * change when a process restarts.
 */
public final class LocalTargets {

  private static final Logger log = LoggerFactory.getLogger(LocalTargets.class);

  private final Path dir;

  public LocalTargets(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public List<ProcessTarget> read() {
    List<ProcessTarget> targets = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return targets;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
      for (Path file : files) {
        try {
          targets.add(parse(file));
        } catch (RuntimeException | IOException e) {
          log.warn("ignoring target file {}: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new InvalidRecordException("target", "cannot read targets directory " + dir + ": " + e);
    }
    targets.sort(Comparator.comparing(ProcessTarget::name));
    return targets;
  }

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
