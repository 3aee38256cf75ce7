package io.faultline.scale;

/**
 * The files a pipeline group's driver (scale-spark's {@code PipelineGroupMain}) writes in its work
 * directory and the CLI's local pipeline reads, and the fields of their JSON records: named once
 * here, where both sides see them (docs/adr/0040). The driver and the CLI share no other code,
 * which is why the names are not simply two string literals that happen to agree.
 */
public final class PipelineGroupFiles {

  private PipelineGroupFiles() {}

  /** Written when the driver is up; the CLI waits for it before it says go. */
  public static final String READY = "ready";

  /** Written by the CLI to start the runs; holds the experiment id. */
  public static final String GO = "go";

  /** The current run's progress, one JSON object replaced whole. */
  public static final String PROGRESS = "progress";

  /** One JSON line per finished run. */
  public static final String RUNS = "runs.jsonl";

  /** Written when every run has finished. */
  public static final String DONE = "done";

  /** The run's number, from 1 (progress and run). */
  public static final String RUN = "run";

  /** When the run started, epoch ms (progress and run). */
  public static final String STARTED_AT = "startedAt";

  /** The run's stage's task count, 0 while not known (progress and run). */
  public static final String TASKS = "tasks";

  /** How many of the tasks have succeeded (progress; and of each loss). */
  public static final String TASKS_DONE = "tasksDone";

  /** The executors lost during the run, each {@link #LOSS_AT_MS} and {@link #TASKS_DONE}. */
  public static final String LOSSES = "losses";

  /** Of a loss: ms from the run's start. */
  public static final String LOSS_AT_MS = "atMs";

  /** When the run ended, epoch ms (run). */
  public static final String ENDED_AT = "endedAt";

  /** The run's job duration, ms (run). */
  public static final String DURATION_MS = "durationMs";

  /** Songs in the store after the run (run). */
  public static final String SONGS = "songs";

  /** Instrument rows in the store after the run (run). */
  public static final String INSTRUMENT_ROWS = "instrumentRows";

  /** The store's checksum after the run (run). */
  public static final String SHA256 = "sha256";

  /** Task attempts that failed during the run (run). */
  public static final String TASKS_FAILED = "tasksFailed";

  /** Executors lost during the run (run). */
  public static final String EXECUTORS_LOST = "executorsLost";
}
