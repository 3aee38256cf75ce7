package io.faultline.cli.report;

import io.faultline.schema.Alert;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SchemaHistory;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Everything the topics hold about one experiment: its definition and lifecycle, attack events,
 * window verdicts, alerts, the latest result and the samples that {@link ServiceOutage} needs. Can
 * be saved to and loaded from a file (one Avro-JSON record per line, prefixed by its type) so a
 * report can be rebuilt offline.
 */
public record ExperimentRecording(
    String experimentId,
    Experiment experiment,
    List<AttackEvent> events,
    List<WindowVerdict> verdicts,
    List<Alert> alerts,
    ExperimentResult result,
    List<MetricSample> samples) {

  /** A recording without samples (before they were kept, or none of {@link ServiceOutage}'s). */
  public ExperimentRecording(
      String experimentId,
      Experiment experiment,
      List<AttackEvent> events,
      List<WindowVerdict> verdicts,
      List<Alert> alerts,
      ExperimentResult result) {
    this(experimentId, experiment, events, verdicts, alerts, result, List.of());
  }

  public boolean isEmpty() {
    return experiment == null
        && events.isEmpty()
        && verdicts.isEmpty()
        && alerts.isEmpty()
        && result == null
        && samples.isEmpty();
  }

  /** Reads one experiment's records from the topics (latest Experiment and result win). */
  public static ExperimentRecording fromTopics(
      TopicReader reader, Topics topics, String experimentId, Duration timeout) {
    return fromTopics(reader, topics, experimentId, timeout, ServiceOutage.METRICS::contains);
  }

  /** The same, keeping the samples of the metrics {@code keep} accepts. */
  public static ExperimentRecording fromTopics(
      TopicReader reader,
      Topics topics,
      String experimentId,
      Duration timeout,
      Predicate<String> keep) {
    Experiment experiment = null;
    for (var r : reader.readAll(topics.experiments().name(), timeout)) {
      if (experimentId.equals(r.key()) && r.value() != null) {
        experiment = decode(AvroSerde.of(Experiment.class), r.value(), experiment);
      }
    }
    List<AttackEvent> events = new ArrayList<>();
    AvroSerde<AttackEvent> eventSerde = AvroSerde.of(AttackEvent.class);
    for (var r : reader.readAll(topics.attackEvents().name(), timeout)) {
      AttackEvent e = decode(eventSerde, r.value(), null);
      if (e != null && experimentId.equals(e.getExperimentId())) {
        events.add(e);
      }
    }
    List<WindowVerdict> verdicts = new ArrayList<>();
    AvroSerde<WindowVerdict> verdictSerde = AvroSerde.of(WindowVerdict.class);
    for (var r : reader.readAll(topics.steadyState().name(), timeout)) {
      if (r.key() != null && !r.key().startsWith(experimentId)) {
        continue;
      }
      WindowVerdict v = decode(verdictSerde, r.value(), null);
      if (v != null && experimentId.equals(v.getExperimentId())) {
        verdicts.add(v);
      }
    }
    List<Alert> alerts = new ArrayList<>();
    AvroSerde<Alert> alertSerde = AvroSerde.of(Alert.class);
    for (var r : reader.readAll(topics.alerts().name(), timeout)) {
      Alert a = decode(alertSerde, r.value(), null);
      if (a != null && experimentId.equals(a.getExperimentId())) {
        alerts.add(a);
      }
    }
    ExperimentResult result = null;
    AvroSerde<ExperimentResult> resultSerde = AvroSerde.of(ExperimentResult.class);
    for (var r : reader.readAll(topics.results().name(), timeout)) {
      if (experimentId.equals(r.key()) && r.value() != null) {
        result = decode(resultSerde, r.value(), result);
      }
    }
    // only the samples the report's outage figures need: the topic holds every sample
    List<MetricSample> samples = new ArrayList<>();
    AvroSerde<MetricSample> sampleSerde = AvroSerde.of(MetricSample.class);
    for (var r : reader.readAll(topics.metrics().name(), timeout)) {
      if (r.key() == null || !r.key().startsWith(experimentId + "|")) {
        continue;
      }
      String metric = r.key().substring(experimentId.length() + 1);
      if (keep.test(metric)) {
        MetricSample s = decode(sampleSerde, r.value(), null);
        if (s != null) {
          samples.add(s);
        }
      }
    }
    return sorted(
        new ExperimentRecording(
            experimentId, experiment, events, verdicts, alerts, result, samples));
  }

  private static <T extends SpecificRecordBase> T decode(
      AvroSerde<T> serde, byte[] bytes, T fallback) {
    if (bytes == null) {
      return fallback;
    }
    try {
      return serde.decode(bytes);
    } catch (RuntimeException unreadable) {
      return fallback;
    }
  }

  static ExperimentRecording sorted(ExperimentRecording r) {
    List<AttackEvent> events = new ArrayList<>(r.events());
    events.sort(Comparator.comparingLong(AttackEvent::getTimestamp));
    List<WindowVerdict> verdicts = new ArrayList<>(r.verdicts());
    verdicts.sort(
        Comparator.comparing(WindowVerdict::getMetric)
            .thenComparingLong(WindowVerdict::getWindowStart));
    List<Alert> alerts = new ArrayList<>(r.alerts());
    alerts.sort(Comparator.comparingLong(Alert::getTimestamp));
    List<MetricSample> samples = new ArrayList<>(r.samples());
    samples.sort(Comparator.comparingLong(MetricSample::getTimestamp));
    return new ExperimentRecording(
        r.experimentId(), r.experiment(), events, verdicts, alerts, r.result(), samples);
  }

  // ---- recording files: "<Type>\t<avro json>" per line ----

  public void save(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("#faultline-recording\t" + experimentId);
    if (experiment != null) {
      lines.add(line(experiment));
    }
    events.forEach(e -> lines.add(line(e)));
    verdicts.forEach(v -> lines.add(line(v)));
    alerts.forEach(a -> lines.add(line(a)));
    if (result != null) {
      lines.add(line(result));
    }
    samples.forEach(s -> lines.add(line(s)));
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  public static ExperimentRecording load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).startsWith("#faultline-recording\t")) {
      throw new IOException(
          file + ": not a faultline recording (first line must be #faultline-recording)");
    }
    String id = lines.get(0).substring(lines.get(0).indexOf('\t') + 1);
    Experiment experiment = null;
    ExperimentResult result = null;
    List<AttackEvent> events = new ArrayList<>();
    List<WindowVerdict> verdicts = new ArrayList<>();
    List<Alert> alerts = new ArrayList<>();
    List<MetricSample> samples = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.isBlank()) {
        continue;
      }
      int tab = l.indexOf('\t');
      String type = tab < 0 ? "" : l.substring(0, tab);
      String json = l.substring(tab + 1);
      try {
        switch (type) {
          case "Experiment" -> experiment = read(Experiment.getClassSchema(), json);
          case "AttackEvent" -> events.add(read(AttackEvent.getClassSchema(), json));
          case "WindowVerdict" -> verdicts.add(read(WindowVerdict.getClassSchema(), json));
          case "Alert" -> alerts.add(read(Alert.getClassSchema(), json));
          case "ExperimentResult" -> result = read(ExperimentResult.getClassSchema(), json);
          case "MetricSample" -> samples.add(read(MetricSample.getClassSchema(), json));
          default -> throw new IOException("unknown record type '" + type + "'");
        }
      } catch (IOException | RuntimeException e) {
        throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return sorted(
        new ExperimentRecording(id, experiment, events, verdicts, alerts, result, samples));
  }

  private static String line(SpecificRecordBase record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out);
      new SpecificDatumWriter<SpecificRecordBase>(record.getSchema()).write(record, encoder);
      encoder.flush();
      return record.getSchema().getName() + "\t" + out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A record written with the current schema or, for recordings made before a schema changed, with
   * one of its earlier versions ({@link SchemaHistory}), resolved to the current one.
   */
  private static <T> T read(Schema schema, String json) throws IOException {
    try {
      return new SpecificDatumReader<T>(schema)
          .read(null, DecoderFactory.get().jsonDecoder(schema, json));
    } catch (IOException | RuntimeException current) {
      for (Schema older : SchemaHistory.shared().earlierVersions(schema.getFullName())) {
        try {
          return new SpecificDatumReader<T>(older, schema)
              .read(null, DecoderFactory.get().jsonDecoder(older, json));
        } catch (IOException | RuntimeException tryNext) {
          // not this version either
        }
      }
      throw current;
    }
  }
}
