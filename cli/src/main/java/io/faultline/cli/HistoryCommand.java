package io.faultline.cli;

import io.faultline.cli.history.DemoHistory;
import io.faultline.cli.history.HistoryTable;
import io.faultline.cli.report.TopicReader;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code faultline history}: the analyzer's weekly rollup per service, with trends. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    header = "Show experiments, incidents, MTTD and MTTR per service and week, with trends.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:read", ExitCodes.USAGE_OR_ERROR},
    description = {
      "Reads the compacted history topic (the analyzer's HistoryRollup of the results): per",
      "service and ISO week of the experiments' start, runs, held, incidents by SEV, alerts and",
      "MTTD/MTTR p50, with arrows against the previous week (which way the number moved).",
      "--demo-dir reads what `faultline demo` kept in its data directory instead."
    })
public final class HistoryCommand implements Callable<Integer> {

  @Option(names = "--service", paramLabel = "S", description = "Only this service.")
  String service;

  @Option(
      names = "--weeks",
      paramLabel = "N",
      description = "The last N weeks with experiments (default: ${DEFAULT-VALUE}).")
  int weeks = 8;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "text, json or html (default: ${DEFAULT-VALUE}).")
  String output = "text";

  @Option(
      names = "--timeout",
      description = "Time to read the topic, 1s to 1h (default: ${DEFAULT-VALUE}).")
  String timeout = "30s";

  @Option(
      names = "--demo-dir",
      paramLabel = "DIR",
      description =
          "The demo's data directory (e.g. .faultline/demo): its kept results and alerts,"
              + " rolled up as the analyzer does, instead of the history topic.")
  java.nio.file.Path demoDir;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (!List.of("text", "json", "html").contains(output)) {
      err.println("faultline history: --output '" + output + "': must be text, json or html");
      return 2;
    }
    if (weeks < 1 || weeks > 520) {
      err.println("faultline history: --weeks " + weeks + ": must be from 1 to 520");
      return 2;
    }
    if (demoDir != null && !java.nio.file.Files.isDirectory(demoDir)) {
      err.println(
          "faultline history: --demo-dir "
              + demoDir
              + ": no such directory; give the demo's --data-dir (default .faultline/demo)");
      return 2;
    }
    try {
      Duration wait = KafkaOptions.waitFor("--timeout", timeout);
      Topics topics = Topics.named(kafka.topicsPrefix);
      Map<String, ServiceHistory> latest;
      if (demoDir != null) {
        latest = new DemoHistory(demoDir.resolve("history")).rollup();
      } else {
        try (TopicReader reader = new TopicReader(kafka.clientConfig())) {
          latest =
              TopicReader.latestPerKey(
                  reader.readAll(topics.history().name(), wait),
                  AvroSerde.of(ServiceHistory.class));
        }
      }
      var rows = HistoryTable.select(latest.values(), service, weeks);
      if (output.equals("json")) {
        HistoryTable.printJson(rows, out);
      } else if (output.equals("html")) {
        out.print(io.faultline.cli.history.HistoryHtml.render(rows));
      } else {
        HistoryTable.printText(rows, out);
      }
      return 0;
    } catch (Exception e) {
      err.println("faultline history: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 2;
    }
  }
}
