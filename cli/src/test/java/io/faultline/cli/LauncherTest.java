package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The launcher script {@code ./faultline} in a copy of the repository's layout, with a Maven
 * wrapper that only records its builds and a java that only echoes: it builds when the jar is
 * missing or older than a main source or pom it is built from, and only then.
 */
class LauncherTest {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Pattern MODULE = Pattern.compile("<module>([a-z-]+)</module>");

  @TempDir Path root;
  Path jar;
  Path classpath;

  /** Before any build: every fixture file is written this long ago. */
  final Instant past = Instant.now().minusSeconds(600);

  @BeforeEach
  void copyTheLayout() throws Exception {
    Files.copy(REPO.resolve("faultline"), root.resolve("faultline"));
    write("pom.xml", "<project/>");
    write("examples/local-demo.yaml", "name: demo");
    for (String module : modules()) {
      write(module + "/pom.xml", "<project/>");
      write(module + "/src/main/java/Main.java", "class Main {}");
      write(module + "/src/test/java/MainTest.java", "class MainTest {}");
    }
    write(
        "mvnw",
        """
        #!/usr/bin/env bash
        echo "$*" >> builds.log
        case "$*" in
          *"-pl cli "*) mkdir -p cli/target && touch cli/target/faultline-cli.jar ;;
          *"-pl scale-spark "*) mkdir -p scale-spark/target && touch scale-spark/target/classpath.txt ;;
        esac
        """);
    write("jdk/bin/java", "#!/usr/bin/env bash\necho \"java $*\"\n");
    for (String exe : List.of("faultline", "mvnw", "jdk/bin/java")) {
      assertThat(root.resolve(exe).toFile().setExecutable(true)).isTrue();
    }
    jar = root.resolve("cli/target/faultline-cli.jar");
    classpath = root.resolve("scale-spark/target/classpath.txt");
  }

  @Test
  void buildsOnFirstUseThenRunsTheFreshJarWithoutBuilding() throws Exception {
    Launch first = launch("demo");
    assertThat(first.builds).containsExactly(build("cli"));
    assertThat(first.stderr).contains("faultline: building the command line: first use");
    assertThat(first.stdout).contains("-jar " + jar + " demo");

    Launch second = launch("demo");
    assertThat(second.builds).isEmpty();
    assertThat(second.stderr).isEmpty();
    assertThat(second.stdout).contains("-jar " + jar + " demo");
  }

  @Test
  void aMainSourceNewerThanTheJarRebuildsAndSaysWhichOnce() throws Exception {
    launch("demo");
    age(jar, 300);
    age(root.resolve("analyzer/src/main/java/Main.java"), 200);

    Launch stale = launch("demo");
    assertThat(stale.builds).containsExactly(build("cli"));
    assertThat(stale.stderr)
        .contains(
            "building the command line: analyzer/src/main/java/Main.java is newer than the last"
                + " build");
    // the stamp is the build's time even where Maven left an up-to-date jar as it was
    assertThat(launch("demo").builds).isEmpty();
  }

  @Test
  void aPomOrABundledExampleNewerThanTheJarRebuilds() throws Exception {
    launch("demo");
    for (String input : List.of("schemas/pom.xml", "pom.xml", "examples/local-demo.yaml")) {
      age(jar, 300);
      age(root.resolve(input), 200);
      Launch stale = launch("demo");
      assertThat(stale.builds).as(input).containsExactly(build("cli"));
      assertThat(stale.stderr).contains(input + " is newer than the last build");
      Files.setLastModifiedTime(root.resolve(input), FileTime.from(past));
    }
  }

  @Test
  void testsAndModulesTheCommandLineDoesNotCarryBuildNothing() throws Exception {
    launch("demo");
    age(jar, 300);
    age(root.resolve("analyzer/src/test/java/MainTest.java"), 200);
    age(root.resolve("bench/src/main/java/Main.java"), 200);
    age(root.resolve("scale-spark/src/main/java/Main.java"), 200);
    assertThat(launch("demo").builds).isEmpty();
  }

  @Test
  void thePipelineBuildsScaleSparkWhenItsClassPathIsMissingOrStale() throws Exception {
    Launch first = launch("demo", "--scenario", "pipeline");
    assertThat(first.builds).containsExactly(build("cli"), build("scale-spark"));
    assertThat(first.stderr).contains("building scale-spark for the pipeline: first use");
    assertThat(launch("run", "examples/spark-executor-kill.yaml").builds).isEmpty();

    age(jar, 300);
    age(classpath, 300);
    age(root.resolve("scale-spark/src/main/java/Main.java"), 200);
    assertThat(launch("demo").builds).as("not a pipeline").isEmpty();
    Launch stale = launch("run", "examples/spark-executor-kill.yaml");
    assertThat(stale.builds).containsExactly(build("scale-spark"));
    assertThat(stale.stderr).contains("scale-spark/src/main/java/Main.java is newer");
  }

  @Test
  void rebuildIsForcedByTheEnvironment() throws Exception {
    launch("demo");
    Launch forced = launch(List.of("FAULTLINE_REBUILD=1"), "status");
    assertThat(forced.builds).containsExactly(build("cli"));
    assertThat(forced.stderr).contains("building the command line: FAULTLINE_REBUILD is set");
  }

  /** The script's module lists are the modules each build carries: the poms' non-test closure. */
  @Test
  void theScriptsModuleListsAreThePomsRuntimeClosure() throws Exception {
    String script = Files.readString(REPO.resolve("faultline"));
    assertThat(listed(script, "cli_modules")).isEqualTo(closure("cli"));
    assertThat(listed(script, "spark_modules")).isEqualTo(closure("scale-spark"));
  }

  private static Set<String> listed(String script, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=\"([^\"]*)\"$").matcher(script);
    assertThat(m.find()).as(name + " in ./faultline").isTrue();
    return new TreeSet<>(Arrays.asList(m.group(1).split(" ")));
  }

  /** The module and every faultline module it depends on outside the test scope, transitively. */
  private static Set<String> closure(String module) throws Exception {
    Set<String> seen = new TreeSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(module));
    while (!todo.isEmpty()) {
      String m = todo.pop();
      if (!seen.add(m)) {
        continue;
      }
      Element project =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(REPO.resolve(m).resolve("pom.xml").toFile())
              .getDocumentElement();
      for (Element deps : children(project, "dependencies")) {
        for (Element dep : children(deps, "dependency")) {
          String artifact = text(dep, "artifactId");
          if (artifact.startsWith("faultline-") && !text(dep, "scope").equals("test")) {
            todo.push(artifact.substring("faultline-".length()));
          }
        }
      }
    }
    return seen;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? "" : found.get(0).getTextContent().strip();
  }

  private static List<String> modules() throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m = MODULE.matcher(Files.readString(REPO.resolve("pom.xml")));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String build(String module) {
    return "-q -B -DskipTests -Dspotless.skip=true package -pl " + module + " -am";
  }

  private void write(String file, String text) throws IOException {
    Path path = root.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
    Files.setLastModifiedTime(path, FileTime.from(past));
  }

  /** Sets the file's modification time to that many seconds ago. */
  private static void age(Path file, long seconds) throws IOException {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(seconds)));
  }

  record Launch(List<String> builds, String stdout, String stderr) {}

  private Launch launch(String... args) throws Exception {
    return launch(List.of(), args);
  }

  private Launch launch(List<String> env, String... args) throws Exception {
    Path log = root.resolve("builds.log");
    List<String> before = Files.exists(log) ? Files.readAllLines(log) : List.of();
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("faultline").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
    pb.environment().remove("FAULTLINE_REBUILD");
    pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
    for (String kv : env) {
      pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    Path out = root.resolve("stdout.txt");
    Path err = root.resolve("stderr.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("./faultline ended").isTrue();
    assertThat(p.exitValue()).as("./faultline exit, stderr: %s", Files.readString(err)).isZero();
    List<String> after = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return new Launch(
        after.subList(before.size(), after.size()),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
