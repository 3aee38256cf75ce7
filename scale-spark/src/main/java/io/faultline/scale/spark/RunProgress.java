package io.faultline.scale.spark;

import io.faultline.scale.PipelineGroupFiles;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a pipeline group's current run stands: its tasks, how many have finished, and when an
 * executor was lost relative to the run. The CLI times a pipeline's attacks from it rather than
 * from the clock (a run may end before a clock-timed kill), and the report says where in the run
 * the kill landed (docs/adr/0040). Fed by the driver's listener; a plain object, tested without
 * Spark.
 */
public final class RunProgress {

  /**
   * An executor lost during the run: when (ms from the run's start) and with how many tasks done.
   */
  public record Loss(long atMs, int tasksDone) {}

  private int run;
  private long startedAt;
  private int tasks;
  private final BitSet done = new BitSet();
  private final List<Loss> losses = new ArrayList<>();

  /** A new run starts at {@code startedAtMillis}: nothing done, its task count not known yet. */
  public synchronized void begin(int run, long startedAtMillis) {
    this.run = run;
    this.startedAt = startedAtMillis;
    this.tasks = 0;
    done.clear();
    losses.clear();
  }

  /** The run's stage was submitted with {@code numTasks}; a resubmitted attempt keeps the first. */
  public synchronized void stageSubmitted(int numTasks) {
    if (run > 0 && tasks == 0) {
      tasks = numTasks;
    }
  }

  /**
   * A task of partition {@code index} succeeded; a partition counts once, however often retried.
   */
  public synchronized void taskSucceeded(int index) {
    if (run > 0) {
      done.set(index);
    }
  }

  /** An executor was removed at {@code atMillis}. */
  public synchronized void executorLost(long atMillis) {
    if (run > 0) {
      losses.add(new Loss(Math.max(0, atMillis - startedAt), done.cardinality()));
    }
  }

  public synchronized int tasksDone() {
    return done.cardinality();
  }

  public synchronized List<Loss> losses() {
    return List.copyOf(losses);
  }

  /**
   * The figures as the progress file and the run's record carry them ({@link PipelineGroupFiles}).
   */
  public synchronized Map<String, Object> figures() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(PipelineGroupFiles.RUN, run);
    m.put(PipelineGroupFiles.STARTED_AT, startedAt);
    m.put(PipelineGroupFiles.TASKS, tasks);
    m.put(PipelineGroupFiles.TASKS_DONE, done.cardinality());
    List<Map<String, Object>> lost = new ArrayList<>();
    for (Loss l : losses) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put(PipelineGroupFiles.LOSS_AT_MS, l.atMs());
      one.put(PipelineGroupFiles.TASKS_DONE, l.tasksDone());
      lost.add(one);
    }
    m.put(PipelineGroupFiles.LOSSES, lost);
    return m;
  }
}
