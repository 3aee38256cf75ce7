package io.faultline.cli;

import io.faultline.schema.PublishedSchemas;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code faultline schemas list|export DIR}: the Avro schemas of faultline's topics, with the
 * fingerprint a record of each carries, for consumers without faultline's jar (docs/consumers.md).
 */
@Command(
    name = "schemas",
    mixinStandardHelpOptions = true,
    header = "List or export the topics' Avro schemas (.avsc) and their fingerprints.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.HELP, ExitCodes.USAGE_OR_ERROR_OFFLINE},
    description = "Subcommands: list, export DIR.",
    subcommands = {SchemasCommand.ListSchemas.class, SchemasCommand.Export.class})
final class SchemasCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      header = "List every schema file with its record and fingerprint.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {"0:listed", ExitCodes.USAGE_OR_ERROR_OFFLINE},
      description = {
        "Every schema file, current and earlier versions, with its record and the fingerprint",
        "(16 hex digits: bytes 2 to 9 of every record written with it)."
      })
  static final class ListSchemas implements Callable<Integer> {
    PrintStream out = System.out;

    @Override
    public Integer call() {
      for (PublishedSchemas.File f : PublishedSchemas.all()) {
        if (f.fingerprints().isEmpty()) {
          out.printf("%-32s (shared types)%n", f.path());
        }
        f.fingerprints()
            .forEach((record, fp) -> out.printf("%-32s %-40s %s%n", f.path(), record, fp));
      }
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      header = "Write every .avsc file into a directory.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {"0:written", ExitCodes.USAGE_OR_ERROR_OFFLINE},
      description = "Writes every .avsc file (earlier versions under history/) into DIR.")
  static final class Export implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to write into.")
    Path dir;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
      // picocli reads an empty argument as no path
      if (dir == null || dir.toString().isEmpty()) {
        err.println("faultline schemas export: DIR '': give a directory to write into");
        return 2;
      }
      if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
        err.println(
            "faultline schemas export: DIR "
                + dir
                + ": a file, not a directory; give a directory to write into");
        return 2;
      }
      try {
        int n = PublishedSchemas.export(dir).size();
        out.println("wrote " + n + " schema files to " + dir);
        return 0;
      } catch (RuntimeException e) {
        err.println("faultline schemas export: " + e.getMessage());
        return 2;
      }
    }
  }
}
