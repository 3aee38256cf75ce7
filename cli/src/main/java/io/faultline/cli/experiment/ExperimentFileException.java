package io.faultline.cli.experiment;

import java.util.List;

/**
 * Every problem found in an experiment file, each {@code path: what is wrong and what is allowed}.
 */
public final class ExperimentFileException extends RuntimeException {

  private final List<String> errors;

  public ExperimentFileException(String file, List<String> errors) {
    super(file + ": " + errors.size() + " error(s)\n  " + String.join("\n  ", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
