package io.faultline.scale;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of one Scale process, from {@code SCALE_*} environment variables, each of which can
 * also be given as a flag ({@code SCALE_DB_URL} = {@code --db-url}). Validated once, in {@link
 * #fromMap}, with a message naming the bad key.
 *
 * @param group control or experimental (lower case); null only where a command does not need it
 */
public record ScaleConfig(
    String group,
    String name,
    int port,
    String bind,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    String corpus,
    int corpusSize,
    long seed,
    int threads,
    int extractThreads,
    String s3Region,
    String s3Endpoint,
    int indexRefreshSeconds) {

  public static final String DEFAULT_DB_URL = "jdbc:h2:mem:scale;DB_CLOSE_DELAY=-1";

  /** Every key with its default ("" = none) and what it means, for --help. */
  static final Map<String, String[]> KEYS = new LinkedHashMap<>();

  static {
    key("SCALE_GROUP", "", "control or experimental (required for web and extract)");
    key("SCALE_NAME", "", "instance name in logs and headers (default scale-<group>)");
    key("SCALE_PORT", "8080", "HTTP port of web, 0 = any free port");
    key("SCALE_BIND", "127.0.0.1", "address web listens on (0.0.0.0 in a container)");
    key("SCALE_DB_URL", DEFAULT_DB_URL, "JDBC URL: jdbc:h2:... or jdbc:postgresql://...");
    key("SCALE_DB_USER", "", "database user");
    key("SCALE_DB_PASSWORD", "", "database password");
    key("SCALE_DB_POOL_SIZE", "10", "connection pool size, 1-200");
    key("SCALE_CORPUS", "", "MIDI corpus: a directory or s3://bucket/prefix");
    key(
        "SCALE_CORPUS_SIZE",
        "1000",
        "songs for generate, and for web seeding an empty embedded DB");
    key("SCALE_SEED", "42", "corpus seed: same seed, same songs");
    key("SCALE_THREADS", "32", "HTTP request threads of web, 1-512");
    key("SCALE_EXTRACT_THREADS", "", "extraction threads (default: available CPUs)");
    key("SCALE_S3_REGION", "us-east-1", "S3 region for an s3:// corpus");
    key("SCALE_S3_ENDPOINT", "", "S3 endpoint override (path-style), e.g. a MinIO URL");
    key("SCALE_INDEX_REFRESH", "30", "seconds between checks for new songs in the store, 1-3600");
  }

  private static void key(String name, String defaultValue, String help) {
    KEYS.put(name, new String[] {defaultValue, help});
  }

  public static ScaleConfig fromMap(Map<String, String> map) {
    for (String k : map.keySet()) {
      if (k.startsWith("SCALE_") && !KEYS.containsKey(k)) {
        throw new IllegalArgumentException(
            k + ": unknown key; known keys: " + String.join(", ", KEYS.keySet()));
      }
    }
    String group = get(map, "SCALE_GROUP");
    if (group.isEmpty()) {
      group = null;
    } else {
      group = group.toLowerCase(Locale.ROOT);
      if (!Set.of("control", "experimental").contains(group)) {
        throw new IllegalArgumentException(
            "SCALE_GROUP '" + get(map, "SCALE_GROUP") + "': must be control or experimental");
      }
    }
    String name = get(map, "SCALE_NAME");
    if (name.isEmpty()) {
      name = group == null ? "scale" : "scale-" + group;
    }
    String dbUrl = get(map, "SCALE_DB_URL");
    if (!dbUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "SCALE_DB_URL '"
              + SongStore.redact(dbUrl)
              + "': must be a JDBC URL, e.g. jdbc:h2:mem:scale or jdbc:postgresql://host:5432/scale");
    }
    String corpus = get(map, "SCALE_CORPUS");
    String extractThreads = get(map, "SCALE_EXTRACT_THREADS");
    return new ScaleConfig(
        group,
        name,
        number(map, "SCALE_PORT", 0, 65535),
        get(map, "SCALE_BIND"),
        dbUrl,
        get(map, "SCALE_DB_USER"),
        get(map, "SCALE_DB_PASSWORD"),
        number(map, "SCALE_DB_POOL_SIZE", 1, 200),
        corpus.isEmpty() ? null : corpus,
        number(map, "SCALE_CORPUS_SIZE", 1, 10_000_000),
        longNumber(map, "SCALE_SEED"),
        number(map, "SCALE_THREADS", 1, 512),
        extractThreads.isEmpty()
            ? Runtime.getRuntime().availableProcessors()
            : number(map, "SCALE_EXTRACT_THREADS", 1, 256),
        get(map, "SCALE_S3_REGION"),
        get(map, "SCALE_S3_ENDPOINT").isEmpty() ? null : get(map, "SCALE_S3_ENDPOINT"),
        number(map, "SCALE_INDEX_REFRESH", 1, 3600));
  }

  /** The group, or an error naming the command that needs it. */
  public String requireGroup(String command) {
    if (group == null) {
      throw new IllegalArgumentException(
          "SCALE_GROUP (--group) is required for " + command + ": control or experimental");
    }
    return group;
  }

  public boolean embeddedDb() {
    return dbUrl.startsWith("jdbc:h2:");
  }

  private static String get(Map<String, String> map, String key) {
    String v = map.get(key);
    return v == null ? KEYS.get(key)[0] : v.trim();
  }

  private static int number(Map<String, String> map, String key, int min, int max) {
    String v = get(map, key);
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        key + " '" + v + "': must be a whole number from " + min + " to " + max);
  }

  private static long longNumber(Map<String, String> map, String key) {
    String v = get(map, key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " '" + v + "': must be a whole number");
    }
  }
}
