package io.faultline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every setting of a chart's values.yaml has a comment line right above it. */
class ValuesDocumentationTest {

  /** Keys documented by their parent's comment (Kubernetes' own fields, secret references). */
  private static final Set<String> SELF_EXPLAINED =
      Set.of(
          "requests",
          "limits",
          "httpGet",
          "initialDelaySeconds",
          "periodSeconds",
          "failureThreshold",
          "name",
          "key",
          "tolerations",
          "affinity",
          "runAsGroup",
          "fsGroup");

  private static final Pattern KEY = Pattern.compile("^ *([A-Za-z][A-Za-z0-9]*):");

  /** The settings without a comment line right above them, as "line: text". */
  static List<String> undocumented(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = KEY.matcher(lines.get(i));
      boolean commented = i > 0 && lines.get(i - 1).strip().startsWith("#");
      if (m.find() && !commented && !SELF_EXPLAINED.contains(m.group(1))) {
        out.add((i + 1) + ": " + lines.get(i).strip());
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"faultline", "scale"})
  void everySettingHasAComment(String chart) throws Exception {
    List<String> lines = values(chart);
    assertThat(lines.stream().filter(l -> KEY.matcher(l).find())).hasSizeGreaterThan(20);
    assertThat(undocumented(lines)).as("values.yaml settings without a comment above").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"faultline", "scale"})
  void anUndocumentedSettingIsReported(String chart) throws Exception {
    List<String> lines = new ArrayList<>(values(chart));
    lines.add("");
    lines.add("undocumentedSetting: 1");
    assertThat(undocumented(lines)).containsExactly(lines.size() + ": undocumentedSetting: 1");
  }

  private static List<String> values(String chart) throws java.io.IOException {
    return Files.readAllLines(Charts.ROOT.resolve("charts").resolve(chart).resolve("values.yaml"));
  }
}
