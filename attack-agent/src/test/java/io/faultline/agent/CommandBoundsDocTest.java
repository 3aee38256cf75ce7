package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.CommandBounds;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's table of command bounds says what {@link CommandBounds} enforces, every bound. */
class CommandBoundsDocTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| `[^|]+` [^|]*\\| ([^|]+) \\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \\|$");

  @Test
  void theReadmeTableMatchesEveryBound() throws Exception {
    Set<String> documented = new HashSet<>();
    List<String> wrong = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        continue;
      }
      List<Long> numbers = new ArrayList<>();
      Matcher n = Pattern.compile("\\d+").matcher(m.group(1).replaceAll("\\(.*\\)", ""));
      while (n.find()) {
        numbers.add(Long.parseLong(n.group()));
      }
      String[] names = m.group(2).replace("`", "").split(", ");
      for (int i = 0; i < names.length; i++) {
        long value = CommandBounds.class.getField(names[i]).getLong(null);
        documented.add(names[i]);
        if (i >= numbers.size() || numbers.get(i) != value) {
          wrong.add(line + " (" + names[i] + " = " + value + ")");
        }
      }
    }
    Set<String> bounds = new HashSet<>();
    for (Field f : CommandBounds.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && !f.getName().equals("QUOTED")) {
        bounds.add(f.getName());
      }
    }
    assertThat(wrong).as("rows whose number is not the bound").isEmpty();
    assertThat(documented).isEqualTo(bounds);
  }

  @Test
  void theCodecsDurationRangeIsTheOneTheAgentAllows() {
    assertThat(CommandBounds.DURATION_MS_MIN).isEqualTo(AgentConfig.MIN_DURATION.toMillis());
    assertThat(
            AgentConfig.fromMap(
                    java.util.Map.of("bootstrap.servers", "x:1", "agent.max.duration", "24h"))
                .maxDuration()
                .toMillis())
        .isEqualTo(CommandBounds.DURATION_MS_MAX);
  }
}
