package io.faultline.cli.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The demo's experiment: {@code examples/local-demo.yaml}, which the build puts in the jar as
 * {@code faultline/local-demo.yaml}, so {@code faultline demo} and {@code faultline run
 * examples/local-demo.yaml} declare the same hypotheses and attacks.
 */
public final class DemoExperiment {

  public static final String RESOURCE = "faultline/local-demo.yaml";

  private DemoExperiment() {}

  /** The file's text as bundled. */
  public static String text() {
    try (InputStream in = DemoExperiment.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file, checked as {@code run} checks it. */
  public static ExperimentDefinition definition() {
    return ExperimentFileParser.parse(RESOURCE, text());
  }
}
