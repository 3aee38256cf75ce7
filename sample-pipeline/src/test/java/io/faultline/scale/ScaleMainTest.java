package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaleMainTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    out.reset();
    err.reset();
    return ScaleMain.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpOnEveryCommand() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString()).contains("web", "extract", "generate");
    for (String command : new String[] {"web", "extract", "generate"}) {
      assertThat(run(Map.of(), command, "--help")).isZero();
      assertThat(out.toString()).contains("SCALE_DB_URL", "--db-url", "SCALE_GROUP");
    }
  }

  @Test
  void badUsageExitsTwoNamingTheProblem() {
    assertThat(run(Map.of(), "serve")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown command 'serve'");
    assertThat(run(Map.of(), "web", "--colour", "red")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown flag --colour");
    assertThat(run(Map.of(), "extract", "--corpus", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("SCALE_GROUP (--group) is required for extract");
    assertThat(run(Map.of("SCALE_GROUP", "control"), "extract")).isEqualTo(2);
    assertThat(err.toString()).contains("SCALE_CORPUS (--corpus) is required for extract");
    assertThat(run(Map.of(), "generate", "--corpus", "s3://b/p")).isEqualTo(2);
    assertThat(err.toString()).contains("generate writes to a local directory");
    assertThat(run(Map.of(), "generate", "--corpus", dir.toString(), "--corpus-size", "-3"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("SCALE_CORPUS_SIZE '-3'");
  }

  @Test
  void generateThenExtractTwiceFromFlagsAndEnvironment() throws Exception {
    Path corpus = dir.resolve("corpus");
    assertThat(run(Map.of(), "generate", "--corpus", corpus.toString(), "--corpus-size=40"))
        .isZero();
    assertThat(Files.list(corpus).count()).isEqualTo(40);
    Files.writeString(corpus.resolve("zz-corrupt.mid"), "MThd garbage");
    String db = "jdbc:h2:file:" + dir.resolve("db/scale");
    Map<String, String> env = Map.of("SCALE_GROUP", "experimental", "SCALE_DB_URL", db);

    assertThat(run(env, "extract", "--corpus", corpus.toString())).isZero();
    assertThat(out.toString())
        .contains(
            "extract (experimental): 41 files: 40 inserted, 0 updated, 0 unchanged, 1 corrupt")
        .contains("corrupt: " + corpus.resolve("zz-corrupt.mid"));
    assertThat(run(env, "extract", "--corpus", corpus.toString())).isZero();
    assertThat(out.toString()).contains("0 inserted, 0 updated, 40 unchanged, 1 corrupt");
  }

  @Test
  void extractFailsWithExitOneWhenTheDatabaseIsUnreachable() {
    Map<String, String> env =
        Map.of(
            "SCALE_GROUP", "control",
            "SCALE_CORPUS", dir.toString(),
            "SCALE_DB_URL", "jdbc:postgresql://127.0.0.1:1/scale?connectTimeout=1");
    assertThat(run(env, "extract")).isEqualTo(1);
    assertThat(err.toString()).contains("SCALE_DB_URL jdbc:postgresql://127.0.0.1:1/scale");
  }
}
