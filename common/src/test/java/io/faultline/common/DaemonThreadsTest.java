package io.faultline.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

  @Test
  void threadsAreDaemonsWithTheGivenName() {
    Runnable task = () -> {};
    Thread t = DaemonThreads.named("journal-compactor").newThread(task);
    assertThat(t.isDaemon()).isTrue();
    assertThat(t.getName()).isEqualTo("journal-compactor");
    assertThat(t.getState()).isEqualTo(Thread.State.NEW);
  }

  @Test
  void numberedThreadsCountFromOneInTheOrderMadeEachFactoryOnItsOwn() {
    Runnable task = () -> {};
    ThreadFactory recovery = DaemonThreads.numbered("recovery");
    ThreadFactory other = DaemonThreads.numbered("recovery");
    assertThat(recovery.newThread(task).getName()).isEqualTo("recovery-1");
    Thread second = recovery.newThread(task);
    assertThat(second.getName()).isEqualTo("recovery-2");
    assertThat(second.isDaemon()).isTrue();
    assertThat(other.newThread(task).getName()).isEqualTo("recovery-1");
  }

  /**
   * The one factory: no main code of another module makes its own daemon threads (the build runs
   * this in common/, so the repository is its parent). Test code may.
   */
  @Test
  void noOtherMainCodeMakesItsOwnDaemonThreads() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<String> copies;
    try (Stream<Path> files = Files.walk(root)) {
      copies =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> root.relativize(f).toString().contains("/src/main/java/"))
              .filter(f -> !f.getFileName().toString().equals("DaemonThreads.java"))
              .filter(f -> read(f).contains("setDaemon(true)"))
              .map(f -> root.relativize(f).toString())
              .toList();
    }
    assertThat(copies).as("main code with its own daemon-thread factory").isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
