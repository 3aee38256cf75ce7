package io.faultline.scale;

import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch job: reads every MIDI file of a corpus, extracts its instruments and writes them to the
 * store, in parallel batches. Idempotent: unchanged songs (same SHA-256) are left as they are. A
 * corrupt or truncated file is logged by name and counted; it never stops the job. A file that
 * cannot be read (I/O) is counted the same way; a store failure is fatal.
 */
public final class ExtractionJob {

  private static final Logger log = LoggerFactory.getLogger(ExtractionJob.class);
  static final int BATCH = 250;

  /** What a run did. {@code corruptFiles} names each file skipped. */
  public record Report(
      int files, int inserted, int updated, int unchanged, List<String> corruptFiles, long millis) {
    public int corrupt() {
      return corruptFiles.size();
    }

    @Override
    public String toString() {
      return String.format(
          "%d files: %d inserted, %d updated, %d unchanged, %d corrupt, in %d ms",
          files, inserted, updated, unchanged, corruptFiles.size(), millis);
    }
  }

  private final SongStore store;
  private final int threads;

  public ExtractionJob(SongStore store, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("extraction threads " + threads + ": must be at least 1");
    }
    this.store = store;
    this.threads = threads;
  }

  public Report run(CorpusSource source) throws IOException, SQLException {
    long start = System.nanoTime();
    List<CorpusSource.Entry> entries = source.list();
    log.info(
        "extracting {} MIDI files from {} with {} threads",
        entries.size(),
        source.describe(),
        threads);
    List<String> corrupt = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inserted = new AtomicInteger();
    AtomicInteger updated = new AtomicInteger();
    AtomicInteger unchanged = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(threads, DaemonThreads.named("scale-extract"));
    try {
      List<Future<?>> batches = new ArrayList<>();
      for (int from = 0; from < entries.size(); from += BATCH) {
        List<CorpusSource.Entry> batch =
            entries.subList(from, Math.min(entries.size(), from + BATCH));
        batches.add(
            pool.submit(
                () -> {
                  List<SongInstruments> songs = new ArrayList<>(batch.size());
                  for (CorpusSource.Entry e : batch) {
                    try {
                      songs.add(InstrumentExtractor.extract(e.songId(), source.read(e)));
                    } catch (InstrumentExtractor.CorruptMidiException | IOException ex) {
                      log.warn("skipping {}: {}", e.location(), ex.getMessage());
                      corrupt.add(e.location());
                    }
                  }
                  SongStore.WriteResult r = store.save(songs);
                  inserted.addAndGet(r.inserted());
                  updated.addAndGet(r.updated());
                  unchanged.addAndGet(r.unchanged());
                  return null;
                }));
      }
      for (Future<?> f : batches) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof SQLException sql) {
            throw sql;
          }
          throw new IllegalStateException("extraction failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("extraction interrupted", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> sorted = new ArrayList<>(corrupt);
    Collections.sort(sorted);
    Report report =
        new Report(
            entries.size(),
            inserted.get(),
            updated.get(),
            unchanged.get(),
            List.copyOf(sorted),
            (System.nanoTime() - start) / 1_000_000);
    log.info("extraction done: {}", report);
    return report;
  }
}
