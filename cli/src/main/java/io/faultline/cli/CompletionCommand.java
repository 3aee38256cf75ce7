package io.faultline.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** {@code faultline completion}: a bash/zsh completion script from picocli's generator. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    header = "Print a bash/zsh completion script for faultline.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:printed", ExitCodes.USAGE_OR_ERROR_OFFLINE},
    description = {
      "Print a bash (and zsh, with bashcompinit) completion script for faultline.",
      "Use: source <(faultline completion)"
    })
public final class CompletionCommand implements Callable<Integer> {

  PrintStream out = System.out;

  @Override
  public Integer call() {
    out.print(AutoComplete.bash("faultline", FaultlineCli.commandLine()));
    return 0;
  }
}
