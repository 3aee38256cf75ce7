package io.faultline.agent;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where one START's time goes, from the poll that returned its command to STARTED sent
 * (docs/adr/0103): each step's time since that poll, observed on the agent's /metrics ({@code
 * faultline_agent_start_step_seconds}) once STARTED is sent. A START that ends before STARTED
 * (refused, failed, a dry run) observes nothing. Public for the bench, which reads the steps back
 * by their labels.
 */
public final class StartSteps {

  /**
   * The steps of a START in the order of its path, each labelled {@code step} on /metrics and
   * measured from the poll that returned its command, but for {@link #POLLED}.
   */
  public enum Step {
    /** The command's age when the poll returned it, from its record's timestamp (ms clock). */
    POLLED("polled"),
    /** Decoded, checked, targets selected. */
    PLANNED("planned"),
    /** The write-ahead attack.state record handed to the producer. */
    WRITE_AHEAD_SENT("write-ahead-sent"),
    /** ACCEPTED handed to the producer. */
    ACCEPTED_SENT("accepted-sent"),
    /** The write-ahead record appended to the local journal and fdatasync'd. */
    JOURNAL_SYNCED("journal-synced"),
    /** The broker's ack of the write-ahead record (acks=all), seen on the producer's thread. */
    WRITE_AHEAD_ACKED("write-ahead-acked"),
    /** The fault applied on every target. */
    FAULT_APPLIED("fault-applied"),
    /** STARTED handed to the producer. */
    STARTED_SENT("started-sent");

    private final String label;

    Step(String label) {
      this.label = label;
    }

    /** The {@code step} label of {@code faultline_agent_start_step_seconds}. */
    public String label() {
      return label;
    }
  }

  private final long polledAt;
  // written by the command thread, and by the producer's thread for the ack, which happens before
  // the command thread's wait for that ack returns
  private final Map<Step, Long> at = new EnumMap<>(Step.class);

  /** {@code polledAt}: {@link System#nanoTime()} when the poll that returned the command ended. */
  StartSteps(long polledAt) {
    this.polledAt = polledAt;
  }

  void mark(Step step) {
    long now = System.nanoTime();
    synchronized (at) {
      at.put(step, now - polledAt);
    }
  }

  /** Each step reached, in nanoseconds since the poll. */
  Map<Step, Long> sincePoll() {
    synchronized (at) {
      return new EnumMap<>(at);
    }
  }
}
