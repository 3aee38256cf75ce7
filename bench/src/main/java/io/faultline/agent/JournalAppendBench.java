package io.faultline.agent;

import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The write-ahead's local half alone: the time to make one attack record durable, in the earlier
 * format (a file per attack: write, fsync, rename, directory fsync) and in the journal of
 * docs/adr/0064 with and without preallocation, interleaved in rounds on the same disk, so the
 * ratios to the earlier format hold at any load. In this package because the journal is the agent's
 * own, not an API. Usage: {@code JournalAppendBench [records per mode, default 600]}.
 */
public final class JournalAppendBench {

  private JournalAppendBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    int rounds = 6;
    AvroSerde<AttackState> serde = AvroSerde.of(AttackState.class);
    Path root = Files.createTempDirectory("journal-bench");
    double[][] ms = new double[3][n];
    String[] names = {
      "file per attack: write, fsync, rename, directory fsync (before)",
      "journal, preallocated: append, fdatasync",
      "journal, not preallocated: append, fdatasync"
    };
    Path legacy = Files.createDirectories(root.resolve("legacy"));
    try (AttackJournal pre = new AttackJournal(root.resolve("pre"));
        AttackJournal grow = new AttackJournal(root.resolve("grow"), 0)) {
      int perRound = n / rounds;
      int done = 0;
      for (int r = 0; r < rounds; r++) {
        for (int mode = 0; mode < 3; mode++) {
          for (int i = done; i < done + perRound; i++) {
            AttackState s = state("bench-" + mode + "-" + i);
            long t = System.nanoTime();
            switch (mode) {
              case 0 ->
                  Outbox.writeDurably(
                      legacy, AttackJournal.sha256Hex(s.getAttackId()), ".avro", serde.encode(s));
              case 1 -> pre.record(s);
              default -> grow.record(s);
            }
            ms[mode][i] = (System.nanoTime() - t) / 1e6;
            // the attack ends: removed as the agent does (not on the timed path)
            switch (mode) {
              case 0 ->
                  Outbox.deleteQuietly(
                      legacy.resolve(AttackJournal.sha256Hex(s.getAttackId()) + ".avro"));
              case 1 -> pre.remove(s.getAttackId());
              default -> grow.remove(s.getAttackId());
            }
          }
        }
        done += perRound;
      }
      n = done;
    }
    double base50 = percentile(ms[0], n, 50);
    double base99 = percentile(ms[0], n, 99);
    System.out.println(
        "| durable record of an attack (n="
            + n
            + " each, "
            + rounds
            + " interleaved rounds) | p50 ms | p99 ms | p50 ratio to before | p99 ratio to before |");
    System.out.println("|---|---|---|---|---|");
    for (int mode = 0; mode < 3; mode++) {
      double p50 = percentile(ms[mode], n, 50);
      double p99 = percentile(ms[mode], n, 99);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.2f | %.2f | %.2f | %.2f |%n",
          names[mode],
          p50,
          p99,
          p50 / base50,
          p99 / base99);
      System.out.printf(
          Locale.ROOT,
          "{\"bench\":\"journal-append\",\"mode\":%d,\"n\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f}%n",
          mode,
          n,
          p50,
          p99);
    }
  }

  private static AttackState state(String attackId) {
    return AttackState.newBuilder()
        .setAttackId(attackId)
        .setExperimentId("bench")
        .setCommandId("c-" + attackId)
        .setFault("pause-process")
        .setAgentId("journal-bench")
        .setTargets(List.of("victim pid=4242"))
        .setParameters(Map.of())
        .setRecovery(Map.of("victim.pid", "4242"))
        .setStartedAt(System.currentTimeMillis())
        .setExpiresAt(System.currentTimeMillis() + 1000)
        .build();
  }

  private static double percentile(double[] values, int n, double p) {
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }
}
