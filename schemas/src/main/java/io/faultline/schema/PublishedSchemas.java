package io.faultline.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The {@code .avsc} files of faultline's topics as they ship in this jar ({@code faultline/avro/}),
 * current and earlier versions, with the fingerprint a record of each carries: the 8 bytes after
 * the 2-byte marker {@code C3 01} of Avro's single-object encoding, the CRC-64-AVRO of the schema's
 * parsing canonical form, little-endian (docs/consumers.md). {@code faultline schemas export DIR}
 * writes them out; docs/schemas/ is a copy checked against the jar by a test.
 */
public final class PublishedSchemas {

  /** The current schemas, one file each; Common.avsc holds the types the others share. */
  public static final List<String> CURRENT =
      List.of(
          "Common.avsc",
          "Experiment.avsc",
          "AttackCommand.avsc",
          "AttackEvent.avsc",
          "AttackState.avsc",
          "MetricSample.avsc",
          "WindowVerdict.avsc",
          "Alert.avsc",
          "ExperimentResult.avsc",
          "ServiceHistory.avsc");

  /** One published file: its path under faultline/avro/, text, and the records it declares. */
  public record File(String path, String text, Map<String, String> fingerprints) {}

  private PublishedSchemas() {}

  /** Every file: the current ones, then history/ in the order of its index. */
  public static List<File> all() {
    List<File> out = new ArrayList<>();
    Schema.Parser shared = new Schema.Parser();
    for (String name : CURRENT) {
      String text = resource(name);
      Schema parsed = shared.parse(text);
      out.add(new File(name, text, fingerprints(parsed, name.equals("Common.avsc"))));
    }
    for (String line : resource("history/index").split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      String text = resource("history/" + name);
      out.add(
          new File("history/" + name, text, fingerprints(new Schema.Parser().parse(text), false)));
    }
    return out;
  }

  /** The fingerprint as it appears on the wire: 16 hex digits, bytes 2 to 9 of a record. */
  public static String wireFingerprint(Schema schema) {
    long fp = SchemaNormalization.parsingFingerprint64(schema);
    byte[] le = new byte[8];
    for (int i = 0; i < 8; i++) {
      le[i] = (byte) (fp >>> (8 * i));
    }
    return HexFormat.of().formatHex(le);
  }

  private static Map<String, String> fingerprints(Schema schema, boolean sharedTypes) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!sharedTypes && schema.getType() == Schema.Type.RECORD) {
      out.put(schema.getFullName(), wireFingerprint(schema));
    }
    return out;
  }

  /**
   * {@code fingerprints.txt}: one line per record schema, {@code <fingerprint> <file> <record>}, so
   * a consumer finds the writer's schema of a record from its bytes 2 to 9.
   */
  public static String fingerprintIndex() {
    StringBuilder b =
        new StringBuilder("# fingerprint (bytes 2-9 of a record, hex)  schema file  record\n");
    for (File f : all()) {
      f.fingerprints()
          .forEach(
              (record, fp) ->
                  b.append(fp)
                      .append(' ')
                      .append(f.path())
                      .append(' ')
                      .append(record)
                      .append('\n'));
    }
    return b.toString();
  }

  /**
   * Writes every file under {@code dir} (history/ as a subdirectory) and fingerprints.txt; returns
   * the paths.
   */
  public static List<Path> export(Path dir) {
    List<Path> written = new ArrayList<>();
    try {
      for (File f : all()) {
        Path target = dir.resolve(f.path());
        Files.createDirectories(target.getParent());
        Files.writeString(target, f.text());
        written.add(target);
      }
      Path index = dir.resolve("fingerprints.txt");
      Files.writeString(index, fingerprintIndex());
      written.add(index);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the schemas to " + dir + ": " + e, e);
    }
    return written;
  }

  private static String resource(String name) {
    try (InputStream in =
        PublishedSchemas.class.getClassLoader().getResourceAsStream("faultline/avro/" + name)) {
      if (in == null) {
        throw new IllegalStateException("faultline/avro/" + name + " is not in the schemas jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
