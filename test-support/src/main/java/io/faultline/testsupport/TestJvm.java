package io.faultline.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM on the test's own java and class path, for what a test must run as a real process (an
 * agent it kills, a broker it restarts, a proxy): the caller adds environment and redirects.
 */
public final class TestJvm {

  private TestJvm() {}

  /** {@code java -cp <the test's class path> main args...}, not started. */
  public static ProcessBuilder command(Class<?> main, String... args) {
    return command(List.of(), main, args);
  }

  /** The same with JVM options first, e.g. {@code -Xmx512m}. */
  public static ProcessBuilder command(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }
}
