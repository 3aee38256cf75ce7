package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pipeline group's settings: defaults, and errors naming the key (no Spark started). */
class PipelineGroupMainTest {

  static Map<String, String> valid() {
    Map<String, String> m = new HashMap<>();
    m.put("pipeline.group", "experimental");
    m.put("pipeline.corpus", "/tmp/corpus");
    m.put("pipeline.work.dir", "/tmp/work");
    m.put("pipeline.targets.dir", "/tmp/targets");
    m.put("pipeline.ui.port", "14040");
    return m;
  }

  @Test
  void readsTheSettingsWithDefaultRunsAndFilesPerTask() {
    var s = PipelineGroupMain.Settings.fromMap(valid());
    assertThat(s.group()).isEqualTo("experimental");
    assertThat(s.corpus()).isEqualTo(Path.of("/tmp/corpus"));
    assertThat(s.uiPort()).isEqualTo(14040);
    assertThat(s.runs()).isEqualTo(1);
    assertThat(s.filesPerTask()).isEqualTo(100);
  }

  @Test
  void badValuesNameTheKey() {
    Map<String, String> m = valid();
    m.put("pipeline.group", "both");
    assertThatThrownBy(() -> PipelineGroupMain.Settings.fromMap(m))
        .hasMessage("pipeline.group 'both': must be control or experimental");
    Map<String, String> runs = valid();
    runs.put("pipeline.runs", "0");
    assertThatThrownBy(() -> PipelineGroupMain.Settings.fromMap(runs))
        .hasMessage("pipeline.runs '0': must be a whole number from 1 to 50");
    Map<String, String> noCorpus = valid();
    noCorpus.remove("pipeline.corpus");
    assertThatThrownBy(() -> PipelineGroupMain.Settings.fromMap(noCorpus))
        .hasMessage("pipeline.corpus: required, a directory");
  }
}
