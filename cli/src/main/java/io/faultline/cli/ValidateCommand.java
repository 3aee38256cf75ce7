package io.faultline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.analyzer.WindowJudge;
import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentFileException;
import io.faultline.cli.experiment.ExperimentFileParser;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.experiment.PlanText;
import io.faultline.cli.experiment.WarmUpWindows;
import io.faultline.cli.report.Outcome;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code faultline validate FILE}: every check {@code run} makes on a file, with no broker. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    header = "Check an experiment file as run would, without a broker.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      "0:every file is valid",
      "2:usage error, or a file is invalid (every error listed)"
    },
    description = {
      "Check an experiment file as run does before anything runs (structure, faults and their",
      "parameters from the agent's catalogue, selectors, sources, guards, the plan's length) and",
      "print the plan, or every error with its path; a warm-up of fewer than "
          + WindowJudge.SHARP_WARMUP_WINDOWS
          + " windows is valid",
      "but warned about (docs/adr/0086). Needs no broker; sends nothing. In text, the",
      "plans go to stdout and the errors to stderr; --output json writes both to stdout."
    })
public final class ValidateCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Experiment files (YAML).")
  List<Path> files;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String output = "text";

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (!output.equals("text") && !output.equals("json")) {
      err.println("faultline validate: --output '" + output + "': must be text or json");
      return Outcome.ERROR;
    }
    int code = Outcome.HELD;
    var results = JsonNodeFactory.instance.arrayNode();
    for (Path file : files) {
      ObjectNode result = results.addObject().put("file", file.toString());
      try {
        ExperimentDefinition d = ExperimentFileParser.read(file);
        ExperimentPlan plan = new ExperimentPlan(d, d.metadata().name());
        for (int i = 0; i < d.method().attacks().size(); i++) {
          plan.start(i, true); // the commands run would send can be built
        }
        result.put("valid", true).putArray("errors");
        var warnings = result.putArray("warnings");
        WarmUpWindows.warning(d).ifPresent(warnings::add);
        if (output.equals("text")) {
          out.println(file + ": valid");
          PlanText.print(plan, Topics.defaults().experiments().name(), out);
        }
      } catch (ExperimentFileException e) {
        code = Outcome.ERROR;
        var errors = result.put("valid", false).putArray("errors");
        e.errors().forEach(errors::add);
        if (output.equals("text")) {
          err.println(e.getMessage());
        }
      }
    }
    if (output.equals("json")) {
      try {
        out.println(
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(results));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return code;
  }
}
