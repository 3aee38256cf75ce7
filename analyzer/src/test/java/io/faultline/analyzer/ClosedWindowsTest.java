package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClosedWindowsTest {

  @Test
  void windowKeysSortByStartThenMetricAndBelowTheKeptStreamTime() {
    String early = ClosedWindows.key(5_000, "exp|z");
    String late = ClosedWindows.key(0x1_0000, "exp|a");
    assertThat(early).isEqualTo("0000000000001388|exp|z");
    assertThat(early).isLessThan(late);
    assertThat(late).isLessThan("~stream-time");
  }

  @Test
  void aWindowClosesWhenItsEndPlusGraceIsAtMostStreamTime() {
    ClosedWindows windows = new ClosedWindows(5_000, 1_000);
    assertThat(windows.startOf(7_499)).isEqualTo(5_000);
    assertThat(windows.isClosed(5_000, 10_999)).isFalse();
    assertThat(windows.isClosed(5_000, 11_000)).isTrue();
    assertThat(windows.advance(10_999)).as("only the window at 0 closes").isTrue();
    assertThat(windows.advance(10_500)).as("nothing new").isFalse();
    assertThat(windows.advance(11_000)).as("the window at 5,000 closes").isTrue();
    windows.reset();
    assertThat(windows.advance(11_000)).as("after a reset the same time closes again").isTrue();
  }
}
