package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Safety invariants 1 and 5 over random selectors, group labels and blast-radius settings: a plan
 * either is refused with an {@link InvalidRecordException} (naming a field) or touches only
 * EXPERIMENTAL targets, never more than the configured share (and never zero), whatever the command
 * asks for.
 */
class ControlGroupPropertyTest {

  private static final long ALIVE = ProcessHandle.current().pid();

  record Fleet(List<ProcessTarget> targets) {}

  @Provide
  Arbitrary<Fleet> fleets() {
    Arbitrary<Group> groups = Arbitraries.of(Group.CONTROL, Group.EXPERIMENTAL, Group.UNKNOWN);
    return groups
        .list()
        .ofMinSize(1)
        .ofMaxSize(30)
        .map(
            gs -> {
              List<ProcessTarget> targets = new ArrayList<>();
              for (int i = 0; i < gs.size(); i++) {
                targets.add(new ProcessTarget("t" + i, gs.get(i), ALIVE, "127.0.0.1", 0, null));
              }
              return new Fleet(targets);
            });
  }

  @Provide
  Arbitrary<TargetSelector> selectors() {
    // mostly plausible selectors, so that many plans are made; hostile ones mixed in
    Arbitrary<Group> group =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.just(Group.EXPERIMENTAL)),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(Group.CONTROL)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(Group.UNKNOWN)));
    Arbitrary<List<String>> names =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.just(List.<String>of())),
            net.jqwik.api.Tuple.of(
                3, Arbitraries.integers().between(0, 35).map(i -> "t" + i).list().ofMaxSize(4)),
            net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(8).list().ofMaxSize(2)));
    Arbitrary<String> mode =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(2, Arbitraries.of("one", "all")),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("", "everything", "fixed:0", "percent:101")),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.integers().between(-3, 40).map(n -> "fixed:" + n)),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.integers().between(-10, 120).map(p -> "percent:" + p)),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.integers().between(-10, 120).map(p -> "random-max-percent:" + p)));
    Arbitrary<String> kind =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.just("process")),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("pod", "zone", "")));
    return Combinators.combine(group, names, mode, kind)
        .as(
            (g, n, m, k) ->
                TargetSelector.newBuilder().setGroup(g).setNames(n).setMode(m).setKind(k).build());
  }

  @Property(tries = 2000)
  void controlAndUngroupedTargetsAreNeverChosenAndTheShareHolds(
      @ForAll("fleets") Fleet fleet,
      @ForAll("selectors") TargetSelector selector,
      @ForAll @IntRange(min = 1, max = 100) int maxBlastRadiusPercent,
      @ForAll long seed) {
    // the generators must reach real plans, not only refusals
    Statistics.label("outcome").coverage(c -> c.check("planned").percentage(p -> p > 5));
    AttackCommand command =
        AttackCommand.newBuilder()
            .setCommandId("c")
            .setExperimentId("e")
            .setType(CommandType.START)
            .setFault("pause-process")
            .setTarget(selector)
            .setDurationMs(10_000L)
            .build();
    FaultCatalog catalog = FaultCatalog.local(AttackAgent.localExecutors(), fleet::targets);
    AttackPlan plan;
    try {
      plan =
          AttackPlan.of(
              command, catalog, Duration.ofMinutes(15), maxBlastRadiusPercent, new Random(seed));
    } catch (InvalidRecordException e) {
      Statistics.label("outcome").collect("refused");
      assertThat(e.getMessage()).as("a refusal names the field").matches("^[a-z][\\w.\\[\\]]*: .+");
      return;
    }
    Statistics.label("outcome").collect("planned");
    long experimental =
        fleet.targets().stream().filter(t -> t.group() == Group.EXPERIMENTAL).count();
    assertThat(plan.targets()).isNotEmpty();
    assertThat(plan.targets()).allMatch(t -> t.group() == Group.EXPERIMENTAL);
    assertThat(selector.getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat((long) plan.targets().size())
        .isLessThanOrEqualTo(
            Math.max(1, (long) Math.floor(experimental * maxBlastRadiusPercent / 100.0)));
    assertThat(plan.targets()).doesNotHaveDuplicates();
  }
}
