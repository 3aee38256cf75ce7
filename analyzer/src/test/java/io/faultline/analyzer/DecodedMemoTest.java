package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.ServiceHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodedMemoTest {

  private final AvroSerde<ServiceHistory> avro = AvroSerde.of(ServiceHistory.class);

  @Test
  void bytesJustWrittenReadBackAsTheValueWrittenWithoutDecoding() {
    DecodedMemo<ServiceHistory> memo = new DecodedMemo<>(avro, 4);
    ServiceHistory h = history("checkout", 5_000, new Random(1));
    byte[] bytes = memo.serialize("t", h);
    assertThat(bytes).isEqualTo(avro.serialize("t", h));
    // a copy, as the store hands the bytes back: equal content, another array
    assertThat(memo.deserialize("t", bytes.clone())).isSameAs(h);
  }

  @Test
  void otherBytesAreDecodedAsTheInnerSerdeDecodesThem() {
    DecodedMemo<ServiceHistory> memo = new DecodedMemo<>(avro, 4);
    Random random = new Random(2);
    ServiceHistory written = history("checkout", 100, random);
    memo.serialize("t", written);
    ServiceHistory other = history("checkout", 100, random); // same size, other values
    byte[] otherBytes = avro.serialize("t", other);
    ServiceHistory read = memo.deserialize("t", otherBytes);
    assertThat(read).isNotSameAs(written).isNotSameAs(other).isEqualTo(other);
    assertThat(memo.deserialize("t", null)).isNull();
  }

  @Test
  void keepsOnlyTheLatestAndStillReadsTheOlderRight() {
    DecodedMemo<ServiceHistory> memo = new DecodedMemo<>(avro, 2);
    Random random = new Random(3);
    List<ServiceHistory> written = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ServiceHistory h = history("s" + i, 50, random);
      written.add(h);
      bytes.add(memo.serialize("t", h));
    }
    assertThat(memo.deserialize("t", bytes.get(4))).isSameAs(written.get(4));
    assertThat(memo.deserialize("t", bytes.get(3))).isSameAs(written.get(3));
    ServiceHistory first = memo.deserialize("t", bytes.get(0));
    assertThat(first).isNotSameAs(written.get(0)).isEqualTo(written.get(0));
  }

  @Test
  void rejectsAnEmptyMemo() {
    assertThatThrownBy(() -> new DecodedMemo<>(avro, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DecodedMemo capacity 0: must be at least 1");
  }

  private static ServiceHistory history(String service, int attacks, Random random) {
    List<Long> mttd = new ArrayList<>();
    for (int i = 0; i < attacks; i++) {
      mttd.add(1_000L + random.nextInt(30_000));
    }
    mttd.sort(null);
    return ServiceHistory.newBuilder()
        .setService(service)
        .setWeek(HistoryRollup.ALL_TIME)
        .setExperiments(attacks)
        .setMttdMs(mttd)
        .setMttd(HistoryRollup.figures(mttd))
        .build();
  }
}
