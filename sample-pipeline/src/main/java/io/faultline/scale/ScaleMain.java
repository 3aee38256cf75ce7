package io.faultline.scale;

import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale's one entry point: {@code web} (the API), {@code extract} (the batch job) and {@code
 * generate} (a MIDI corpus). Configuration comes from {@code SCALE_*} environment variables,
 * overridden by flags ({@code --db-url} for {@code SCALE_DB_URL}). Exit codes: 0 done, 1 fatal
 * error, 2 bad usage or configuration.
 */
public final class ScaleMain {

  static {
    // our own logging configuration, by name: other jars on the classpath carry a logback.xml
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "scale-logback.xml");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ScaleMain.class);

  private static final Map<String, String> COMMANDS =
      Map.of(
          "web", "serve the web API (self-seeds an empty embedded database)",
          "extract",
              "extract the instruments of every MIDI file in SCALE_CORPUS into the store, then exit",
          "generate",
              "write a reproducible corpus of SCALE_CORPUS_SIZE MIDI files into the directory SCALE_CORPUS");

  private ScaleMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0 || !(args.length > 0 && args[0].equals("web"))) {
      System.exit(code);
    }
  }

  /** Runs a command; {@code web} returns 0 once serving and keeps running in its threads. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      out.println(usage(null));
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    if (!COMMANDS.containsKey(command)) {
      err.println("scale: unknown command '" + command + "'\n" + usage(null));
      return 2;
    }
    ScaleConfig config;
    try {
      Map<String, String> settings = new HashMap<>();
      env.forEach(
          (k, v) -> {
            if (k.startsWith("SCALE_")) {
              settings.put(k, v);
            }
          });
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          out.println(usage(command));
          return 0;
        }
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException(
              "argument '" + a + "': expected a flag such as --group");
        }
        String flag = a.substring(2);
        String value;
        int eq = flag.indexOf('=');
        if (eq >= 0) {
          value = flag.substring(eq + 1);
          flag = flag.substring(0, eq);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("flag --" + flag + " needs a value");
        }
        String key = "SCALE_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
        if (!ScaleConfig.KEYS.containsKey(key)) {
          throw new IllegalArgumentException(
              "unknown flag --" + flag + "; see scale " + command + " --help");
        }
        settings.put(key, value);
      }
      config = ScaleConfig.fromMap(settings);
      if (!command.equals("generate")) {
        config.requireGroup(command);
      }
      if (!command.equals("web") && config.corpus() == null) {
        throw new IllegalArgumentException(
            "SCALE_CORPUS (--corpus) is required for "
                + command
                + (command.equals("generate")
                    ? ": a directory"
                    : ": a directory or s3://bucket/prefix"));
      }
      if (command.equals("generate") && config.corpus().startsWith("s3://")) {
        throw new IllegalArgumentException(
            "SCALE_CORPUS '" + config.corpus() + "': generate writes to a local directory");
      }
    } catch (IllegalArgumentException e) {
      err.println("scale " + command + ": " + e.getMessage());
      return 2;
    }
    try {
      return switch (command) {
        case "generate" -> generate(config, out);
        case "extract" -> extract(config, out);
        default -> web(config, out);
      };
    } catch (Exception e) {
      log.error("scale {} failed", command, e);
      err.println("scale " + command + ": " + e.getMessage());
      return 1;
    }
  }

  private static int generate(ScaleConfig config, PrintStream out) throws IOException {
    long start = System.nanoTime();
    MidiCorpusGenerator.generate(Path.of(config.corpus()), config.corpusSize(), config.seed());
    out.printf(
        "generated %d MIDI files (seed %d) into %s in %d ms%n",
        config.corpusSize(),
        config.seed(),
        config.corpus(),
        (System.nanoTime() - start) / 1_000_000);
    return 0;
  }

  private static int extract(ScaleConfig config, PrintStream out) throws Exception {
    try (SongStore store =
            SongStore.open(
                config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
        CorpusSource source = openCorpus(config)) {
      ExtractionJob.Report report = new ExtractionJob(store, config.extractThreads()).run(source);
      out.println("extract (" + config.group() + "): " + report);
      for (String name : report.corruptFiles()) {
        out.println("  corrupt: " + name);
      }
    }
    return 0;
  }

  static CorpusSource openCorpus(ScaleConfig config) {
    String corpus = config.corpus();
    return corpus.startsWith("s3://")
        ? S3Corpus.open(corpus, config.s3Region(), config.s3Endpoint())
        : new DirectoryCorpus(Path.of(corpus));
  }

  private static int web(ScaleConfig config, PrintStream out) throws Exception {
    SongStore store =
        SongStore.open(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
    ScaleServer server = new ScaleServer(config, store);
    ScheduledExecutorService refresh =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("scale-index-refresh"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  refresh.shutdownNow();
                  server.close();
                  store.close();
                }));
    if (config.embeddedDb() && store.count() == 0) {
      seed(config, store);
    }
    server.refreshIndex();
    refresh.scheduleWithFixedDelay(
        () -> {
          try {
            server.refreshIndex();
          } catch (Exception e) {
            log.warn("{}: index refresh failed: {}", config.name(), e.getMessage());
          }
        },
        config.indexRefreshSeconds(),
        config.indexRefreshSeconds(),
        TimeUnit.SECONDS);
    out.println("LISTENING " + server.port());
    out.flush();
    return 0;
  }

  /**
   * Fills an empty embedded database: from SCALE_CORPUS when given, else from a generated corpus.
   */
  static void seed(ScaleConfig config, SongStore store) throws Exception {
    ExtractionJob job = new ExtractionJob(store, config.extractThreads());
    if (config.corpus() != null) {
      try (CorpusSource source = openCorpus(config)) {
        log.info(
            "{}: seeding the empty embedded database from {}", config.name(), source.describe());
        job.run(source);
      }
      return;
    }
    log.info(
        "{}: seeding the empty embedded database with {} generated songs (seed {})",
        config.name(),
        config.corpusSize(),
        config.seed());
    job.run(new GeneratedCorpus(config.corpusSize(), config.seed()));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String usage(String command) {
    StringBuilder s = new StringBuilder();
    if (command == null) {
      s.append(
          "Usage: scale COMMAND [--flag value ...]   (java -cp ... io.faultline.scale.ScaleMain)\n");
      s.append("Commands:\n");
      for (String c : new String[] {"web", "extract", "generate"}) {
        s.append(String.format("  %-9s %s%n", c, COMMANDS.get(c)));
      }
      s.append("Run 'scale COMMAND --help' for its settings.");
      return s.toString();
    }
    s.append("Usage: scale ").append(command).append(" [--flag value ...]\n");
    s.append(COMMANDS.get(command)).append('\n');
    s.append("Settings: environment variable / flag (default) meaning\n");
    ScaleConfig.KEYS.forEach(
        (key, v) -> {
          String flag =
              "--" + key.substring("SCALE_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
          s.append(
              String.format(
                  "  %-22s %-20s %s%s%n",
                  key, flag, v[1], v[0].isEmpty() ? "" : " (default " + v[0] + ")"));
        });
    if (command.equals("web")) {
      s.append("Prints 'LISTENING <port>' once it serves.");
    } else {
      s.append(
          "Exit codes: 0 done (corrupt MIDI files are skipped and counted), 1 fatal error, 2 bad configuration.");
    }
    return s.toString();
  }
}
