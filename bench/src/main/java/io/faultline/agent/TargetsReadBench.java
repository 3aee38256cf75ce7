package io.faultline.agent;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The targets directory as a START reads it (docs/adr/0106): every file listed and parsed (the read
 * before 0106) against {@link LocalTargets#read()} (listed, stat'd, parsed again only when a file
 * changed), interleaved in rounds over the same settled files, with 1 and with 50 target files. The
 * first reads run interpreted, as an agent's few hundred STARTs do. In this package because the
 * parse is the agent's own. Usage: {@code TargetsReadBench [reads per mode, default 2000]}.
 */
public final class TargetsReadBench {

  private TargetsReadBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = 10;
    System.out.println(
        "| target files | read | reads | p50 ms | p99 ms | first 200: p50 ms | ratio of p50 |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int files : new int[] {1, 50}) {
      Path dir = Files.createTempDirectory("targets-bench");
      for (int i = 0; i < files; i++) {
        Files.writeString(
            dir.resolve("web-" + i + ".properties"),
            "name=web-"
                + i
                + "\ngroup="
                + (i % 2 == 0 ? "EXPERIMENTAL" : "CONTROL")
                + "\npid="
                + (40000 + i)
                + "\nport=8080\nzone=zone-"
                + (i % 3)
                + "\nrole=web\n");
      }
      Thread.sleep(LocalTargets.SETTLED.toMillis() + 500); // the files settle, as a fleet's do
      LocalTargets cached = new LocalTargets(dir);
      double[][] ms = new double[2][n];
      int perRound = n / rounds;
      for (int r = 0; r < rounds; r++) {
        for (int mode = 0; mode < 2; mode++) {
          for (int i = r * perRound; i < (r + 1) * perRound; i++) {
            long t = System.nanoTime();
            int read = mode == 0 ? parseEvery(dir).size() : cached.read().size();
            ms[mode][i] = (System.nanoTime() - t) / 1e6;
            if (read != files) {
              throw new IllegalStateException(read + " targets read of " + files);
            }
          }
        }
      }
      double before = quantile(ms[0], 0.5);
      String[] names = {"every file parsed (before)", "stat'd, parsed when changed"};
      for (int mode = 0; mode < 2; mode++) {
        double[] first = Arrays.copyOf(ms[mode], Math.min(200, n));
        System.out.printf(
            Locale.ROOT,
            "| %d | %s | %d | %.3f | %.3f | %.3f | %.2f |%n",
            files,
            names[mode],
            n,
            quantile(ms[mode], 0.5),
            quantile(ms[mode], 0.99),
            quantile(first, 0.5),
            quantile(ms[mode], 0.5) / before);
      }
    }
  }

  /** The read before docs/adr/0106: list, then parse every file. */
  private static List<ProcessTarget> parseEvery(Path dir) throws Exception {
    List<ProcessTarget> targets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
      for (Path file : files) {
        targets.add(LocalTargets.parse(file));
      }
    }
    return targets;
  }

  private static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
