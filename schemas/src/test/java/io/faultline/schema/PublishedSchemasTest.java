package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PublishedSchemasTest {

  private static Path repository() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs/schemas"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("docs/schemas above the module").isNotNull();
    return dir;
  }

  @Test
  void docsSchemasIsACopyOfTheJarsSchemas() throws Exception {
    Path docs = repository().resolve("docs/schemas");
    List<PublishedSchemas.File> files = PublishedSchemas.all();
    for (PublishedSchemas.File f : files) {
      assertThat(docs.resolve(f.path()))
          .as("docs/schemas/%s: run faultline schemas export docs/schemas", f.path())
          .hasContent(f.text());
    }
    assertThat(docs.resolve("fingerprints.txt"))
        .as("docs/schemas/fingerprints.txt: run faultline schemas export docs/schemas")
        .hasContent(PublishedSchemas.fingerprintIndex());
    try (Stream<Path> all = Files.walk(docs)) {
      assertThat(all.filter(p -> p.toString().endsWith(".avsc")).count())
          .as("docs/schemas holds no schema the jar lacks")
          .isEqualTo(files.size());
    }
  }

  @Test
  void theCurrentListNamesEverySchemaSourceFile() throws Exception {
    try (Stream<Path> sources = Files.list(repository().resolve("schemas/src/main/avro"))) {
      assertThat(sources.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(PublishedSchemas.CURRENT);
    }
  }

  @Test
  void theWireFingerprintIsWhatARecordCarriesAfterTheMarker() {
    Alert alert =
        Alert.newBuilder()
            .setAlertId("a")
            .setExperimentId("e")
            .setMetric("m")
            .setStatus(AlertStatus.FIRING)
            .setSeverity("warning")
            .setReason("r")
            .setFiredAt(1)
            .setTimestamp(1)
            .build();
    byte[] bytes = AvroSerde.of(Alert.class).encode(alert);
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    String onTheWire = HexFormat.of().formatHex(bytes, 2, 10);
    assertThat(PublishedSchemas.wireFingerprint(Alert.getClassSchema())).isEqualTo(onTheWire);
    assertThat(PublishedSchemas.all())
        .anySatisfy(
            f ->
                assertThat(f.fingerprints()).containsEntry("io.faultline.schema.Alert", onTheWire));
  }

  @Test
  void consumersGuideListsTheFingerprintOfEverySchemaVersion() throws Exception {
    String guide = Files.readString(repository().resolve("docs/consumers.md"));
    for (PublishedSchemas.File f : PublishedSchemas.all()) {
      f.fingerprints()
          .forEach(
              (record, fp) ->
                  assertThat(guide)
                      .as("docs/consumers.md lists %s of %s", fp, f.path())
                      .contains("| `" + f.path() + "` | `" + record + "` | `" + fp + "` |"));
    }
  }

  @Test
  void recordJsonIsPlainJsonWithoutUnionWrappers() {
    ExperimentResult r =
        ExperimentResult.newBuilder()
            .setExperimentId("e")
            .setVerdict(Verdict.DEVIATED)
            .setScore(Double.NaN)
            .setMttdMs(4300L)
            .build();
    String line = RecordJson.line(RecordJson.of(r));
    assertThat(line)
        .contains("\"experimentId\":\"e\"")
        .contains("\"verdict\":\"DEVIATED\"")
        .contains("\"mttdMs\":4300")
        .contains("\"score\":\"NaN\"")
        .contains("\"abortReason\":null");
  }
}
