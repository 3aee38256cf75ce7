package io.faultline.common;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where a command such as {@code taskset} or {@code haproxy} is installed, as a shell finds it. */
public final class Executables {

  private Executables() {}

  /** Whether {@code command} is an executable file in a directory of {@code PATH}. */
  public static boolean onPath(String command) {
    return find(command, pathDirectories()).isPresent();
  }

  /** The directories of {@code PATH}, in order (empty when it is not set). */
  public static List<String> pathDirectories() {
    String path = System.getenv("PATH");
    return path == null ? List.of() : List.of(path.split(File.pathSeparator));
  }

  /** The first executable file named {@code command} in {@code dirs}, searched in order. */
  public static Optional<Path> find(String command, List<String> dirs) {
    for (String dir : dirs) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
