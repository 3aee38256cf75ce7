package io.faultline.common;

import static org.assertj.core.api.Assertions.assertThat;

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
}
