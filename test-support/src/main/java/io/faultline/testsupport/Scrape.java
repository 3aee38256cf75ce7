package io.faultline.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a {@code /metrics} endpoint, parsed: every sample line as {@code name{labels}} to
 * value, plus what {@code promtool check metrics} (Debian package prometheus) says about the text,
 * when promtool is installed.
 */
public record Scrape(String text, Map<String, Double> samples) {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})?\\s+(\\S+)(\\s+-?\\d+)?$");

  public static Scrape of(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return parse(r.body());
  }

  /** Parses the text format; a line that is neither a comment nor a sample fails. */
  public static Scrape parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a sample line: " + line);
      }
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), value(m.group(3)));
    }
    return new Scrape(text, samples);
  }

  private static double value(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  /** True when some sample's name is {@code name} (any labels). */
  public boolean has(String name) {
    return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  /** The first sample named {@code name} whose label text contains every fragment. */
  public Double value(String name, String... labelFragments) {
    outer:
    for (var e : samples.entrySet()) {
      String k = e.getKey();
      if (!(k.equals(name) || k.startsWith(name + "{"))) {
        continue;
      }
      for (String f : labelFragments) {
        if (!k.contains(f)) {
          continue outer;
        }
      }
      return e.getValue();
    }
    return null;
  }

  /**
   * {@code promtool check metrics}' complaints about the text (empty when it is clean), or null
   * when promtool is not installed.
   */
  public String promtoolProblems() throws IOException, InterruptedException {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      return null;
    }
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").start();
    try (var in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("promtool check metrics did not finish in 30 s");
    }
    return (out + err).strip();
  }
}
