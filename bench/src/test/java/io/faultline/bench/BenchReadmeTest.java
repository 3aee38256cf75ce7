package io.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The build commands the docs give work without installing into the shared ~/.m2. */
class BenchReadmeTest {

  private static final Pattern INSTALL = Pattern.compile("mvnw\\b[^\\n`]*\\binstall\\b");

  @Test
  void noDocumentedBuildCommandInstalls() throws Exception {
    Path root = Path.of("..");
    List<Path> docs;
    try (Stream<Path> files = Files.walk(root)) {
      docs =
          files
              .filter(p -> p.toString().endsWith(".md"))
              .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/."))
              .toList();
    }
    assertThat(docs).contains(root.resolve("bench").resolve("README.md"));
    for (Path doc : docs) {
      assertThat(INSTALL.matcher(Files.readString(doc)).find())
          .as("%s gives a ./mvnw ... install command", doc)
          .isFalse();
    }
  }

  @Test
  void theBenchReadmeSaysHowToBuildWithoutInstalling() throws Exception {
    assertThat(Files.readString(Path.of("README.md")))
        .contains("./mvnw -q -B -pl bench -am -DskipTests package");
  }
}
