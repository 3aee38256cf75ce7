package io.faultline.analyzer;

import io.faultline.schema.Alert;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One row of the history's input table: an experiment's latest result, as the figures the history
 * takes from it, or an alert's latest state, exactly one of the two. Both feed the same aggregate
 * per service and week, so they share a table.
 */
record HistoryInput(ResultFigures result, Alert alert) {

  static HistoryInput of(ExperimentResult result) {
    return result == null ? null : new HistoryInput(ResultFigures.of(result), null);
  }

  static HistoryInput of(Alert alert) {
    return alert == null ? null : new HistoryInput(null, alert);
  }

  /**
   * What {@link HistoryRollup#add} reads of an {@link ExperimentResult}, and nothing else, so an
   * input is a few dozen bytes instead of the whole result, and two results the history cannot tell
   * apart are equal inputs (docs/adr/0089).
   *
   * @param startedAt the experiment's start, else the result's last update (the week it files in)
   * @param alertsFired the metrics' alerts fired, summed
   * @param noisyAlerts the metrics' noisy alerts, summed
   * @param episodes per metric with a deviation episode, in the result's order: its SEV level and
   *     its episodes (alerts fired, one when it deviated without firing)
   * @param mttdMs the attacks' MTTDs that are set, in the result's order
   * @param mttrMs the attacks' MTTRs that are set, in the result's order
   */
  record ResultFigures(
      String experimentId,
      String service,
      long startedAt,
      Verdict verdict,
      boolean aborted,
      long alertsFired,
      long noisyAlerts,
      List<Episodes> episodes,
      List<Long> mttdMs,
      List<Long> mttrMs) {

    /** A metric's deviation episodes at its SEV level. */
    record Episodes(String severity, long count) {}

    static ResultFigures of(ExperimentResult r) {
      long fired = 0;
      long noisy = 0;
      List<Episodes> episodes = new ArrayList<>();
      for (MetricJudgement m : r.getMetrics()) {
        fired += m.getAlertsFired();
        noisy += m.getNoisyAlerts();
        long n = Math.max(m.getAlertsFired(), m.getFirstDeviationAt() != null ? 1 : 0);
        if (n > 0) {
          episodes.add(new Episodes(m.getSeverity(), n));
        }
      }
      List<Long> mttd = new ArrayList<>();
      List<Long> mttr = new ArrayList<>();
      for (AttackOutcome o : r.getAttacks()) {
        if (o.getMttdMs() != null) {
          mttd.add(o.getMttdMs());
        }
        if (o.getMttrMs() != null) {
          mttr.add(o.getMttrMs());
        }
      }
      return new ResultFigures(
          r.getExperimentId(),
          r.getService(),
          r.getStartedAt() != null ? r.getStartedAt() : r.getUpdatedAt(),
          r.getVerdict(),
          r.getAborted(),
          fired,
          noisy,
          List.copyOf(episodes),
          List.copyOf(mttd),
          List.copyOf(mttr));
    }
  }

  private static final byte RESULT_AS_AVRO = 0; // before docs/adr/0089: the whole result
  private static final byte ALERT = 1;
  private static final byte RESULT_FIGURES = 2;

  /**
   * A tag byte, then an alert's Avro single-object encoding (1) or a result's figures (2, {@link
   * #writeFigures}); a whole result's Avro encoding (0), as written before, is read as its figures.
   */
  static Serde<HistoryInput> serde() {
    AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
    AvroSerde<Alert> alerts = AvroSerde.of(Alert.class);
    Serializer<HistoryInput> write =
        (topic, in) -> {
          if (in == null) {
            return null;
          }
          if (in.result() != null) {
            return writeFigures(in.result());
          }
          byte[] body = alerts.encode(in.alert());
          byte[] out = new byte[body.length + 1];
          out[0] = ALERT;
          System.arraycopy(body, 0, out, 1, body.length);
          return out;
        };
    Deserializer<HistoryInput> read =
        (topic, data) -> {
          if (data == null) {
            return null;
          }
          return switch (data[0]) {
            case RESULT_FIGURES -> new HistoryInput(readFigures(data), null);
            case ALERT -> of(alerts.decode(Arrays.copyOfRange(data, 1, data.length)));
            case RESULT_AS_AVRO -> of(results.decode(Arrays.copyOfRange(data, 1, data.length)));
            default ->
                throw new SerializationException(
                    "history input of "
                        + topic
                        + ": unknown tag "
                        + data[0]
                        + " (0, 1 or 2 expected: written by a newer analyzer?)");
          };
        };
    return Serdes.serdeFrom(write, read);
  }

  /**
   * Tag 2, then: experimentId, service, startedAt, the verdict's name, aborted (a byte), alerts
   * fired, noisy alerts, the episodes (a count, then SEV level and count each), the MTTDs and the
   * MTTRs (a count, then the values); strings as an int length and UTF-8 (-1 for null), numbers
   * big-endian.
   */
  private static byte[] writeFigures(ResultFigures f) {
    byte[] id = utf8(f.experimentId());
    byte[] service = utf8(f.service());
    byte[] verdict = utf8(f.verdict() == null ? null : f.verdict().name());
    byte[][] levels = new byte[f.episodes().size()][];
    int size = 1 + len(id) + len(service) + 8 + len(verdict) + 1 + 16 + 4 + 4 + 4;
    for (int i = 0; i < levels.length; i++) {
      levels[i] = utf8(f.episodes().get(i).severity());
      size += len(levels[i]) + 8;
    }
    size += 8 * (f.mttdMs().size() + f.mttrMs().size());
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(RESULT_FIGURES);
    putString(out, id);
    putString(out, service);
    out.putLong(f.startedAt());
    putString(out, verdict);
    out.put((byte) (f.aborted() ? 1 : 0));
    out.putLong(f.alertsFired());
    out.putLong(f.noisyAlerts());
    out.putInt(levels.length);
    for (int i = 0; i < levels.length; i++) {
      putString(out, levels[i]);
      out.putLong(f.episodes().get(i).count());
    }
    putLongs(out, f.mttdMs());
    putLongs(out, f.mttrMs());
    return out.array();
  }

  private static ResultFigures readFigures(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
    String id = getString(in);
    String service = getString(in);
    long startedAt = in.getLong();
    String verdict = getString(in);
    boolean aborted = in.get() != 0;
    long fired = in.getLong();
    long noisy = in.getLong();
    List<ResultFigures.Episodes> episodes = new ArrayList<>();
    for (int i = in.getInt(); i > 0; i--) {
      episodes.add(new ResultFigures.Episodes(getString(in), in.getLong()));
    }
    return new ResultFigures(
        id,
        service,
        startedAt,
        verdict == null ? null : Verdict.valueOf(verdict),
        aborted,
        fired,
        noisy,
        List.copyOf(episodes),
        getLongs(in),
        getLongs(in));
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static int len(byte[] s) {
    return 4 + (s == null ? 0 : s.length);
  }

  private static void putString(ByteBuffer out, byte[] s) {
    out.putInt(s == null ? -1 : s.length);
    if (s != null) {
      out.put(s);
    }
  }

  private static String getString(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0) {
      return null;
    }
    String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  private static void putLongs(ByteBuffer out, List<Long> values) {
    out.putInt(values.size());
    values.forEach(out::putLong);
  }

  private static List<Long> getLongs(ByteBuffer in) {
    Long[] values = new Long[in.getInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.getLong();
    }
    return List.of(values);
  }
}
