package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleConfigTest {

  @Test
  void defaultsFollowTheChartContract() {
    ScaleConfig c = ScaleConfig.fromMap(Map.of("SCALE_GROUP", "Control"));
    assertThat(c.group()).isEqualTo("control");
    assertThat(c.name()).isEqualTo("scale-control");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.bind()).isEqualTo("127.0.0.1");
    assertThat(c.dbUrl()).startsWith("jdbc:h2:mem:");
    assertThat(c.embeddedDb()).isTrue();
    assertThat(c.dbPoolSize()).isEqualTo(10);
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.corpus()).isNull();
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of("SCALE_GROUP", "canary")))
        .hasMessage("SCALE_GROUP 'canary': must be control or experimental");
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of("SCALE_DB_POOL_SIZE", "0")))
        .hasMessage("SCALE_DB_POOL_SIZE '0': must be a whole number from 1 to 200");
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of("SCALE_PORT", "http")))
        .hasMessageStartingWith("SCALE_PORT 'http'");
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of("SCALE_DB_URL", "postgres://x")))
        .hasMessageStartingWith("SCALE_DB_URL 'postgres://x': must be a JDBC URL");
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of("SCALE_DBURL", "x")))
        .hasMessageStartingWith("SCALE_DBURL: unknown key; known keys: SCALE_GROUP");
    assertThatThrownBy(() -> ScaleConfig.fromMap(Map.of()).requireGroup("web"))
        .hasMessage("SCALE_GROUP (--group) is required for web: control or experimental");
  }

  @Test
  void passwordsAreRedactedFromUrlsInMessages() {
    assertThat(SongStore.redact("jdbc:postgresql://db/scale?user=a&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/scale?user=a&password=***&ssl=true");
  }
}
