package io.faultline.cli.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoHistoryTest {

  private static ExperimentResult result(String id, String startedAt, Verdict verdict, Long mttd) {
    long start = Instant.parse(startedAt).toEpochMilli();
    return ExperimentResult.newBuilder()
        .setExperimentId(id)
        .setVerdict(verdict)
        .setUpdatedAt(start + 120_000)
        .setService("scale")
        .setStartedAt(start)
        .setAttacks(
            List.of(
                AttackOutcome.newBuilder()
                    .setAttackId(id + "-kill")
                    .setStartedAt(start + 30_000)
                    .setMttdMs(mttd)
                    .build()))
        .build();
  }

  @Test
  void eachDemoRunAddsItsResultAndTheTableShowsOneRowPerWeek(@TempDir Path dir) throws Exception {
    DemoHistory history = new DemoHistory(dir.resolve("history"));
    history.add(result("demo-1", "2026-11-03T09:00:00Z", Verdict.DEVIATED, 5_500L), List.of());
    history.add(result("demo-2", "2026-11-04T09:00:00Z", Verdict.DEVIATED, 1_900L), List.of());
    history.add(result("demo-3", "2026-11-10T09:00:00Z", Verdict.STEADY, null), List.of());
    Files.writeString(dir.resolve("history").resolve("junk.avro"), "not avro");

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    history.print("scale", 8, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(history.results()).hasSize(3);
    assertThat(text).contains("service scale");
    // W45: two runs, none held, MTTD p50 of {1.9 s, 5.5 s} = 3.7 s (interpolated)
    String w45 =
        text.lines().filter(l -> l.trim().startsWith("2026-W45")).findFirst().orElseThrow();
    String w46 =
        text.lines().filter(l -> l.trim().startsWith("2026-W46")).findFirst().orElseThrow();
    assertThat(w45).contains("0/2", "3.7s");
    assertThat(w46).contains("1/1", "1↓", "100%↑");
    assertThat(text).contains("  all ");
  }
}
