package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.MetricTrack;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.analyzer.WindowJudge.Monitor;
import io.faultline.analyzer.WindowJudge.Track;
import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary serde of the judge's and the results' state (stores {@code metric-monitors} and
 * {@code experiment-timelines}, docs/adr/0044): written and read once per verdict, where JSON's
 * text doubles cost a tenth of the stream thread (docs/adr/0038).
 *
 * <p>A record is the byte {@link #FORMAT} and then the object: each object a length-prefixed block
 * of its fields in the order below (doubles as 8 bytes, integers as varints, strings once per
 * record). A record that starts with {@code '{'} is the JSON of the versions before, read with
 * {@link JsonSerde}, so an upgrade keeps every monitor and timeline; the next write is binary.
 *
 * <p><b>Adding a field</b> to one of these classes ({@code WindowJudge.Monitor} and {@code Track},
 * {@code EDetector.State}, {@code FailureCounters.State}, {@code ExperimentTimeline} and its
 * classes, {@code PipelineRuns}): write it at the end of its class's {@code write} method, and read
 * it at the end of the matching {@code read} method under {@code if (in.before(end))}, so a record
 * written before it keeps the field's initial value and an older analyzer skips it (a rollback).
 * Never reorder or remove a written field; a field no longer used is still written (its default).
 * {@code StateSerdeTest} fills every public field by reflection and fails, naming the field, until
 * both lines are there.
 */
final class StateSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The first byte of a binary record; JSON starts with '{' (or whitespace), never with it. */
  static final byte FORMAT = 1;

  /** pairedSingle's held samples, retired (docs/adr/0098): written as six zeros, never changed. */
  private static final double[] RETIRED_PAIRED_SAMPLES = new double[6];

  /** A retired series, written empty; shared, never changed. */
  private static final double[] NO_DOUBLES = new double[0];

  private final Class<T> type;
  private final BiConsumer<StateWriter, T> write;
  private final Function<StateReader, T> read;
  private final JsonSerde<T> json;

  private StateSerde(
      Class<T> type, BiConsumer<StateWriter, T> write, Function<StateReader, T> read) {
    this.type = type;
    this.write = write;
    this.read = read;
    this.json = new JsonSerde<>(type);
  }

  /** The judge's state per experiment and metric (store {@code metric-monitors}). */
  static StateSerde<Monitor> monitors() {
    return new StateSerde<>(Monitor.class, StateSerde::write, StateSerde::readMonitor);
  }

  /** The results' state per experiment (store {@code experiment-timelines}). */
  static StateSerde<ExperimentTimeline> timelines() {
    return new StateSerde<>(ExperimentTimeline.class, StateSerde::write, StateSerde::readTimeline);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    StateWriter out = new StateWriter();
    out.writeByte(FORMAT);
    write.accept(out, data);
    return out.toBytes();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0) {
      throw new SerializationException("cannot read " + type.getSimpleName() + ": empty value");
    }
    if (data[0] == FORMAT) {
      try {
        StateReader in = new StateReader(data, 1);
        T value = read.apply(in);
        if (!in.atEnd()) {
          throw new IllegalStateException("bytes left after the record");
        }
        return value;
      } catch (RuntimeException e) {
        throw new SerializationException(
            "cannot read " + type.getSimpleName() + " (binary, " + data.length + " bytes): " + e,
            e);
      }
    }
    if (data[0] == '{' || Character.isWhitespace(data[0])) {
      return json.deserialize(topic, data); // written before docs/adr/0044
    }
    throw new SerializationException(
        String.format(
            "cannot read %s: first byte 0x%02x is neither format %d nor JSON",
            type.getSimpleName(), data[0] & 0xFF, FORMAT));
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  // ---- WindowJudge.Monitor -------------------------------------------------------------------

  static void write(StateWriter w, Monitor m) {
    int mark = w.begin();
    w.varInt(m.warmupWindows);
    w.varLong(m.learnUntil);
    w.varLong(m.attackAt);
    w.varLong(m.horizon);
    w.bool(m.unlearned);
    w.varInt(m.learnedFrom);
    w.rows(m.warmup);
    w.bool(m.ready);
    w.dbl(m.controlCount);
    w.dbl(m.controlErrors);
    w.bool(m.deviating);
    w.varInt(m.controlSpan);
    w.rows(m.recentControl);
    write(w, m.counter);
    if (m.tracks == null) {
      w.varInt(0);
    } else {
      w.varInt(m.tracks.size() + 1);
      for (Track t : m.tracks) {
        write(w, t);
      }
    }
    w.dbl(m.scale);
    w.dbl(m.offset);
    w.dbl(m.theta0);
    w.varInt(m.pooledControlSamples);
    w.bool(m.startFromEvents);
    // the place of docs/adr/0048's horizon bet, taken out: analyzers before it still read a double
    w.dbl(0.0);
    w.bool(false); // docs/adr/0051's longRunControl, retired (docs/adr/0098)
    w.bool(m.predictableDrift);
    w.bool(m.predictableDriftAll);
    w.bool(m.phiFromGroups);
    w.bool(false); // docs/adr/0062's windowLongRun, retired (docs/adr/0098)
    w.bool(false); // docs/adr/0061's pairedSingle, retired (docs/adr/0098), and its held samples
    w.doubles(RETIRED_PAIRED_SAMPLES);
    w.bool(m.phiByEvidence);
    w.bool(false); // docs/adr/0066's anchoredNormal, deleted (docs/adr/0075): older ones read it
    w.dbl(m.anchorWeight);
    w.bool(false); // docs/adr/0068's spreadBound, deleted (docs/adr/0075)
    w.bool(m.countLevels);
    w.bool(m.spreadClip);
    w.bool(m.spreadWander);
    w.bool(false); // docs/adr/0072's controlVariance, deleted (docs/adr/0075)
    w.bool(false); // docs/adr/0072's phiFromGroupsPooled, retired (docs/adr/0098)
    w.bool(m.countVariance);
    w.bool(m.extremesHeld);
    w.bool(false); // docs/adr/0077's phiByEvidenceDense, retired (docs/adr/0098)
    w.bool(m.spreadWanderFloor);
    w.bool(false); // docs/adr/0082's spreadFloorByBlocks, retired (docs/adr/0098)
    w.bool(m.controlSeriesPooled);
    w.bool(m.controlSeriesWithin);
    w.bool(m.denseLongRun);
    w.bool(false); // docs/adr/0087's denseControlSeries, retired (docs/adr/0098)
    w.bool(m.alphaOverMeasured);
    w.bool(false); // docs/adr/0088's reachableShifts, retired (docs/adr/0098)
    w.dbl(m.singleSampleClip);
    w.bool(m.denseEffectiveDf);
    w.bool(false); // docs/adr/0093's denseArmaFactor, retired (docs/adr/0102)
    // docs/adr/0099's singleSampleSpread, retired (docs/adr/0105): it was written only when on, so
    // nothing is written here; a field added after it writes false here first
    if (m.denseCalmMargin || m.denseScaleFree || m.sparseScaleFree) {
      // docs/adr/0110's switch, off by default: written only when on (or a later one is), so a
      // default monitor's bytes stay those the version before wrote (RetiredSwitchesStateTest)
      w.bool(false);
      w.bool(m.denseCalmMargin);
    }
    if (m.denseScaleFree || m.sparseScaleFree) {
      // docs/adr/0113's switch, on by default since docs/adr/0114: written only when on (or a
      // later one is), as 0110's (absent reads off)
      w.bool(m.denseScaleFree);
    }
    if (m.sparseScaleFree) {
      w.bool(true); // docs/adr/0118's switch, off by default: written only when on, as 0113's
    }
    w.end(mark);
  }

  static Monitor readMonitor(StateReader in) {
    Monitor m = new Monitor();
    int end = in.begin();
    m.warmupWindows = in.varInt();
    m.learnUntil = in.varLong();
    m.attackAt = in.varLong();
    m.horizon = in.varLong();
    m.unlearned = in.bool();
    m.learnedFrom = in.varInt();
    m.warmup = in.rows(null);
    m.ready = in.bool();
    m.controlCount = in.dbl();
    m.controlErrors = in.dbl();
    m.deviating = in.bool();
    m.controlSpan = in.varInt();
    m.recentControl = in.rows(null);
    m.counter = readCounter(in);
    int tracks = in.size();
    if (tracks < 0) {
      m.tracks = null;
    } else {
      m.tracks = new ArrayList<>(tracks);
      for (int i = 0; i < tracks; i++) {
        m.tracks.add(readTrack(in));
      }
    }
    m.scale = in.dbl();
    m.offset = in.dbl();
    m.theta0 = in.dbl();
    if (in.before(end)) {
      m.pooledControlSamples = in.varInt();
    }
    if (in.before(end)) {
      m.startFromEvents = in.bool();
    }
    if (in.before(end)) {
      in.dbl(); // docs/adr/0048's horizon bet, taken out (docs/adr/0051): read and dropped
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0051's longRunControl, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      m.predictableDrift = in.bool();
    }
    if (in.before(end)) {
      m.predictableDriftAll = in.bool();
    }
    if (in.before(end)) {
      m.phiFromGroups = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0062's windowLongRun, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0061's pairedSingle, retired (docs/adr/0098): read and dropped
      in.doubles(); // and its held samples
    }
    if (in.before(end)) {
      m.phiByEvidence = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0066's anchoredNormal, deleted (docs/adr/0075): read and dropped
      m.anchorWeight = in.dbl();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0068's spreadBound, deleted (docs/adr/0075): read and dropped
    }
    if (in.before(end)) {
      m.countLevels = in.bool();
    }
    if (in.before(end)) {
      m.spreadClip = in.bool();
    }
    if (in.before(end)) {
      m.spreadWander = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0072's controlVariance, deleted (docs/adr/0075): read and dropped
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0072's phiFromGroupsPooled, retired (docs/adr/0098): read, dropped
    }
    if (in.before(end)) {
      m.countVariance = in.bool();
    }
    if (in.before(end)) {
      m.extremesHeld = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0077's phiByEvidenceDense, retired (docs/adr/0098): read, dropped
    }
    if (in.before(end)) {
      m.spreadWanderFloor = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0082's spreadFloorByBlocks, retired (docs/adr/0098): read, dropped
    }
    if (in.before(end)) {
      m.controlSeriesPooled = in.bool();
    }
    if (in.before(end)) {
      m.controlSeriesWithin = in.bool();
    }
    if (in.before(end)) {
      m.denseLongRun = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0087's denseControlSeries, retired (docs/adr/0098): read, dropped
    }
    if (in.before(end)) {
      m.alphaOverMeasured = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0088's reachableShifts, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      m.singleSampleClip = in.dbl();
    }
    if (in.before(end)) {
      m.denseEffectiveDf = in.bool();
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0093's denseArmaFactor, retired (docs/adr/0102): read and dropped
    }
    if (in.before(end)) {
      // docs/adr/0099's singleSampleSpread, retired (docs/adr/0105): read and dropped; a track
      // learned with it on keeps its slots and judges on
      in.bool();
    }
    if (in.before(end)) {
      m.denseCalmMargin = in.bool();
    }
    // docs/adr/0113's switch, on by default since docs/adr/0114: written only when on (or 0118's
    // is), so a monitor without it was stored off (or before it) and its detectors hold no sums of
    // squares
    m.denseScaleFree = in.before(end) && in.bool();
    m.sparseScaleFree = in.before(end) && in.bool(); // docs/adr/0118's, off unless written
    in.end(end);
    return m;
  }

  static void write(StateWriter w, Track t) {
    int mark = w.begin();
    w.string(t.statistic == null ? null : t.statistic.name());
    w.bool(t.log);
    w.dbl(t.scale);
    w.dbl(t.offset);
    w.dbl(t.theta0);
    w.dbl(t.level);
    w.dbl(t.rateVariance);
    w.dbl(t.sampleVarianceC);
    w.dbl(t.sampleVarianceE);
    w.dbl(t.driftVariance);
    w.bool(t.clipped);
    w.dbl(t.phi);
    w.dbl(t.alpha);
    w.bool(t.deviating);
    write(w, t.detector);
    w.dbl(t.spreadCount);
    w.dbl(t.spreadMean);
    w.dbl(t.spreadSquares);
    w.dbl(t.withinVariance);
    w.bool(false); // Monitor.longRunControl at the warm-up's end, retired (docs/adr/0098)
    w.dbl(t.longRunVariance);
    w.dbl(t.longRunCount);
    w.dbl(t.longRunFirst);
    w.dbl(t.longRunSum);
    w.dbl(t.longRunSquares);
    w.dbl(t.longRunLag);
    w.dbl(t.longRunLast);
    w.bool(false); // Monitor.pairedSingle at the warm-up's end, retired (docs/adr/0098)
    w.dbl(t.phiBoundShare);
    w.bool(t.spreadClipped);
    w.dbl(t.logFloor);
    w.doubles(t.wander);
    w.bool(false); // docs/adr/0072's longRunByEvidence, deleted with controlVariance
    w.dbl(t.countVariance);
    w.doubles(NO_DOUBLES); // spreadFloorByBlocks' blocks, retired (docs/adr/0098)
    w.dbl(t.poolShare);
    w.dbl(t.groupsPhi);
    w.bool(t.poolWithin);
    w.doubles(t.lag1Series);
    w.doubles(NO_DOUBLES); // denseControlSeries' series, retired (docs/adr/0098)
    w.dbl(t.clipSd);
    w.doubles(t.lag2Series);
    if (t.singleSpread.length > 0 || t.levelSeries.length > 0) {
      // docs/adr/0099's, only when there is one or when a field after it is written, so a track
      // with neither keeps the bytes written before
      w.doubles(t.singleSpread);
    }
    if (t.levelSeries.length > 0) {
      // a dense track's only (docs/adr/0102), so other tracks keep the bytes written before; a
      // field after these must write them always
      w.doubles(t.levelSeries);
      w.doubles(t.levelLag2);
    }
    w.end(mark);
  }

  static Track readTrack(StateReader in) {
    Track t = new Track();
    int end = in.begin();
    String statistic = in.string();
    t.statistic = statistic == null ? null : Statistic.valueOf(statistic);
    t.log = in.bool();
    t.scale = in.dbl();
    t.offset = in.dbl();
    t.theta0 = in.dbl();
    t.level = in.dbl();
    t.rateVariance = in.dbl();
    t.sampleVarianceC = in.dbl();
    t.sampleVarianceE = in.dbl();
    t.driftVariance = in.dbl();
    t.clipped = in.bool();
    t.phi = in.dbl();
    t.alpha = in.dbl();
    t.deviating = in.bool();
    t.detector = readDetector(in);
    if (in.before(end)) {
      t.spreadCount = in.dbl();
      t.spreadMean = in.dbl();
      t.spreadSquares = in.dbl();
      t.withinVariance = in.dbl();
    }
    if (in.before(end)) {
      in.bool(); // Monitor.longRunControl's copy, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      t.longRunVariance = in.dbl();
      t.longRunCount = in.dbl();
      t.longRunFirst = in.dbl();
      t.longRunSum = in.dbl();
      t.longRunSquares = in.dbl();
      t.longRunLag = in.dbl();
      t.longRunLast = in.dbl();
    }
    if (in.before(end)) {
      in.bool(); // Monitor.pairedSingle's copy, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      t.phiBoundShare = in.dbl();
    }
    if (in.before(end)) {
      t.spreadClipped = in.bool();
    }
    if (in.before(end)) {
      t.logFloor = in.dbl();
    }
    if (in.before(end)) {
      double[] wander = in.doubles();
      t.wander = wander == null ? new double[0] : wander;
    }
    if (in.before(end)) {
      in.bool(); // docs/adr/0072's longRunByEvidence, deleted (docs/adr/0075): read and dropped
    }
    if (in.before(end)) {
      t.countVariance = in.dbl();
    }
    if (in.before(end)) {
      in.doubles(); // spreadFloorByBlocks' blocks, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      t.poolShare = in.dbl();
      t.groupsPhi = in.dbl();
    }
    if (in.before(end)) {
      t.poolWithin = in.bool();
    }
    if (in.before(end)) {
      double[] series = in.doubles();
      t.lag1Series = series == null ? new double[0] : series;
    }
    if (in.before(end)) {
      in.doubles(); // denseControlSeries' series, retired (docs/adr/0098): read and dropped
    }
    if (in.before(end)) {
      t.clipSd = in.dbl();
    }
    if (in.before(end)) {
      double[] lag2 = in.doubles();
      t.lag2Series = lag2 == null ? new double[0] : lag2;
    }
    if (in.before(end)) {
      double[] single = in.doubles();
      t.singleSpread = single == null ? new double[0] : single;
    }
    if (in.before(end)) {
      double[] levels = in.doubles();
      t.levelSeries = levels == null ? new double[0] : levels;
      double[] lag2 = in.doubles();
      t.levelLag2 = lag2 == null ? new double[0] : lag2;
    }
    in.end(end);
    return t;
  }

  /** Null as false; else true and the block. */
  static void write(StateWriter w, EDetector.State s) {
    w.bool(s != null);
    if (s == null) {
      return;
    }
    int mark = w.begin();
    w.varLong(s.points);
    w.doubles(s.logR);
    w.doubles(s.logM);
    w.longs(s.start);
    w.doubles(s.sumD);
    w.doubles(s.sumV);
    w.doubles(s.count);
    w.bool(s.primed);
    w.bool(s.twoGroups);
    w.dbl(s.controlErrors);
    w.dbl(s.controlRequests);
    w.dbl(s.requestPrecision);
    w.doubles(s.controlCusum);
    w.doubles(s.segmentErrors);
    w.doubles(s.segmentRequests);
    w.varLong(s.controlShifts);
    w.dbl(s.sigma);
    w.dbl(s.previousD);
    w.dbl(s.levelInfo);
    w.dbl(s.levelScore);
    w.dbl(s.primedInfo);
    w.dbl(s.primedScore);
    w.longs(s.candidate);
    w.longs(s.candidateAt);
    w.doubles(s.cross);
    w.doubles(s.info);
    w.doubles(s.score);
    w.varLong(s.anchor);
    w.dbl(s.anchorLevelInfo);
    w.dbl(s.anchorLevelScore);
    w.varLong(s.best);
    w.dbl(s.controlInfoTotal);
    w.dbl(s.controlScoreTotal);
    w.doubles(s.controlInfoBefore);
    w.doubles(s.controlScoreBefore);
    if (s.levelSquares != 0 || s.levelCount != 0 || s.primedSquares != 0 || s.primedCount != 0) {
      // docs/adr/0113's sums, kept only while the scale is left unknown (off by default): written
      // only when any is set, so a default detector's bytes stay those the version before wrote
      w.dbl(s.levelSquares);
      w.dbl(s.levelCount);
      w.dbl(s.primedSquares);
      w.dbl(s.primedCount);
    }
    w.end(mark);
  }

  static EDetector.State readDetector(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    EDetector.State s = new EDetector.State();
    int end = in.begin();
    s.points = in.varLong();
    s.logR = in.doubles();
    s.logM = in.doubles();
    s.start = in.longs();
    s.sumD = in.doubles();
    s.sumV = in.doubles();
    s.count = in.doubles();
    s.primed = in.bool();
    s.twoGroups = in.bool();
    s.controlErrors = in.dbl();
    s.controlRequests = in.dbl();
    s.requestPrecision = in.dbl();
    s.controlCusum = in.doubles();
    s.segmentErrors = in.doubles();
    s.segmentRequests = in.doubles();
    s.controlShifts = in.varLong();
    s.sigma = in.dbl();
    s.previousD = in.dbl();
    s.levelInfo = in.dbl();
    s.levelScore = in.dbl();
    s.primedInfo = in.dbl();
    s.primedScore = in.dbl();
    s.candidate = in.longs();
    s.candidateAt = in.longs();
    s.cross = in.doubles();
    s.info = in.doubles();
    s.score = in.doubles();
    s.anchor = in.varLong();
    s.anchorLevelInfo = in.dbl();
    s.anchorLevelScore = in.dbl();
    s.best = in.varLong();
    if (in.before(end)) {
      s.controlInfoTotal = in.dbl();
      s.controlScoreTotal = in.dbl();
      s.controlInfoBefore = in.doubles();
      s.controlScoreBefore = in.doubles();
    }
    if (in.before(end)) {
      s.levelSquares = in.dbl();
      s.levelCount = in.dbl();
      s.primedSquares = in.dbl();
      s.primedCount = in.dbl();
    }
    in.end(end);
    return s;
  }

  static void write(StateWriter w, FailureCounters.State s) {
    w.bool(s != null);
    if (s == null) {
      return;
    }
    int mark = w.begin();
    w.nullableDouble(s.baseControl);
    w.nullableDouble(s.baseExperimental);
    w.nullableDouble(s.lastControl);
    w.nullableDouble(s.lastExperimental);
    w.dbl(s.excessMax);
    w.end(mark);
  }

  static FailureCounters.State readCounter(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    FailureCounters.State s = new FailureCounters.State();
    int end = in.begin();
    s.baseControl = in.nullableDouble();
    s.baseExperimental = in.nullableDouble();
    s.lastControl = in.nullableDouble();
    s.lastExperimental = in.nullableDouble();
    s.excessMax = in.dbl();
    in.end(end);
    return s;
  }

  // ---- ExperimentTimeline --------------------------------------------------------------------

  static void write(StateWriter w, ExperimentTimeline t) {
    int mark = w.begin();
    if (t.attacks == null) {
      w.varInt(0);
    } else {
      w.varInt(t.attacks.size() + 1);
      t.attacks.forEach(
          (id, a) -> {
            w.string(id);
            write(w, a);
          });
    }
    if (t.windows == null) {
      w.varInt(0);
    } else {
      w.varInt(t.windows.size() + 1);
      t.windows.forEach(
          (start, s) -> {
            w.varLong(start);
            write(w, s);
          });
    }
    if (t.metrics == null) {
      w.varInt(0);
    } else {
      w.varInt(t.metrics.size() + 1);
      t.metrics.forEach(
          (metric, m) -> {
            w.string(metric);
            write(w, m);
          });
    }
    w.bool(t.aborted);
    w.string(t.abortReason);
    write(w, t.pipeline);
    w.end(mark);
  }

  static ExperimentTimeline readTimeline(StateReader in) {
    ExperimentTimeline t = new ExperimentTimeline();
    int end = in.begin();
    int attacks = in.size();
    t.attacks = attacks < 0 ? null : new LinkedHashMap<>();
    for (int i = 0; i < attacks; i++) {
      t.attacks.put(in.string(), readAttack(in));
    }
    int windows = in.size();
    t.windows = windows < 0 ? null : new TreeMap<>();
    for (int i = 0; i < windows; i++) {
      t.windows.put(in.varLong(), readWindow(in));
    }
    int metrics = in.size();
    t.metrics = metrics < 0 ? null : new TreeMap<>();
    for (int i = 0; i < metrics; i++) {
      t.metrics.put(in.string(), readMetric(in));
    }
    t.aborted = in.bool();
    t.abortReason = in.string();
    t.pipeline = readPipeline(in);
    in.end(end);
    return t;
  }

  static void write(StateWriter w, AttackSpan a) {
    w.bool(a != null);
    if (a == null) {
      return;
    }
    int mark = w.begin();
    w.string(a.attackId);
    w.string(a.fault);
    w.varLong(a.startedAt);
    w.nullableLong(a.endedAt);
    w.end(mark);
  }

  static AttackSpan readAttack(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    AttackSpan a = new AttackSpan();
    int end = in.begin();
    a.attackId = in.string();
    a.fault = in.string();
    a.startedAt = in.varLong();
    a.endedAt = in.nullableLong();
    in.end(end);
    return a;
  }

  static void write(StateWriter w, WindowStatus s) {
    w.bool(s != null);
    if (s == null) {
      return;
    }
    int mark = w.begin();
    w.varLong(s.end);
    strings(w, s.deviating);
    strings(w, s.steady);
    strings(w, s.insufficient);
    w.end(mark);
  }

  static WindowStatus readWindow(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    WindowStatus s = new WindowStatus();
    int end = in.begin();
    s.end = in.varLong();
    s.deviating = strings(in);
    s.steady = strings(in);
    s.insufficient = strings(in);
    in.end(end);
    return s;
  }

  static void write(StateWriter w, MetricTrack m) {
    w.bool(m != null);
    if (m == null) {
      return;
    }
    int mark = w.begin();
    w.string(m.state == null ? null : m.state.name());
    w.varLong(m.windows);
    w.varLong(m.deviatingWindows);
    w.nullableLong(m.firstDeviationAt);
    w.dbl(m.lastEffect);
    w.bool(m.firing);
    w.varLong(m.firedAt);
    w.string(m.firingAttackId);
    w.varLong(m.alerts);
    if (m.firings == null) {
      w.varInt(0);
    } else {
      w.varInt(m.firings.size() + 1);
      for (long[] f : m.firings) {
        w.longs(f);
      }
    }
    w.doubleList(m.warmControl);
    w.doubleList(m.warmExperimental);
    w.doubleList(m.control);
    w.doubleList(m.experimental);
    w.end(mark);
  }

  static MetricTrack readMetric(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    MetricTrack m = new MetricTrack();
    int end = in.begin();
    String state = in.string();
    m.state = state == null ? null : SteadyState.valueOf(state);
    m.windows = in.varLong();
    m.deviatingWindows = in.varLong();
    m.firstDeviationAt = in.nullableLong();
    m.lastEffect = in.dbl();
    m.firing = in.bool();
    m.firedAt = in.varLong();
    m.firingAttackId = in.string();
    m.alerts = in.varLong();
    int firings = in.size();
    m.firings = firings < 0 ? null : new ArrayList<>(firings);
    for (int i = 0; i < firings; i++) {
      m.firings.add(in.longs());
    }
    m.warmControl = in.doubleList(null);
    m.warmExperimental = in.doubleList(null);
    m.control = in.doubleList(null);
    m.experimental = in.doubleList(null);
    in.end(end);
    return m;
  }

  static void write(StateWriter w, PipelineRuns p) {
    w.bool(p != null);
    if (p == null) {
      return;
    }
    int mark = w.begin();
    runs(w, p.control);
    runs(w, p.experimental);
    w.end(mark);
  }

  static PipelineRuns readPipeline(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    PipelineRuns p = new PipelineRuns();
    int end = in.begin();
    p.control = runs(in);
    p.experimental = runs(in);
    in.end(end);
    return p;
  }

  static void write(StateWriter w, PipelineRuns.Run r) {
    w.bool(r != null);
    if (r == null) {
      return;
    }
    int mark = w.begin();
    w.string(r.sha256);
    if (r.figures == null) {
      w.varInt(0);
    } else {
      w.varInt(r.figures.size() + 1);
      r.figures.forEach(
          (metric, value) -> {
            w.string(metric);
            w.nullableDouble(value);
          });
    }
    w.end(mark);
  }

  static PipelineRuns.Run readRun(StateReader in) {
    if (!in.bool()) {
      return null;
    }
    PipelineRuns.Run r = new PipelineRuns.Run();
    int end = in.begin();
    r.sha256 = in.string();
    int figures = in.size();
    r.figures = figures < 0 ? null : new TreeMap<>();
    for (int i = 0; i < figures; i++) {
      r.figures.put(in.string(), in.nullableDouble());
    }
    in.end(end);
    return r;
  }

  private static void runs(StateWriter w, TreeMap<Integer, PipelineRuns.Run> runs) {
    if (runs == null) {
      w.varInt(0);
      return;
    }
    w.varInt(runs.size() + 1);
    runs.forEach(
        (number, run) -> {
          w.varInt(number);
          write(w, run);
        });
  }

  private static TreeMap<Integer, PipelineRuns.Run> runs(StateReader in) {
    int n = in.size();
    if (n < 0) {
      return null;
    }
    TreeMap<Integer, PipelineRuns.Run> runs = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      runs.put(in.varInt(), readRun(in));
    }
    return runs;
  }

  private static void strings(StateWriter w, TreeSet<String> set) {
    if (set == null) {
      w.varInt(0);
      return;
    }
    w.varInt(set.size() + 1);
    for (String s : set) {
      w.string(s);
    }
  }

  private static TreeSet<String> strings(StateReader in) {
    int n = in.size();
    if (n < 0) {
      return null;
    }
    TreeSet<String> set = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      set.add(in.string());
    }
    return set;
  }
}
