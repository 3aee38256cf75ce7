package io.faultline.agent;

import java.nio.file.Path;

/**
 * A process that holds the attack journal in {@code args[0]} open until its stdin closes, for the
 * test of the journal's lock across processes; prints {@code open} once it holds it.
 */
public final class JournalHolder {

  private JournalHolder() {}

  public static void main(String[] args) throws Exception {
    try (AttackJournal journal = new AttackJournal(Path.of(args[0]))) {
      System.out.println("open");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our stdin, or kills us
      }
    }
  }
}
