package io.faultline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image tarballs of the {@code images} profile: entrypoint, user, file modes, and the image's
 * own runtime and classpath running the main class. Skipped when the tarballs were not built.
 */
class ImageTarballTest {

  static final String BUILD =
      "./mvnw -B -Pimages -DskipTests -Dspotless.skip=true package"
          + " -pl attack-agent,metrics-collector,analyzer,cli,sample-pipeline,scale-spark -am";

  /**
   * {@code exit}: what the main class exits with on {@code --help}; scale-spark's entry point has
   * no help and names its roles instead (exit 2), which still proves it loads from the image.
   */
  @ParameterizedTest(name = "{1}")
  @CsvSource({
    "attack-agent, attack-agent, io.faultline.agent.AgentMain, 0, Usage: AgentMain",
    "metrics-collector, metrics-collector, io.faultline.collector.CollectorMain, 0, Usage",
    "analyzer, analyzer, io.faultline.analyzer.AnalyzerApp, 0, Usage: faultline-analyzer",
    "cli, cli, io.faultline.cli.FaultlineCli, 0, Usage: faultline",
    "sample-pipeline, scale, io.faultline.scale.ScaleMain, 0, Usage",
    "scale-spark, scale-spark, io.faultline.scale.spark.SparkPodMain, 2, the first argument is driver",
  })
  void imageRunsItsMainClassAsNonRootFromItsOwnRuntime(
      String module, String image, String main, int exit, String usage, @TempDir Path tmp)
      throws Exception {
    Path tarball = Charts.ROOT.resolve(module).resolve("target/jib-image.tar").normalize();
    assumeTrue(
        Files.isRegularFile(tarball),
        "image tarball " + tarball + " not built (the images profile is off by default): " + BUILD);
    ImageTarball img = new ImageTarball(tarball);

    assertThat(img.manifest.get("RepoTags").get(0).asText()).startsWith("faultline/" + image + ":");
    JsonNode config = img.config.get("config");
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/tmp");
    List<String> entrypoint = strings(config.get("Entrypoint"));
    assertThat(entrypoint)
        .startsWith("/opt/java/bin/java")
        .contains(
            "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp")
        .endsWith("-cp", "@/app/jib-classpath-file", main);
    if (image.equals("scale")) {
      assertThat(strings(config.get("Cmd"))).containsExactly("web");
      assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    }
    // the kernel needs x on the binary and on its ELF loader; nothing is setuid
    assertThat(img.modes.get("opt/java/bin/java") & 0111).isEqualTo(0111);
    assertThat(img.modes.get("lib64/ld-linux-x86-64.so.2") & 0111).isEqualTo(0111);
    assertThat(img.modes.values()).allSatisfy(m -> assertThat(m & 06000).isZero());

    Path root = tmp.resolve("rootfs");
    img.unpack(root);
    assertThat(unresolvedNativeLibraries(root)).isEmpty();
    // IRSA on EKS: the AWS SDK's default chain reads the web identity token only with its sts
    // module on the classpath; without it an image with an AWS client has no credentials
    List<String> libs;
    try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
      libs = jars.map(j -> j.getFileName().toString()).toList();
    }
    if (libs.stream().anyMatch(j -> j.matches("(ec2|fis|cloudwatch|s3)-2\\..*\\.jar"))) {
      assertThat(libs)
          .as("%s uses the AWS SDK but lacks software.amazon.awssdk:sts (IRSA credentials)", image)
          .anyMatch(j -> j.matches("sts-2\\..*\\.jar"));
    }
    String mainPath = "app/classes/" + main.replace('.', '/') + ".class";
    boolean inLibs;
    try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
      inLibs = jars.anyMatch(j -> jarHas(j, mainPath.substring("app/classes/".length())));
    }
    assumeTrue(
        Files.exists(root.resolve(mainPath)) || inLibs,
        main + " is not in " + module + " yet (the Scale contract's main class): nothing to run");
    // the image's classpath with the unpacked root in front; the image's jlink'ed java runs it
    String classpath =
        Stream.of(Files.readString(root.resolve("app/jib-classpath-file")).strip().split(":"))
            .map(p -> root + p)
            .collect(Collectors.joining(":"));
    List<String> command = new ArrayList<>();
    command.add(root.resolve("opt/java/bin/java").toString());
    for (String arg : entrypoint.subList(1, entrypoint.size() - 3)) {
      command.add(arg.replace("/tmp", tmp.toString()));
    }
    command.addAll(List.of("-cp", classpath, main, "--help"));
    String result = ImageTarball.run(tmp, command, 120);
    assertThat(result).startsWith("exit " + exit + "\n").contains(usage);
  }

  /** Directories the image's loader searches (glibc's multiarch, the JRE's RPATHs). */
  private static final List<String> LIBRARY_DIRS =
      List.of(
          "lib/x86_64-linux-gnu",
          "lib64",
          "usr/lib/x86_64-linux-gnu",
          "opt/java/lib",
          "opt/java/lib/server");

  /** The JRE's own libraries the image leaves out on purpose: they need an X11 display. */
  private static final java.util.Set<String> NO_DISPLAY =
      java.util.Set.of("libawt_xawt.so", "libsplashscreen.so", "libjawt.so");

  /**
   * Every x86-64 native library the image may load (the JRE's, and the glibc builds inside the
   * application's jars: RocksDB, zstd, snappy, lz4) with a DT_NEEDED library the image lacks.
   */
  static List<String> unresolvedNativeLibraries(Path root) throws java.io.IOException {
    java.util.Map<String, byte[]> natives = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(root.resolve("opt/java"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if ((name.endsWith(".so") && !NO_DISPLAY.contains(name)) || f.endsWith("bin/java")) {
          natives.put(root.relativize(f).toString(), Files.readAllBytes(f));
        }
      }
    }
    try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
      for (Path jar : jars.toList()) {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
          for (var entry : java.util.Collections.list(zip.entries())) {
            String n = entry.getName().toLowerCase(java.util.Locale.ROOT);
            if (n.contains(".so")
                && n.contains("linux")
                && !n.contains("musl")
                && (n.contains("x86_64") || n.contains("amd64") || n.contains("linux64"))) {
              try (var in = zip.getInputStream(entry)) {
                natives.put(jar.getFileName() + "!" + entry.getName(), in.readAllBytes());
              }
            }
          }
        }
      }
    }
    List<String> missing = new ArrayList<>();
    natives.forEach(
        (where, bytes) -> {
          List<String> needed = ImageTarball.neededLibraries(bytes);
          if (needed == null) {
            return;
          }
          for (String lib : needed) {
            if (LIBRARY_DIRS.stream()
                .noneMatch(dir -> Files.exists(root.resolve(dir).resolve(lib)))) {
              missing.add(where + " needs " + lib);
            }
          }
        });
    assertThat(natives).isNotEmpty();
    return missing;
  }

  private static boolean jarHas(Path jar, String entry) {
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
      return zip.getEntry(entry) != null;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
