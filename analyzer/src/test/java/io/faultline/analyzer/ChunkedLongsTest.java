package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.ServiceHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkedLongsTest {

  @Test
  void insertsAndRemovalsAtTheSortedPlaceKeepTheListTheSumAndEachIndexExact() {
    Random random = new Random(58);
    List<Long> reference = new ArrayList<>();
    ChunkedLongs list = ChunkedLongs.of(List.of());
    for (int step = 0; step < 20_000; step++) {
      // mostly inserts, so the list grows past several chunk splits; values repeat
      if (reference.isEmpty() || random.nextInt(10) < 7) {
        long v = random.nextInt(3_000);
        list = list.withSorted(v);
        int at = Collections.binarySearch(reference, v);
        reference.add(at < 0 ? -at - 1 : at, v);
      } else {
        long v = random.nextInt(3_000);
        ChunkedLongs next = list.withoutSorted(v);
        if (reference.remove(Long.valueOf(v))) {
          assertThat(next.size()).isEqualTo(list.size() - 1);
        } else {
          assertThat(next).isSameAs(list);
        }
        list = next;
      }
    }
    assertThat(reference.size()).isGreaterThan(4 * ChunkedLongs.MAX_CHUNK);
    assertThat(list).isEqualTo(reference);
    List<Long> walked = new ArrayList<>();
    for (Long v : list) { // the iterator walks the chunks: every value once, in order
      walked.add(v);
    }
    assertThat(walked).isEqualTo(reference);
    assertThat(list.sum()).isEqualTo(reference.stream().mapToLong(Long::longValue).sum());
    for (int i = 0; i < reference.size(); i += 97) {
      assertThat(list.get(i)).isEqualTo(reference.get(i));
    }
  }

  @Test
  void anInsertCopiesOneChunkAndSharesTheOthers() {
    List<Long> values = new ArrayList<>();
    for (long i = 0; i < 10 * ChunkedLongs.CHUNK; i++) {
      values.add(2 * i);
    }
    ChunkedLongs list = ChunkedLongs.of(values);

    ChunkedLongs next = list.withSorted(2 * 5 * ChunkedLongs.CHUNK + 1);

    assertThat(list.sharedChunks(next)).isEqualTo(9);
    assertThat(ChunkedLongs.of(next)).isSameAs(next);
    assertThat(list).isEqualTo(values); // the list it came from is unchanged
  }

  @Test
  void theStoresBlocksAreReadByAvrosOwnReaderAsTheSameRecord() {
    List<Long> mttd = new ArrayList<>();
    for (long i = 0; i < 5_000; i++) {
      mttd.add(i * 37);
    }
    ServiceHistory h =
        ServiceHistory.newBuilder()
            .setService("checkout")
            .setWeek("all")
            .setExperiments(5_000)
            .setMttdMs(ChunkedLongs.of(mttd))
            .setMttrMs(ChunkedLongs.of(List.of(3L)))
            .setIncidentStartsMs(new ArrayList<>(List.of(1L, 2L))) // not chunked: Avro's own
            .setMttd(HistoryRollup.figures(mttd))
            .build();
    AvroSerde<ServiceHistory> plain = AvroSerde.of(ServiceHistory.class);

    byte[] stored = HistoryRollup.storeSerde().serialize("history-all-time", h);

    // an earlier version's reader (a rollback), and the topic's serde, read the same record
    ServiceHistory read = plain.decode(stored);
    assertThat(read).isEqualTo(h);
    assertThat(read.getMttdMs()).isEqualTo(mttd);
    assertThat(plain.encode(read)).isEqualTo(plain.encode(h));
    // several blocks, so not the one-block bytes: only the decoded record is the same
    assertThat(stored).isNotEqualTo(plain.encode(h));
  }
}
