package io.faultline.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VictimProcessTest {

  @Test
  void readsTheStoppedStateAndIsKilledOnClose() throws Exception {
    VictimProcess victim = VictimProcess.start();
    try {
      assertThat(victim.state()).isIn('S', 'R');
      new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid())).start().waitFor();
      long deadline = System.currentTimeMillis() + 5000;
      while (victim.state() != 'T' && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(victim.state()).isEqualTo('T');
    } finally {
      victim.close();
    }
    assertThat(victim.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(victim.isAlive()).isFalse();
  }
}
