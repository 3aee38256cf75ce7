package io.faultline.scale.spark;

import io.faultline.scale.CorpusSource;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.InstrumentExtractor;
import io.faultline.scale.SongInstruments;
import io.faultline.scale.SongStore;
import java.io.IOException;
import java.io.Serializable;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale's extraction as a Spark job: the driver lists the corpus, the files are spread over
 * partitions, and each task reads its files, extracts their instruments and writes them through
 * {@link SongStore#save} in transactions of {@link #BATCH} songs.
 *
 * <p>Idempotent under retries: a song is keyed by its id and rewritten only when its file's SHA-256
 * changed, and each batch commits or rolls back whole. A task retried after its executor died finds
 * the batches it already committed unchanged and writes the rest, so no song is lost or written
 * twice. Speculation stays off: two live copies of one task could race on a new song's key. Corrupt
 * or unreadable files are counted and named, never fatal; a store failure fails the task, which
 * Spark retries, and the job after {@code spark.task.maxFailures}.
 */
public final class SparkExtractionJob {

  private static final Logger log = LoggerFactory.getLogger(SparkExtractionJob.class);

  /** Songs per transaction, as in {@link ExtractionJob}. */
  public static final int BATCH = 250;

  /** One file for a task: its song id and where its reader finds it. */
  record FileRef(String songId, String location) implements Serializable {}

  /** What one partition did. */
  record PartitionResult(int inserted, int updated, int unchanged, List<String> corrupt)
      implements Serializable {}

  private final SparkSession spark;
  private final StoreLocation store;
  private final int filesPerPartition;

  /**
   * @param filesPerPartition files per task; smaller gives more tasks (more to retry in parallel,
   *     less lost with an executor)
   */
  public SparkExtractionJob(SparkSession spark, StoreLocation store, int filesPerPartition) {
    if (filesPerPartition < 1) {
      throw new IllegalArgumentException(
          "files per partition " + filesPerPartition + ": must be at least 1");
    }
    this.spark = spark;
    this.store = store;
    this.filesPerPartition = filesPerPartition;
  }

  public SparkExtractionJob(SparkSession spark, StoreLocation store) {
    this(spark, store, BATCH);
  }

  public ExtractionJob.Report run(CorpusLocation corpus) throws IOException, SQLException {
    long start = System.nanoTime();
    List<FileRef> files = new ArrayList<>();
    try (CorpusSource source = corpus.open()) {
      for (CorpusSource.Entry e : source.list()) {
        files.add(new FileRef(e.songId(), e.location()));
      }
    }
    migrate(store);
    int partitions = Math.max(1, (files.size() + filesPerPartition - 1) / filesPerPartition);
    log.info(
        "extracting {} MIDI files from {} in {} Spark tasks on {}",
        files.size(),
        corpus.location(),
        partitions,
        spark.sparkContext().master());
    StoreLocation target = store;
    CorpusLocation from = corpus;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobDescription("scale extraction of " + files.size() + " files");
    List<PartitionResult> results =
        jsc.parallelize(files, partitions)
            .mapPartitions(part -> List.of(extractAndSave(from, target, part)).iterator())
            .collect();
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    List<String> corrupt = new ArrayList<>();
    for (PartitionResult r : results) {
      inserted += r.inserted();
      updated += r.updated();
      unchanged += r.unchanged();
      corrupt.addAll(r.corrupt());
    }
    Collections.sort(corrupt);
    ExtractionJob.Report report =
        new ExtractionJob.Report(
            files.size(),
            inserted,
            updated,
            unchanged,
            List.copyOf(corrupt),
            (System.nanoTime() - start) / 1_000_000);
    log.info("Spark extraction done: {}", report);
    return report;
  }

  /**
   * The schema once, from the driver, before any task opens the store. Three attempts: a database
   * that has just started (or a starved machine) can miss the pool's first 5 s connection timeout,
   * and failing the whole job for it would be a worse answer than a few seconds' wait.
   */
  private static void migrate(StoreLocation store) {
    for (int attempt = 1; ; attempt++) {
      try (SongStore ignored = SongStore.open(store.url(), store.user(), store.password(), 2)) {
        return;
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
        log.warn("store {} not ready (attempt {} of 3): {}", store, attempt, e.getMessage());
      }
    }
  }

  private static final Map<CorpusLocation, CorpusSource> READERS = new ConcurrentHashMap<>();

  /** Runs in a task: this JVM's reader and store pool are opened once and reused. */
  static PartitionResult extractAndSave(
      CorpusLocation corpus, StoreLocation store, Iterator<FileRef> files) throws SQLException {
    CorpusSource source = READERS.computeIfAbsent(corpus, CorpusLocation::open);
    SongStore songs = store.shared();
    List<String> corrupt = new ArrayList<>();
    List<SongInstruments> batch = new ArrayList<>(BATCH);
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    // files and bytes read show as the stage's input in Spark's UI and monitoring API (records/s)
    TaskContext task = TaskContext.get();
    while (files.hasNext()) {
      FileRef f = files.next();
      try {
        byte[] bytes = source.read(new CorpusSource.Entry(f.songId(), f.location()));
        if (task != null) {
          task.taskMetrics().inputMetrics().incRecordsRead(1);
          task.taskMetrics().inputMetrics().incBytesRead(bytes.length);
        }
        batch.add(InstrumentExtractor.extract(f.songId(), bytes));
      } catch (InstrumentExtractor.CorruptMidiException | IOException e) {
        log.warn("skipping {}: {}", f.location(), e.getMessage());
        corrupt.add(f.location());
      }
      if (batch.size() == BATCH || !files.hasNext()) {
        SongStore.WriteResult r = songs.save(batch);
        inserted += r.inserted();
        updated += r.updated();
        unchanged += r.unchanged();
        batch.clear();
      }
    }
    return new PartitionResult(inserted, updated, unchanged, List.copyOf(corrupt));
  }
}
