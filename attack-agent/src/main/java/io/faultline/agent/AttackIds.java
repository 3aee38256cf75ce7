package io.faultline.agent;

import io.faultline.schema.AttackState;
import io.faultline.schema.CommandBounds;
import io.faultline.schema.InvalidRecordException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The attack ids an agent gives out. A START may name its own attackId, but only one that no attack
 * holds, on this agent or in attack.state, and that this agent has not given out before (the last
 * {@link #REMEMBERED}): one id is one attack, so two commands never share an attack.state record,
 * and a late tombstone of an ended attack can never delete a newer one's record.
 */
final class AttackIds {

  static final int REMEMBERED = 10_000;

  private final Predicate<String> activeHere;
  private final Function<String, AttackState> recorded;
  private final Set<String> given =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

  /**
   * @param activeHere whether this agent holds an active attack of that id
   * @param recorded the live attack.state record of that id, or null
   */
  AttackIds(Predicate<String> activeHere, Function<String, AttackState> recorded) {
    this.activeHere = activeHere;
    this.recorded = recorded;
  }

  /**
   * The id for a START: the one it names, checked, or a new one. A dry run is checked but takes
   * nothing, so the real START after it may use the same id.
   */
  synchronized String claim(String requested, String experimentId, boolean dryRun) {
    if (requested == null) {
      String id = experimentId + "-" + UUID.randomUUID();
      if (!dryRun) {
        given.add(id);
      }
      return id;
    }
    check(requested);
    if (!dryRun) {
      given.add(requested);
    }
    return requested;
  }

  /**
   * Throws when a START may not name {@code requested} (null: no id named, always fine); takes
   * nothing, so a START refused for another reason afterwards may be sent again with its id.
   */
  synchronized void check(String requested) {
    if (requested == null) {
      return;
    }
    String quoted = "'" + CommandBounds.quote(requested) + "'";
    if (activeHere.test(requested)) {
      throw new InvalidRecordException(
          "attackId",
          "already active: " + quoted + " on this agent; leave attackId out or name a new one");
    }
    // before attack.state, which may still show this agent's ended attack for a moment
    if (given.contains(requested)) {
      throw new InvalidRecordException(
          "attackId",
          quoted + " was an attack of this agent that has ended; an attack id is used once");
    }
    AttackState state = recorded.apply(requested);
    if (state != null) {
      throw new InvalidRecordException(
          "attackId",
          "already active: "
              + quoted
              + " is recorded in attack.state ("
              + state.getFault()
              + " by agent "
              + state.getAgentId()
              + "); leave attackId out or name a new one");
    }
  }
}
