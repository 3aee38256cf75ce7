package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Anchors, aliases and merge keys in an experiment file are resolved as YAML defines them, and a
 * file of nested aliases is refused at its line instead of hanging or filling the heap.
 */
class YamlAliasTest {

  /** A valid file up to its method, which each test writes. */
  private static final String HEAD =
      ExperimentFileParserTest.VALID.substring(
          0, ExperimentFileParserTest.VALID.indexOf("method:"));

  /** The one error {@code yaml} is refused with. */
  private static String onlyError(String yaml) {
    try {
      ExperimentFileParser.parse("x.yaml", yaml);
    } catch (ExperimentFileException e) {
      assertThat(e.errors()).as(yaml).hasSize(1);
      return e.errors().get(0);
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void anchorsAliasesAndMergeKeysResolveAsYamlDefinesThem() {
    ExperimentDefinition d =
        ExperimentFileParser.parse(
            "aliases.yaml",
            HEAD
                + """
                method:
                  - &burn
                    fault: cpu-burn
                    selector: &exp {kind: process, names: [exp], mode: all}
                    parameters: {cores: '2'}
                    duration: 20s
                  - <<: *burn
                    parameters: {cores: '1'}
                  - fault: kill-process
                    selector: *exp
                    duration: 5s
                """);
    var attacks = d.method().attacks();
    assertThat(attacks).hasSize(3);
    assertThat(attacks.get(1).fault()).isEqualTo("cpu-burn");
    // the mapping's own key wins over the merged one
    assertThat(attacks.get(1).parameters()).isEqualTo(Map.of("cores", "1"));
    assertThat(attacks.get(1).duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(attacks.get(1).selector()).isEqualTo(attacks.get(0).selector());
    assertThat(attacks.get(2).selector().names()).containsExactly("exp");
    assertThat(attacks.get(2).selector().mode()).isEqualTo("all");
    // sequential: each starts when the one before ends
    assertThat(attacks.get(2).start()).isEqualTo(Duration.ofSeconds(40));
  }

  @Test
  void aMergeOfAListTakesEarlierMappingsFirst() {
    ExperimentDefinition d =
        ExperimentFileParser.parse(
            "merge-list.yaml",
            HEAD
                + """
                method:
                  - &burn {fault: cpu-burn, selector: {kind: process, names: [exp]}, duration: 30s}
                  - &kill {fault: kill-process, selector: {kind: process, names: [exp]}, duration: 5s}
                  - <<: [*kill, *burn]
                  - <<: [*burn, *kill]
                """);
    var attacks = d.method().attacks();
    assertThat(attacks.get(2).fault()).isEqualTo("kill-process");
    assertThat(attacks.get(2).duration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(attacks.get(3).fault()).isEqualTo("cpu-burn");
    assertThat(attacks.get(3).duration()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anAliasBombIsRefusedAtTheAliasThatCrossesTheBound() {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        bomb.append(i == 0 ? "" : ", ").append('*').append(p);
      }
      bomb.append("]\n");
    }
    // 10^9 values written out; the bound stops it in its fifth line
    assertThat(onlyError(bomb.toString()))
        .matches(
            "YAML alias at line 5, column \\d+: aliases would add more than 10000 values to the"
                + " file \\(\\*d holds 7381\\); an experiment file needs far fewer: nest fewer"
                + " aliases, or write the values out");
  }

  @Test
  void anAliasWithoutItsAnchorInsideItOrOfOneValueAndAMergeOfAListAreRefusedAtTheirLine() {
    Object[][] cases = {
      {"a: *nowhere\n", "YAML alias at line 1, column 4: *nowhere: no mapping or list is anchored"},
      {"a: &self [1, *self]\n", "YAML alias at line 1, column 14: *self: no mapping or list"},
      {"a: &t text\nb: *t\n", "YAML alias at line 2, column 4: *t: no mapping or list"},
      {
        "a: &l [x]\nb:\n  <<: *l\n",
        "YAML alias at line 3, column 7: the merge key << takes a mapping or a list of mappings"
      }
    };
    for (Object[] c : cases) {
      assertThat(onlyError((String) c[0])).as((String) c[0]).startsWith((String) c[1]);
    }
  }
}
