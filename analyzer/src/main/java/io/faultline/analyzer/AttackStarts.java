package io.faultline.analyzer;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each experiment's attacks really started: the global store {@code attack-starts}, fed by the
 * STARTED events of {@code attack.events} (the agent's clock when the fault was applied) that the
 * topology copies to {@code attack.starts} (a topic feeds only one source of a topology), read by
 * {@link VerdictProcessor} to anchor the detector at the first of them (docs/adr/0042).
 *
 * <p>Per experiment the first {@link #MAX_ATTACKS} attacks are kept, each with its earliest STARTED
 * (a retried command starts again). Every other event type stays out (the result processor reads
 * them all); a bad record of {@code attack.events} goes to the dlq there and never reaches {@code
 * attack.starts}. An experiment whose latest start is older than the topic's retention is removed,
 * so the store holds what the topic holds.
 */
final class AttackStarts {

  static final String STORE = "attack-starts";

  /** Attacks kept per experiment; only the first start anchors, the rest are for reading. */
  static final int MAX_ATTACKS = 8;

  /** Records between two sweeps of experiments past the retention. */
  static final int SWEEP_EVERY = 1024;

  private KeyValueStore<String, Starts> store;

  /** One experiment's attacks and when each started (epoch ms, agent clock). */
  public static final class Starts {
    public List<String> attacks = new ArrayList<>();
    public List<Long> startedAt = new ArrayList<>();

    /** The earliest start, 0 = none. */
    long first() {
      long first = 0;
      for (long at : startedAt) {
        if (at > 0 && (first == 0 || at < first)) {
          first = at;
        }
      }
      return first;
    }

    long latest() {
      long latest = 0;
      for (long at : startedAt) {
        latest = Math.max(latest, at);
      }
      return latest;
    }

    /** Adds one STARTED; true when the record changed. */
    boolean add(String attack, long at) {
      int i = attacks.indexOf(attack);
      if (i >= 0) {
        if (at < startedAt.get(i)) {
          startedAt.set(i, at);
          return true;
        }
        return false;
      }
      if (attacks.size() >= MAX_ATTACKS) {
        return false;
      }
      attacks.add(attack);
      startedAt.add(at);
      return true;
    }
  }

  /** A STARTED event with a time and an experiment: what the store keeps. */
  static boolean isStart(AttackEvent e) {
    return e != null
        && e.getType() == AttackEventType.STARTED
        && e.getTimestamp() > 0
        && e.getExperimentId() != null
        && !e.getExperimentId().isEmpty();
  }

  void init(ProcessorContext<?, ?> context) {
    try {
      store = context.getStateStore(STORE);
    } catch (RuntimeException e) {
      store = null; // a topology without the store: no starts known
    }
  }

  /** The experiment's first STARTED (epoch ms), 0 when none is known. */
  long first(String experimentId) {
    if (store == null) {
      return 0;
    }
    Starts starts = store.get(experimentId);
    return starts == null ? 0 : starts.first();
  }

  /** The global store's processor: keeps the STARTED events, drops the rest. */
  static final class Recorder implements Processor<String, byte[], Void, Void> {
    private final AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
    private final long retentionMs;
    private KeyValueStore<String, Starts> store;
    private int sinceSweep;

    Recorder(long retentionMs) {
      this.retentionMs = retentionMs;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (++sinceSweep >= SWEEP_EVERY) {
        sinceSweep = 0;
        sweep(record.timestamp());
      }
      AttackEvent event;
      try {
        event = record.value() == null ? null : serde.decode(record.value());
      } catch (RuntimeException e) {
        return; // not written by this topology: nothing to learn from it
      }
      if (event == null
          || event.getType() != AttackEventType.STARTED
          || event.getTimestamp() <= 0) {
        return;
      }
      String experiment = event.getExperimentId();
      if (experiment == null || experiment.isEmpty()) {
        return;
      }
      String attack =
          event.getAttackId() != null
              ? event.getAttackId()
              : event.getCommandId() != null ? event.getCommandId() : event.getEventId();
      Starts starts = store.get(experiment);
      if (starts == null) {
        starts = new Starts();
      }
      if (starts.add(attack, event.getTimestamp())) {
        store.put(experiment, starts);
      }
    }

    /** Removes the experiments whose latest start is older than the topic's retention. */
    private void sweep(long now) {
      if (retentionMs <= 0 || now <= 0) {
        return;
      }
      List<String> expired = new ArrayList<>();
      try (KeyValueIterator<String, Starts> all = store.all()) {
        while (all.hasNext()) {
          KeyValue<String, Starts> kv = all.next();
          if (kv.value == null || kv.value.latest() < now - retentionMs) {
            expired.add(kv.key);
          }
        }
      }
      expired.forEach(store::delete);
    }
  }
}
