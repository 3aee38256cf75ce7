package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.HostileCommands.Case;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.InvalidRecordException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The codec over the {@link HostileCommands} grammar: a record is either refused with an {@link
 * InvalidRecordException} whose reason is short and says what is wrong, or it decodes to exactly
 * the one command it encodes. Nothing else (no other exception, no lenient guess) may come out.
 */
class CommandCodecFuzzTest {

  @Provide
  Arbitrary<Case> cases() {
    return HostileCommands.cases(HostileCommands.commands());
  }

  @Property(tries = 3000)
  void everyRecordIsRefusedWithItsReasonOrDecodesToExactlyItsCommand(@ForAll("cases") Case c) {
    Statistics.label("kind").collect(c.kind());
    Statistics.label("kind").coverage(k -> k.check("valid json").percentage(p -> p > 5));
    AttackCommand decoded;
    try {
      decoded = AttackCommandCodec.decode(c.bytes());
    } catch (InvalidRecordException e) {
      assertThat(c.expected()).as("refused %s: %s", c, e.getMessage()).isNull();
      assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(1024).doesNotContain("\n");
      return;
    }
    assertThat(c.expected()).as("a %s record must be refused", c).isNotNull();
    assertThat(decoded).isEqualTo(c.expected());
  }
}
