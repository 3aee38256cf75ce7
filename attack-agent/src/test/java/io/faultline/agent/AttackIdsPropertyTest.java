package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackState;
import io.faultline.schema.InvalidRecordException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Attack ids over random histories of STARTs (naming ids from a small pool, or none; dry runs),
 * ends, and other agents' attack.state records: an id is never given to two attacks, a START naming
 * a live attack's id is refused with {@code attackId: already active} and the id, and a START with
 * a fresh id gets exactly that id.
 */
class AttackIdsPropertyTest {

  sealed interface Step permits Start, End, Recorded, Cleared {}

  /** A START; one whose plan fails is checked but never claims its id. */
  record Start(String requested, boolean dryRun, boolean planFails) implements Step {}

  record End(int index) implements Step {}

  record Recorded(String id) implements Step {}

  record Cleared(String id) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<String> pooled = Arbitraries.of("dup-1", "dup-2", "dup-3", "dup-4");
    Arbitrary<String> requested =
        Arbitraries.frequencyOf(Tuple.of(3, pooled), Tuple.of(1, Arbitraries.just((String) null)));
    Arbitrary<Step> start =
        Combinators.combine(
                requested, Arbitraries.of(false, false, true), Arbitraries.of(false, false, true))
            .as(Start::new);
    Arbitrary<Step> end = Arbitraries.integers().between(0, 5).map(End::new);
    Arbitrary<Step> recorded = pooled.map(Recorded::new);
    Arbitrary<Step> cleared = pooled.map(Cleared::new);
    return Arbitraries.frequencyOf(
            Tuple.of(6, start), Tuple.of(3, end), Tuple.of(1, recorded), Tuple.of(1, cleared))
        .list()
        .ofMaxSize(40);
  }

  @Property(tries = 1000)
  void anIdIsNeverGivenToTwoAttacks(@ForAll("histories") List<Step> history) {
    List<String> active = new ArrayList<>();
    Map<String, AttackState> stateOfOthers = new HashMap<>();
    Set<String> given = new HashSet<>();
    AttackIds ids = new AttackIds(active::contains, stateOfOthers::get);
    for (Step step : history) {
      if (step instanceof Start s) {
        String r = s.requested();
        boolean live = r != null && (active.contains(r) || stateOfOthers.containsKey(r));
        if (live) {
          Statistics.label("start").collect("refused: active");
          assertThatThrownBy(() -> ids.check(r))
              .isInstanceOf(InvalidRecordException.class)
              .hasMessageStartingWith("attackId: already active: '" + r + "'");
          assertThatThrownBy(() -> ids.claim(r, "e1", s.dryRun()))
              .hasMessageStartingWith("attackId: already active: '" + r + "'");
        } else if (r != null && given.contains(r)) {
          Statistics.label("start").collect("refused: used");
          assertThatThrownBy(() -> ids.claim(r, "e1", s.dryRun()))
              .hasMessageStartingWith("attackId: '" + r + "' was an attack of this agent");
        } else if (s.planFails()) {
          Statistics.label("start").collect("plan refused");
          ids.check(r); // passes; the id stays free for the corrected command
        } else {
          ids.check(r);
          String id = ids.claim(r, "e1", s.dryRun());
          Statistics.label("start").collect(s.dryRun() ? "dry run" : "applied");
          if (r != null) {
            assertThat(id).isEqualTo(r);
          }
          assertThat(active).doesNotContain(id);
          assertThat(stateOfOthers).doesNotContainKey(id);
          assertThat(given).doesNotContain(id);
          if (!s.dryRun()) {
            given.add(id);
            active.add(id);
          }
        }
      } else if (step instanceof End e) {
        if (!active.isEmpty()) {
          active.remove(e.index() % active.size());
        }
      } else if (step instanceof Recorded rec) {
        if (!active.contains(rec.id()) && !given.contains(rec.id())) {
          stateOfOthers.put(
              rec.id(),
              AttackState.newBuilder()
                  .setAttackId(rec.id())
                  .setExperimentId("e2")
                  .setCommandId("c")
                  .setFault("pause-process")
                  .setAgentId("agent-2")
                  .setStartedAt(0)
                  .setExpiresAt(1)
                  .build());
        }
      } else if (step instanceof Cleared c) {
        stateOfOthers.remove(c.id());
      }
      assertThat(new HashSet<>(active)).as("live attacks have distinct ids").hasSize(active.size());
    }
    Statistics.label("start").coverage(c -> c.check("refused: active").count(n -> n > 0));
  }
}
