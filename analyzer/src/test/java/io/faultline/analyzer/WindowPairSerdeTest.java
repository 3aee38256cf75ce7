package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowPairSerdeTest {

  private final WindowPair.WindowPairSerde serde = new WindowPair.WindowPairSerde();

  /** The v2 layout as written before docs/adr/0083: each part its own array, then one buffer. */
  private static byte[] byParts(WindowPair pair) {
    byte[] c = pair.controlQuantiles().encode();
    byte[] e = pair.experimentalQuantiles().encode();
    ByteBuffer b = ByteBuffer.allocate(1 + 2 * 48 + 8 + c.length + e.length);
    b.put((byte) 2);
    for (Summary s : new Summary[] {pair.control(), pair.experimental()}) {
      b.putLong(s.count()).putDouble(s.mean()).putDouble(s.m2());
      b.putDouble(s.min()).putDouble(s.max()).putDouble(s.sum());
    }
    b.putInt(c.length).put(c).putInt(e.length).put(e);
    return b.array();
  }

  private static WindowPair randomPair(Random r) {
    Summary control = new Summary();
    Summary experimental = new Summary();
    Quantiles cq = new Quantiles();
    Quantiles eq = new Quantiles();
    int kind = r.nextInt(5);
    int n = kind == 0 ? 0 : 1 + r.nextInt(kind == 4 ? 5_000 : 60);
    for (int i = 0; i < n; i++) {
      // kind 4 spans far more than 2,048 bins, so the lowest collapse; kind 3 has zeros and
      // negatives
      double v;
      if (kind == 4) {
        v = Math.exp(r.nextDouble() * 200 - 100);
      } else if (kind == 3 && r.nextInt(4) == 0) {
        v = r.nextBoolean() ? 0.0 : -r.nextDouble();
      } else {
        v = 1 + 200 * r.nextDouble();
      }
      if (r.nextBoolean()) {
        control.add(v);
        cq.add(v);
      } else if (kind != 2) { // kind 2: the experimental group empty
        experimental.add(v);
        eq.add(v);
      }
    }
    return new WindowPair(control, experimental, cq, eq);
  }

  @Test
  void writesTheBytesOfTheLayoutByPartsAndReadsThemBack() {
    Random r = new Random(83);
    for (int i = 0; i < 2_000; i++) {
      WindowPair pair = randomPair(r);
      byte[] bytes = serde.serialize("t", pair);
      assertThat(bytes).as("pair %d", i).isEqualTo(byParts(pair));

      WindowPair back = serde.deserialize("t", bytes);
      assertThat(serde.serialize("t", back)).as("pair %d read back", i).isEqualTo(bytes);
      assertThat(back.control().count()).isEqualTo(pair.control().count());
      assertThat(back.experimental().sum()).isEqualTo(pair.experimental().sum());
      for (double q : new double[] {0.0, 0.5, 0.99, 1.0}) {
        // bit for bit; an empty group's quantile is NaN on both sides
        assertThat(Double.doubleToLongBits(back.controlQuantiles().quantile(q)))
            .isEqualTo(Double.doubleToLongBits(pair.controlQuantiles().quantile(q)));
        assertThat(Double.doubleToLongBits(back.experimentalQuantiles().quantile(q)))
            .isEqualTo(Double.doubleToLongBits(pair.experimentalQuantiles().quantile(q)));
      }
    }
  }

  @Test
  void readsAWindowWrittenByPartsAsBefore() {
    WindowPair pair = new WindowPair();
    for (int i = 1; i <= 50; i++) {
      pair.control().add(i);
      pair.controlQuantiles().add(i);
    }
    WindowPair back = serde.deserialize("t", byParts(pair));
    assertThat(back.control().count()).isEqualTo(50);
    assertThat(back.control().mean()).isEqualTo(25.5);
    assertThat(back.controlQuantiles().quantile(0.99))
        .isEqualTo(pair.controlQuantiles().quantile(0.99));
  }
}
