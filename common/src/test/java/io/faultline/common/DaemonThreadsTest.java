package io.faultline.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
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
}
