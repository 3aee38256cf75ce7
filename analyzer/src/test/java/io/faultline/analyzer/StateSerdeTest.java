package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The binary state serde (docs/adr/0044). Every public field of the stored classes is filled by
 * reflection with a value that differs from its initial one, so a field added to {@code
 * WindowJudge.Monitor}, {@code EDetector.State}, {@code ExperimentTimeline} or the classes they
 * hold and not written by {@link StateSerde} fails {@link
 * #everyFieldOfAMonitorSurvivesTheRoundTrip} or {@link #everyFieldOfATimelineSurvivesTheRoundTrip},
 * naming it.
 */
class StateSerdeTest {

  @Test
  void everyFieldOfAMonitorSurvivesTheRoundTrip() {
    WindowJudge.Monitor m = filled(WindowJudge.Monitor.class);
    StateSerde<WindowJudge.Monitor> serde = StateSerde.monitors();
    byte[] bytes = serde.serialize("t", m);
    assertThat(bytes[0]).isEqualTo(StateSerde.FORMAT).isNotEqualTo((byte) '{');
    assertSame("Monitor", m, serde.deserialize("t", bytes));
  }

  @Test
  void theSparseScaleSwitchAloneSurvivesTheRoundTripWithTheSwitchesBeforeItOff() {
    // docs/adr/0118's switch is written after 0110's and 0113's slots, which it writes off
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.denseScaleFree = false; // on by default since docs/adr/0114
    m.sparseScaleFree = true;
    StateSerde<WindowJudge.Monitor> serde = StateSerde.monitors();
    WindowJudge.Monitor back = serde.deserialize("t", serde.serialize("t", m));
    assertThat(back.sparseScaleFree).isTrue();
    assertThat(back.denseScaleFree).isFalse();
    assertThat(back.denseCalmMargin).isFalse();
    // with 0114's default on beside it
    m.denseScaleFree = true;
    back = serde.deserialize("t", serde.serialize("t", m));
    assertThat(back.sparseScaleFree).isTrue();
    assertThat(back.denseScaleFree).isTrue();
    assertThat(
            serde.deserialize("t", serde.serialize("t", new WindowJudge.Monitor())).sparseScaleFree)
        .isFalse();
  }

  @Test
  void everyFieldOfATimelineSurvivesTheRoundTrip() {
    ExperimentTimeline t = filled(ExperimentTimeline.class);
    StateSerde<ExperimentTimeline> serde = StateSerde.timelines();
    byte[] bytes = serde.serialize("t", t);
    assertThat(bytes[0]).isEqualTo(StateSerde.FORMAT);
    assertSame("ExperimentTimeline", t, serde.deserialize("t", bytes));
  }

  /** An upgrade: what the versions before wrote as JSON is read with every field. */
  @Test
  void readsTheJsonTheVersionsBeforeWrote() {
    WindowJudge.Monitor m = filled(WindowJudge.Monitor.class);
    byte[] json = new JsonSerde<>(WindowJudge.Monitor.class).serialize("t", m);
    assertThat(json[0]).isEqualTo((byte) '{');
    assertSame("Monitor", m, StateSerde.monitors().deserialize("t", json));

    ExperimentTimeline t = filled(ExperimentTimeline.class);
    byte[] timeline = new JsonSerde<>(ExperimentTimeline.class).serialize("t", t);
    assertSame("ExperimentTimeline", t, StateSerde.timelines().deserialize("t", timeline));
  }

  /** Judging goes on the same whether the monitor was stored as JSON, binary, or not at all. */
  @Test
  void aMonitorReadBackJudgesTheNextWindowsAsTheOneInMemory() {
    Random random = new Random(44);
    Hypothesis h = Hypothesis.defaultFor("http.latency.ms");
    WindowJudge.Monitor memory = new WindowJudge.Monitor();
    memory.warmupWindows = 4;
    WindowJudge.Monitor binary = StateSerde.monitors().deserialize("t", bytes(memory));
    WindowJudge.Monitor json = StateSerde.monitors().deserialize("t", bytes(memory));
    JsonSerde<WindowJudge.Monitor> old = new JsonSerde<>(WindowJudge.Monitor.class);
    List<String> deviating = new ArrayList<>();
    for (int w = 0; w < 40; w++) {
      double shift = w >= 20 ? 1.6 : 1.0;
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < 10; i++) {
        c.add(20 * Math.exp(0.1 * random.nextGaussian()));
        e.add(20 * shift * Math.exp(0.1 * random.nextGaussian()));
      }
      long end = (w + 1) * 5_000L;
      WindowJudge.Judged expected = WindowJudge.judge(memory, c, e, 25, 26, h, end - 5_000, end);
      WindowJudge.Judged fromBinary = WindowJudge.judge(binary, c, e, 25, 26, h, end - 5_000, end);
      WindowJudge.Judged fromJson = WindowJudge.judge(json, c, e, 25, 26, h, end - 5_000, end);
      assertThat(fromBinary).as("window %d, binary", w).isEqualTo(expected);
      assertThat(fromJson).as("window %d, JSON then binary", w).isEqualTo(expected);
      binary = StateSerde.monitors().deserialize("t", bytes(binary));
      // an upgrade in the middle: JSON written by the old serde, read and rewritten by the new
      json =
          StateSerde.monitors()
              .deserialize(
                  "t", bytes(StateSerde.monitors().deserialize("t", old.serialize("t", json))));
      if (expected.state() == io.faultline.schema.SteadyState.DEVIATING) {
        deviating.add("w" + w);
      }
    }
    assertThat(deviating)
        .as("the shift is found, so the detector's state was exercised")
        .isNotEmpty();
    assertSame("Monitor", memory, binary);
  }

  /** A rollback: an older analyzer skips the fields a newer one appended to a block. */
  @Test
  void fieldsAppendedByANewerVersionAreSkipped() {
    FailureCounters.State s = filled(FailureCounters.State.class);
    StateWriter w = new StateWriter();
    w.bool(true);
    int mark = w.begin();
    w.nullableDouble(s.baseControl);
    w.nullableDouble(s.baseExperimental);
    w.nullableDouble(s.lastControl);
    w.nullableDouble(s.lastExperimental);
    w.dbl(s.excessMax);
    w.dbl(123.0); // a field this version does not know
    w.string("and another");
    w.end(mark);
    w.varInt(7); // what follows the block
    StateReader in = new StateReader(w.toBytes(), 0);
    assertSame("FailureCounters.State", s, StateSerde.readCounter(in));
    assertThat(in.varInt()).isEqualTo(7);
    assertThat(in.atEnd()).isTrue();
  }

  @Test
  void aTruncatedOrForeignValueIsRefusedNamingTheType() {
    byte[] bytes = bytes(filled(WindowJudge.Monitor.class));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    assertThatThrownBy(() -> StateSerde.monitors().deserialize("t", cut))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Monitor");
    assertThatThrownBy(() -> StateSerde.timelines().deserialize("t", new byte[] {7, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ExperimentTimeline")
        .hasMessageContaining("0x07");
    assertThat(StateSerde.monitors().deserialize("t", null)).isNull();
  }

  @Test
  void theBinaryFormIsSmallerThanTheJson() {
    WindowJudge.Monitor m = filled(WindowJudge.Monitor.class);
    assertThat(bytes(m).length)
        .isLessThan(new JsonSerde<>(WindowJudge.Monitor.class).serialize("t", m).length);
  }

  private static byte[] bytes(WindowJudge.Monitor m) {
    return StateSerde.monitors().serialize("t", m);
  }

  // ---- filling every field by reflection ------------------------------------------------------

  private static int seed = 1;

  /** A new {@code type} with every public field set to a value unlike its initial one. */
  static <T> T filled(Class<T> type) {
    try {
      T value = type.getDeclaredConstructor().newInstance();
      T fresh = type.getDeclaredConstructor().newInstance();
      for (Field f : fields(type)) {
        Object v =
            sample(f.getGenericType(), f.get(fresh), type.getSimpleName() + "." + f.getName());
        f.set(value, v);
        if (same(v, f.get(fresh))) {
          fail(type.getSimpleName() + "." + f.getName() + ": the test filled it with its default");
        }
      }
      return value;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(type + ": " + e, e);
    }
  }

  private static List<Field> fields(Class<?> type) {
    List<Field> out = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      int mod = f.getModifiers();
      if (Modifier.isStatic(mod) || f.isSynthetic()) {
        continue;
      }
      if (!Modifier.isPublic(mod)) {
        fail(
            type.getSimpleName()
                + "."
                + f.getName()
                + " is not public: the state serdes and"
                + " this test expect public fields");
      }
      out.add(f);
    }
    return out;
  }

  private static Object sample(Type type, Object initial, String where) {
    int n = ++seed;
    Class<?> raw = raw(type);
    if (raw == int.class || raw == Integer.class) {
      return initial != null && ((Integer) initial) == n ? n + 1 : n;
    }
    if (raw == long.class || raw == Long.class) {
      return -1_700_000_000_000L - n; // negative and large: the zig-zag varint
    }
    if (raw == double.class || raw == Double.class) {
      return n + 0.1;
    }
    if (raw == boolean.class) {
      return !(Boolean) initial;
    }
    if (raw == String.class) {
      return "s" + n + "-é";
    }
    if (raw.isEnum()) {
      for (Object c : raw.getEnumConstants()) {
        if (c != initial) {
          return c;
        }
      }
    }
    if (raw == double[].class) {
      return new double[] {n, Double.NaN, -0.0, 1e300, Double.NEGATIVE_INFINITY};
    }
    if (raw == long[].class) {
      return new long[] {n, -n, Long.MIN_VALUE, Long.MAX_VALUE};
    }
    if (List.class.isAssignableFrom(raw) || TreeSet.class.isAssignableFrom(raw)) {
      Type e = arg(type, 0, where);
      Collection<Object> c = raw == TreeSet.class ? new TreeSet<>() : new ArrayList<>();
      c.add(sample(e, null, where + "[0]"));
      c.add(sample(e, null, where + "[1]"));
      return c;
    }
    if (Map.class.isAssignableFrom(raw)) {
      Map<Object, Object> map = raw == TreeMap.class ? new TreeMap<>() : new LinkedHashMap<>();
      Object k2 = sample(arg(type, 0, where), null, where + ".key");
      Object k1 = sample(arg(type, 0, where), null, where + ".key");
      map.put(k1, sample(arg(type, 1, where), null, where + "[k1]")); // insertion order kept?
      map.put(k2, sample(arg(type, 1, where), null, where + "[k2]"));
      return map;
    }
    if (raw.getName().startsWith("io.faultline.")) {
      return filled(raw);
    }
    return fail(where + ": the test cannot fill a " + type + "; teach sample() the type");
  }

  private static Class<?> raw(Type type) {
    return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
  }

  private static Type arg(Type type, int i, String where) {
    if (type instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[i];
    }
    return fail(where + ": a raw collection type " + type);
  }

  // ---- comparing every field by reflection ----------------------------------------------------

  static void assertSame(String where, Object expected, Object actual) {
    if (expected == null || actual == null) {
      assertThat(actual).as(where).isEqualTo(expected);
      return;
    }
    Class<?> type = expected.getClass();
    assertThat(actual.getClass()).as(where + " class").isEqualTo(type);
    if (type.isArray()) {
      assertThat(Array.getLength(actual))
          .as(where + " length")
          .isEqualTo(Array.getLength(expected));
      for (int i = 0; i < Array.getLength(expected); i++) {
        assertSame(where + "[" + i + "]", Array.get(expected, i), Array.get(actual, i));
      }
    } else if (expected instanceof Collection<?> e) {
      Collection<?> a = (Collection<?>) actual;
      assertThat(a).as(where + " size").hasSameSizeAs(e);
      Iterator<?> ai = a.iterator();
      int i = 0;
      for (Object x : e) {
        assertSame(where + "[" + i++ + "]", x, ai.next());
      }
    } else if (expected instanceof Map<?, ?> e) {
      Map<?, ?> a = (Map<?, ?>) actual;
      assertThat(new ArrayList<>(a.keySet()))
          .as(where + " keys, in order")
          .isEqualTo(new ArrayList<>(e.keySet()));
      e.forEach((k, v) -> assertSame(where + "[" + k + "]", v, a.get(k)));
    } else if (type.getName().startsWith("io.faultline.") && !type.isEnum()) {
      for (Field f : fields(type)) {
        try {
          assertSame(where + "." + f.getName(), f.get(expected), f.get(actual));
        } catch (IllegalAccessException x) {
          throw new AssertionError(x);
        }
      }
    } else if (expected instanceof Double d) {
      assertThat(Double.doubleToRawLongBits((Double) actual))
          .as(where + " = " + actual + ", expected " + d)
          .isEqualTo(Double.doubleToRawLongBits(d));
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof double[] x && b instanceof double[] y) {
      return java.util.Arrays.equals(x, y);
    }
    if (a instanceof long[] x && b instanceof long[] y) {
      return java.util.Arrays.equals(x, y);
    }
    return java.util.Objects.equals(a, b);
  }
}
