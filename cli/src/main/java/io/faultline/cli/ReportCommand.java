package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.ExperimentReport;
import io.faultline.cli.report.HtmlReport;
import io.faultline.cli.report.JsonReport;
import io.faultline.cli.report.MarkdownReport;
import io.faultline.cli.report.TopicReader;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code faultline report EXPERIMENT}: HTML, JSON and Markdown, from the topics alone. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    header = "Build an experiment's report (HTML, JSON, Markdown) from the topics alone.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      "0:report written, whatever the verdict",
      "2:usage error, bad input, a failure, or no such experiment on the topics"
    },
    description = {
      "Build an experiment's report from the topics alone (experiments, attack.events,",
      "steadystate, alerts, results): one self-contained HTML file (inline SVG plots, opens",
      "offline), JSON for scripts, a short Markdown summary for a pull request.",
      "Without a file option the Markdown (or, with --output json, the JSON) goes to stdout."
    })
public final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "The experiment id.")
  String experimentId;

  @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report here.")
  Path html;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report here.")
  Path json;

  @Option(
      names = "--markdown",
      paramLabel = "FILE",
      description = "Write the Markdown summary here.")
  Path markdown;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "What goes to stdout: markdown or json (default: ${DEFAULT-VALUE}).")
  String output = "markdown";

  @Option(
      names = "--from-recording",
      paramLabel = "FILE",
      description = "Read a recording saved with --save-recording instead of the topics.")
  Path fromRecording;

  @Option(
      names = "--save-recording",
      paramLabel = "FILE",
      description = "Also save the experiment's records (Avro JSON, one per line).")
  Path saveRecording;

  @Option(
      names = "--timeout",
      description = "Time to read the topics, 1s to 1h (default: ${DEFAULT-VALUE}).")
  String timeout = "30s";

  @Mixin KafkaOptions kafka = new KafkaOptions();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (!output.equals("markdown") && !output.equals("json")) {
      err.println("faultline report: --output '" + output + "': must be markdown or json");
      return 2;
    }
    try {
      Duration wait = KafkaOptions.waitFor("--timeout", timeout);
      ExperimentPlan.checkedId("EXPERIMENT", experimentId);
      ExperimentRecording rec;
      if (fromRecording != null) {
        if (!Files.isRegularFile(fromRecording)) {
          err.println(
              "faultline report: --from-recording "
                  + fromRecording
                  + (Files.isDirectory(fromRecording) ? ": a directory" : ": no such file")
                  + "; give a file that --save-recording wrote");
          return 2;
        }
        rec = ExperimentRecording.load(fromRecording);
      } else {
        try (TopicReader reader = new TopicReader(kafka.clientConfig())) {
          rec =
              ExperimentRecording.fromTopics(
                  reader, Topics.named(kafka.topicsPrefix), experimentId, wait);
        }
      }
      if (rec.isEmpty()) {
        err.println(
            "faultline report: no records of experiment '"
                + experimentId
                + "' on the topics (prefix "
                + kafka.topicsPrefix
                + ")");
        return 2;
      }
      if (saveRecording != null) {
        rec.save(saveRecording);
      }
      ExperimentReport report = ExperimentReport.of(rec);
      boolean wrote = false;
      if (html != null) {
        write(html, HtmlReport.render(report));
        wrote = true;
      }
      if (json != null) {
        write(json, JsonReport.render(report));
        wrote = true;
      }
      if (markdown != null) {
        write(markdown, MarkdownReport.render(report));
        wrote = true;
      }
      if (!wrote || output.equals("json")) {
        out.print(
            output.equals("json") ? JsonReport.render(report) : MarkdownReport.render(report));
      } else {
        out.println(report.outcome().headline() + " - " + report.outcome().why());
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("faultline report: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 2;
    }
  }

  private void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    out.println("wrote " + file + " (" + Files.size(file) + " bytes)");
  }
}
