package io.faultline.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {

  @Test
  void findsAProcessAndItsChildrenAndReportsOnlyThoseLeftAlive() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "sleep 60 & wait").start();
    try {
      Set<Long> tree = Set.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tree.size() < 2 && System.nanoTime() < deadline) {
        tree = ProcessTree.of(shell.pid());
        Thread.sleep(50);
      }
      assertThat(tree).contains(shell.pid()).hasSize(2);
      assertThat(ProcessTree.alive(tree, Duration.ZERO)).containsExactlyInAnyOrderElementsOf(tree);

      // the child first: the shell's wait reaps it and the shell ends on its own
      shell.descendants().forEach(ProcessHandle::destroyForcibly);
      assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ProcessTree.alive(tree, Duration.ofSeconds(10))).isEmpty();
      assertThat(ProcessTree.of(shell.pid())).isEmpty();
    } finally {
      shell.descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly();
    }
  }
}
