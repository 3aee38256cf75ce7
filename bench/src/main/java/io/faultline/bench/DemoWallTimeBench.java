package io.faultline.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Demo wall time: {@code faultline demo} (the built CLI jar, default phases) from start to its
 * verdict, in a child JVM. No baseline can make this a ratio: it is the figure a new user lives
 * through, reported with the verdict lines the demo printed.
 *
 * <p>Usage: {@code DemoWallTimeBench [PATH-TO-faultline-cli.jar] [demo options...]}
 */
public final class DemoWallTimeBench {

  private DemoWallTimeBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "cli/target/faultline-cli.jar");
    if (!Files.isRegularFile(jar)) {
      System.err.println(
          "DemoWallTimeBench: "
              + jar
              + " not found; build it: ./mvnw -q -B package -DskipTests -pl cli -am");
      System.exit(2);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.add("demo");
    for (int i = 1; i < args.length; i++) {
      command.add(args[i]);
    }
    long begin = System.nanoTime();
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> verdict = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        System.err.println("demo> " + line); // progress for whoever watches the suite
        if (line.contains("VERDICT") || line.contains("MTTD")) {
          verdict.add(line.strip());
        }
      }
    }
    if (!demo.waitFor(20, TimeUnit.MINUTES)) {
      demo.destroyForcibly();
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    System.out.println("| measure | value |");
    System.out.println("|---|---|");
    System.out.printf(Locale.ROOT, "| `faultline demo` start to verdict, s | %.1f |%n", seconds);
    System.out.printf(Locale.ROOT, "| exit code | %d |%n", demo.exitValue());
    System.out.println();
    System.out.println("What it printed at the end:");
    System.out.println();
    System.out.println("```");
    verdict.forEach(System.out::println);
    System.out.println("```");
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"demo-wall-time\",\"seconds\":%.1f,\"exit\":%d,\"verdict_lines\":%d}%n",
        seconds,
        demo.exitValue(),
        verdict.size());
  }
}
