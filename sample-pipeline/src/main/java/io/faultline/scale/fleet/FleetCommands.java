package io.faultline.scale.fleet;

import io.faultline.common.Executables;
import io.faultline.scale.ScaleMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** How each member of a fleet starts: its command line, from the Debian packages' binaries. */
public final class FleetCommands {

  /** The Debian package of each binary a fleet needs. */
  static final List<String[]> PACKAGES =
      List.of(
          new String[] {"haproxy", "haproxy"},
          new String[] {"patroni", "patroni"},
          new String[] {"etcd", "etcd-server"});

  private static final Path POSTGRES_ROOT = Path.of("/usr/lib/postgresql");

  private FleetCommands() {}

  /**
   * The Debian packages a fleet needs that are not installed here (empty when it can start): {@code
   * haproxy}, {@code patroni}, {@code etcd-server}, {@code postgresql}.
   */
  public static List<String> missingPackages() {
    return missingPackages(searchPath(), POSTGRES_ROOT);
  }

  /**
   * The same, looking for the binaries in {@code dirs} only and for PostgreSQL under {@code
   * postgresRoot} (a test's lookup without uninstalling anything).
   */
  public static List<String> missingPackages(List<String> dirs, Path postgresRoot) {
    List<String> missing = new ArrayList<>();
    for (String[] p : PACKAGES) {
      if (Executables.find(p[0], dirs).isEmpty()) {
        missing.add(p[1]);
      }
    }
    if (postgresBin(postgresRoot) == null) {
      missing.add("postgresql");
    }
    return missing;
  }

  /**
   * What is missing and the one line that installs it, e.g. "needs the Debian packages haproxy:
   * sudo apt-get install -y haproxy"; empty when nothing is.
   */
  public static java.util.Optional<String> missingPackagesMessage() {
    return missingPackagesMessage(missingPackages());
  }

  /** The message for what {@link #missingPackages(List, Path)} found missing. */
  public static java.util.Optional<String> missingPackagesMessage(List<String> missing) {
    return missing.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            "needs the Debian packages "
                + String.join(", ", missing)
                + ": "
                + installLine(missing));
  }

  /**
   * Why a fleet with its files in {@code dataDir} cannot start here, checked before anything
   * starts: the Debian packages it needs ("needs the Debian packages ..."), then whether user
   * postgres reaches the directory ("cannot start: the work directory ..."); empty when it can.
   */
  public static java.util.Optional<String> cannotStartIn(Path dataDir) {
    return missingPackagesMessage()
        .or(() -> PostgresUser.cannotReach(dataDir).map(why -> "cannot start: " + why));
  }

  /** The one line that installs what is missing. */
  public static String installLine(List<String> missing) {
    return "sudo apt-get install -y " + String.join(" ", missing);
  }

  /** The newest {@code /usr/lib/postgresql/<version>/bin} with a postgres binary, or null. */
  public static Path postgresBin() {
    return postgresBin(POSTGRES_ROOT);
  }

  private static Path postgresBin(Path root) {
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(b -> version(b.getParent().getFileName().toString())))
          .orElse(null);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static int version(String name) {
    try {
      return Integer.parseInt(name.replaceAll("\\D.*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static List<String> etcd(FleetLayout layout, FleetMember m, Path dir) {
    return List.of(
        onPathOr("etcd"),
        "--name",
        m.name(),
        "--data-dir",
        dir.resolve("data").toAbsolutePath().toString(),
        "--listen-peer-urls",
        "http://127.0.0.1:" + m.secondPort(),
        "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + m.secondPort(),
        "--listen-client-urls",
        "http://127.0.0.1:" + m.port(),
        "--advertise-client-urls",
        "http://127.0.0.1:" + m.port(),
        "--initial-cluster",
        layout.etcdCluster(),
        "--initial-cluster-state",
        "new",
        "--initial-cluster-token",
        "faultline-" + layout.group().toLowerCase(java.util.Locale.ROOT),
        "--heartbeat-interval",
        "100",
        "--election-timeout",
        "1000");
  }

  static List<String> patroni(Path config) {
    List<String> command = new ArrayList<>(PostgresUser.command());
    command.add(onPathOr("patroni"));
    command.add(config.toAbsolutePath().toString());
    return command;
  }

  static List<String> haproxy(Path config) {
    return List.of(onPathOr("haproxy"), "-db", "-f", config.toAbsolutePath().toString());
  }

  /** A Scale web replica on the group's database, sized for a shared 2-core machine. */
  static List<String> web(FleetLayout layout, FleetMember m, Path log) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile="
            + System.getProperty("logback.configurationFile", "scale-logback.xml"),
        "-Dfaultline.log.file=" + log.toAbsolutePath(),
        "-cp",
        absoluteClassPath(),
        ScaleMain.class.getName(),
        "web",
        "--name",
        m.name(),
        "--group",
        m.group(),
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(m.port()),
        "--db-url",
        layout.jdbcUrl(),
        "--threads",
        "8");
  }

  /** The class path with absolute entries: a member runs in its own directory. */
  static String absoluteClassPath() {
    return String.join(
        File.pathSeparator,
        java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !e.isEmpty())
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .toList());
  }

  private static String onPathOr(String command) {
    Path p = onPath(command);
    return p == null ? command : p.toString();
  }

  static Path onPath(String command) {
    return Executables.find(command, searchPath()).orElse(null);
  }

  /** {@code PATH}, then the Debian packages' own directories (a user's PATH may lack sbin). */
  private static List<String> searchPath() {
    List<String> dirs = new ArrayList<>(Executables.pathDirectories());
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin"));
    return dirs;
  }
}
