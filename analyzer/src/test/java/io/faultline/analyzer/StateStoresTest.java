package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code analyzer.state.stores} (docs/adr/0063): which stores move to the heap, and that they keep
 * their changelogs, so a restart restores from the same topics either way.
 */
class StateStoresTest {

  private static final long T0 = 1_700_000_000_000L; // a multiple of 5 s

  /** The stores every sample or window touches, unsharded and with 8 shards. */
  private static final List<String> HOT =
      List.of(OpenWindows.STORE, VerdictProcessor.STORE, ResultProcessor.STORE);

  private static final List<String> HOT_SHARDED =
      List.of("window-summaries", ShardMerge.STORE, VerdictProcessor.STORE, ResultProcessor.STORE);

  @Test
  void memoryPutsTheHotStoresOnTheHeapAndLeavesTheHistoryInRocksDb() throws Exception {
    for (StateStores stores : StateStores.values()) {
      for (int shards : new int[] {1, 8}) {
        try (TopologyDriver analyzer = start(stores, shards)) {
          for (String name : shards == 1 ? HOT : HOT_SHARDED) {
            assertThat(analyzer.driver.getAllStateStores().get(name).persistent())
                .as(name + " with " + stores + ", " + shards + " shards")
                .isEqualTo(stores == StateStores.ROCKSDB);
          }
          for (String history :
              List.of(HistoryRollup.WEEKS_STORE, HistoryRollup.RESULT_FIGURES_STORE)) {
            assertThat(analyzer.driver.getAllStateStores().get(history).persistent())
                .as("the history's store " + history + ", touched once per result")
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void bothKindsWriteTheSameChangelogs() throws Exception {
    for (int shards : new int[] {1, 8}) {
      Set<String> rocksdb = changelogsWritten(StateStores.ROCKSDB, shards);
      Set<String> memory = changelogsWritten(StateStores.MEMORY, shards);
      assertThat(rocksdb)
          .as("changelogs with " + shards + " shards")
          .contains(
              "analyzer-test-"
                  + (shards == 1 ? OpenWindows.STORE : ShardMerge.STORE)
                  + "-changelog",
              "analyzer-test-" + VerdictProcessor.STORE + "-changelog");
      assertThat(memory).isEqualTo(rocksdb);
    }
  }

  /** The changelog topics the topology writes for one window of samples and its close. */
  private static Set<String> changelogsWritten(StateStores stores, int shards) throws Exception {
    try (TopologyDriver analyzer = start(stores, shards)) {
      var metrics = analyzer.input(analyzer.topics.metrics());
      for (int w = 0; w < 3; w++) {
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          var s = VerdictGoldenTest.sample("exp", "http.latency.ms", g, "t-1", T0 + w * 5_000L, 20);
          metrics.pipeInput(MetricShards.key(s, shards), s, s.getTimestamp());
        }
      }
      return analyzer.driver.producedTopicNames().stream()
          .filter(t -> t.endsWith("-changelog"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static TopologyDriver start(StateStores stores, int shards) throws Exception {
    return TopologyDriver.start(
        new Topics("s.", 1),
        Map.of(
            StateStores.KEY,
            stores.configName(),
            MetricShards.KEY,
            Integer.toString(shards),
            "analyzer.application.id",
            "analyzer-test"));
  }
}
