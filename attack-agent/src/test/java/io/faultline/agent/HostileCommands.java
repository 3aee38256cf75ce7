package io.faultline.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.CommandBounds;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * A grammar of attack-command records for the fuzz tests: well-formed commands, in JSON (any field
 * order, any whitespace) and Avro, and hostile records derived from them: fields over their bound,
 * deep nesting, huge numbers, trailing bytes, invalid UTF-8, duplicate keys, forged Avro lengths,
 * cut bodies. Each {@link Case} says what it must decode to: exactly its command, or nothing.
 */
final class HostileCommands {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record and the command it must decode to, or null when it must be refused. */
  record Case(String kind, byte[] bytes, AttackCommand expected) {
    @Override
    public String toString() {
      String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
      return kind + " (" + bytes.length + " bytes): " + text;
    }
  }

  private HostileCommands() {}

  /** Well-formed commands of every type, with values up to their bounds. */
  static Arbitrary<AttackCommand> commands() {
    Arbitrary<String> id = word(1, CommandBounds.ID);
    Arbitrary<String> attackId =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.just((String) null)),
            Tuple.of(1, word(1, CommandBounds.ATTACK_ID)));
    Arbitrary<String> fault =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of("pause-process", "cpu-burn", "kill-process", "pod-delete")),
            Tuple.of(1, word(1, CommandBounds.FAULT)));
    Arbitrary<Long> duration =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just((Long) null)),
            Tuple.of(
                4,
                Arbitraries.longs()
                    .between(CommandBounds.DURATION_MS_MIN, CommandBounds.DURATION_MS_MAX)
                    .map(Long::valueOf)));
    Arbitrary<Map<String, String>> parameters =
        Arbitraries.maps(word(1, CommandBounds.PARAMETER_KEY), text(CommandBounds.PARAMETER_VALUE))
            .ofMaxSize(4);
    Arbitrary<String> issuedBy =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just("")), Tuple.of(2, word(1, CommandBounds.ISSUED_BY)));
    Arbitrary<String> signature =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just((String) null)),
            Tuple.of(1, strings("0123456789abcdef", 64, 64)));
    return Combinators.combine(
            Arbitraries.of(CommandType.START, CommandType.STOP, CommandType.HALT_ALL),
            id,
            id,
            attackId,
            fault,
            targets(),
            duration,
            parameters)
        .as(
            (type, commandId, experimentId, attack, f, target, ms, params) ->
                AttackCommand.newBuilder()
                    .setType(type)
                    .setCommandId(commandId)
                    .setExperimentId(experimentId)
                    .setAttackId(attack)
                    .setFault(f)
                    .setTarget(target)
                    .setDurationMs(ms)
                    .setParameters(params))
        .flatMap(
            b ->
                Combinators.combine(
                        issuedBy,
                        Arbitraries.longs().between(0, 4_102_444_800_000L),
                        Arbitraries.of(true, false),
                        signature)
                    .as(
                        (by, at, dry, sig) ->
                            AttackCommand.newBuilder(b)
                                .setIssuedBy(by)
                                .setIssuedAt(at)
                                .setDryRun(dry)
                                .setSignature(sig)
                                .build()));
  }

  private static Arbitrary<TargetSelector> targets() {
    Arbitrary<List<String>> names =
        Arbitraries.frequencyOf(
            Tuple.of(6, text(CommandBounds.TARGET_NAME).list().ofMaxSize(4)),
            Tuple.of(1, word(1, 8).list().ofMinSize(90).ofMaxSize(CommandBounds.TARGETS)));
    Arbitrary<String> namespace =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.just((String) null)),
            Tuple.of(1, word(1, CommandBounds.NAMESPACE)));
    Arbitrary<Map<String, String>> labels =
        Arbitraries.maps(word(1, CommandBounds.LABEL_KEY), text(CommandBounds.LABEL_VALUE))
            .ofMaxSize(3);
    Arbitrary<TargetSelector> selector =
        Combinators.combine(
                word(1, CommandBounds.KIND),
                names,
                namespace,
                labels,
                Arbitraries.of(Group.EXPERIMENTAL, Group.CONTROL),
                word(1, CommandBounds.MODE))
            .as(
                (kind, n, ns, l, g, mode) ->
                    TargetSelector.newBuilder()
                        .setKind(kind)
                        .setNames(n)
                        .setNamespace(ns)
                        .setLabels(l)
                        .setGroup(g)
                        .setMode(mode)
                        .build());
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just((TargetSelector) null)), Tuple.of(5, selector));
  }

  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

  /** Text without blanks (ids, names JSON requires non-blank), mostly short, up to max. */
  private static Arbitrary<String> word(int min, int max) {
    return strings(LETTERS + "0123456789-_.:/éß日本", min, max);
  }

  private static Arbitrary<String> text(int max) {
    return strings(LETTERS + " -_./=é日", 0, max);
  }

  /**
   * Strings of {@code alphabet}'s characters, nine in ten at most 55 characters longer than {@code
   * min} and the rest up to {@code max}, as jqwik's own strings at 3000 tries. Built from a length
   * and a seed rather than character by character: jqwik's per-character strings were five sixths
   * of the fuzz test's CPU. A failure shrinks the length.
   */
  private static Arbitrary<String> strings(String alphabet, int min, int max) {
    return Combinators.combine(length(min, max), Arbitraries.longs())
        .as(
            (n, seed) -> {
              SplittableRandom r = new SplittableRandom(seed);
              char[] c = new char[n];
              for (int i = 0; i < n; i++) {
                c[i] = alphabet.charAt(r.nextInt(alphabet.length()));
              }
              return new String(c);
            });
  }

  private static Arbitrary<Integer> length(int min, int max) {
    int shortMax = Math.min(max, min + 55);
    Arbitrary<Integer> shortLength = uniform(min, shortMax);
    return shortMax == max
        ? shortLength
        : Arbitraries.frequencyOf(Tuple.of(9, shortLength), Tuple.of(1, uniform(shortMax, max)));
  }

  private static Arbitrary<Integer> uniform(int min, int max) {
    return Arbitraries.integers().between(min, max).withDistribution(RandomDistribution.uniform());
  }

  /** Every kind of record, valid and hostile, derived from {@code commands}. */
  static Arbitrary<Case> cases(Arbitrary<AttackCommand> commands) {
    Arbitrary<Random> random = Arbitraries.randoms();
    return Combinators.combine(commands, random, Arbitraries.integers().between(0, 15))
        .as(HostileCommands::build);
  }

  private static Case build(AttackCommand c, Random r, int kind) {
    return switch (kind) {
      case 0, 1 -> new Case("valid json", json(c, r, ""), c);
      case 2 -> new Case("valid avro", AttackCommandCodec.toAvro(c), c);
      case 3 -> oversized(c, r);
      case 4 -> new Case("deep nesting", deep(c, r), null);
      case 5 -> new Case("huge number", hugeNumber(c, r), null);
      case 6 -> {
        String tail =
            List.of("x", "}", "{}", "0", "null", "\"s\"", ",", "\u0000", "]", "true")
                .get(r.nextInt(10));
        yield new Case("trailing json", json(c, r, tail), null);
      }
      case 7 -> new Case("bad utf-8 json", badUtf8(json(marked(c, r), r, ""), r), null);
      case 8 -> new Case("duplicate key json", duplicateKey(c, r), null);
      case 9 -> {
        byte[] avro = AttackCommandCodec.toAvro(c);
        byte[] tail = new byte[1 + r.nextInt(20)];
        r.nextBytes(tail);
        yield new Case("trailing avro", concat(avro, tail), null);
      }
      case 10 -> {
        byte[] avro = AttackCommandCodec.toAvro(c);
        yield new Case("cut avro", Arrays.copyOf(avro, 10 + r.nextInt(avro.length - 10)), null);
      }
      case 11 ->
          new Case("bad utf-8 avro", badUtf8(AttackCommandCodec.toAvro(marked(c, r)), r), null);
      case 12 -> new Case("forged length avro", forgedLength(c), null);
      case 13 -> new Case("duplicate key avro", duplicateKeyAvro(c), null);
      case 14 ->
          r.nextBoolean()
              ? new Case("wrong type json", wrongType(c, r), null)
              : new Case("lone surrogate json", loneSurrogate(c, r), null);
      default -> {
        byte[] noise = new byte[r.nextInt(300)];
        r.nextBytes(noise);
        if (noise.length > 0 && (noise[0] == '{' || noise[0] == (byte) 0xC3)) {
          noise[0] = 0;
        }
        yield new Case("noise", noise, null);
      }
    };
  }

  /** One field over its bound, through either encoding. */
  private static Case oversized(AttackCommand c, Random r) {
    AttackCommand o = AttackCommand.newBuilder(c).build();
    int over = 1 + r.nextInt(r.nextInt(10) == 0 ? 700_000 : 300);
    switch (r.nextInt(8)) {
      case 0 -> o.setCommandId("c".repeat(CommandBounds.ID + over));
      case 1 -> o.setExperimentId("e".repeat(CommandBounds.ID + over));
      case 2 -> o.setAttackId("a".repeat(CommandBounds.ATTACK_ID + over));
      case 3 -> o.setFault("f".repeat(CommandBounds.FAULT + over));
      case 4 -> o.setIssuedBy("i".repeat(CommandBounds.ISSUED_BY + over));
      case 5 -> {
        Map<String, String> p = new LinkedHashMap<>(c.getParameters());
        p.put("dir", "/".repeat(CommandBounds.PARAMETER_VALUE + over));
        o.setParameters(p);
      }
      case 6 -> {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i <= CommandBounds.PARAMETERS; i++) {
          p.put("p" + i, "1");
        }
        o.setParameters(p);
      }
      default -> {
        TargetSelector t =
            c.getTarget() == null
                ? TargetSelector.newBuilder().build()
                : TargetSelector.newBuilder(c.getTarget()).build();
        if (r.nextBoolean()) {
          t.setNames(List.of("n".repeat(CommandBounds.TARGET_NAME + over)));
        } else {
          t.setNames(Collections.nCopies(CommandBounds.TARGETS + 1 + r.nextInt(50), "t"));
        }
        o.setTarget(t);
      }
    }
    return r.nextBoolean()
        ? new Case("oversized json", json(o, r, ""), null)
        : new Case("oversized avro", AttackCommandCodec.toAvro(o), null);
  }

  /** A parameters (or labels) value nested past the JSON depth limit. */
  private static byte[] deep(AttackCommand c, Random r) {
    int depth = AttackCommandCodec.MAX_NESTING_DEPTH + 1 + r.nextInt(r.nextBoolean() ? 50 : 50_000);
    String open = r.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String nested = open.repeat(depth) + "1" + close.repeat(depth);
    String json = new String(json(c, r, ""), StandardCharsets.UTF_8);
    return ("{\"parameters\":" + nested + "," + json.substring(json.indexOf('{') + 1))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** durationMs or issuedAt out of its range, or longer than the JSON number limit. */
  private static byte[] hugeNumber(AttackCommand c, Random r) {
    String number =
        switch (r.nextInt(5)) {
          case 0 -> "18446744073709554616";
          case 1 -> "9".repeat(20 + r.nextInt(5000));
          case 2 -> "-" + (1 + r.nextInt(1000));
          case 3 -> Long.toString(CommandBounds.DURATION_MS_MAX + 1 + r.nextInt(1_000_000));
          default -> Long.toString(r.nextInt((int) CommandBounds.DURATION_MS_MIN));
        };
    AttackCommand without = AttackCommand.newBuilder(c).setDurationMs(null).build();
    String json = new String(json(without, r, ""), StandardCharsets.UTF_8);
    if (number.length() > 19 && r.nextBoolean()) {
      return json.replaceFirst("\"issuedAt\"(\\s*):(\\s*)\\d+", "\"issuedAt\":" + number)
          .getBytes(StandardCharsets.UTF_8);
    }
    return ("{\"durationMs\":" + number + "," + json.substring(json.indexOf('{') + 1))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static final String MARK = "@#%@#%";

  /** The command with {@link #MARK} at the start of one of its strings, where bad UTF-8 goes. */
  private static AttackCommand marked(AttackCommand c, Random r) {
    AttackCommand m = AttackCommand.newBuilder(c).build();
    switch (r.nextInt(3)) {
      case 0 -> {
        String id = c.getCommandId();
        m.setCommandId(MARK + id.substring(Math.min(MARK.length(), id.length())));
      }
      case 1 -> m.setIssuedBy(MARK + "x");
      default -> {
        Map<String, String> p = new LinkedHashMap<>(c.getParameters());
        p.put("dir", MARK);
        m.setParameters(p);
      }
    }
    return m;
  }

  /** Replaces the start of {@link #MARK} with two bytes that are not UTF-8. */
  private static byte[] badUtf8(byte[] bytes, Random r) {
    byte[][] bad = {
      {(byte) 0xC3, 0x28}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0x80, (byte) 0x80},
      {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0}
    };
    int at = indexOf(bytes, MARK.getBytes(StandardCharsets.UTF_8));
    byte[] out = bytes.clone();
    byte[] b = bad[r.nextInt(bad.length)];
    out[at] = b[0];
    out[at + 1] = b[1];
    return out;
  }

  private static byte[] duplicateKey(AttackCommand c, Random r) {
    String json = new String(json(c, r, ""), StandardCharsets.UTF_8);
    String dup =
        List.of("\"commandId\":\"other\"", "\"type\":\"HALT_ALL\"", "\"experimentId\":\"*\"")
            .get(r.nextInt(3));
    return ("{" + dup + "," + json.substring(json.indexOf('{') + 1))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] duplicateKeyAvro(AttackCommand c) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("~dupA~", "1");
    p.put("~dupB~", "2");
    byte[] avro = AttackCommandCodec.toAvro(AttackCommand.newBuilder(c).setParameters(p).build());
    int at = indexOf(avro, "~dupB~".getBytes(StandardCharsets.UTF_8));
    avro[at + 4] = 'A';
    return avro;
  }

  /** commandId's length (the first field after the 10-byte header) as 2^31 - 1. */
  private static byte[] forgedLength(AttackCommand c) {
    byte[] avro = AttackCommandCodec.toAvro(c);
    int lengthBytes = 0;
    while ((avro[10 + lengthBytes] & 0x80) != 0) {
      lengthBytes++;
    }
    lengthBytes++;
    byte[] huge = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(avro, 0, 10);
    out.write(huge, 0, huge.length);
    out.write(avro, 10 + lengthBytes, avro.length - 10 - lengthBytes);
    return out.toByteArray();
  }

  /** A JSON escape of half a surrogate pair in one of the strings: no UTF-8 can carry it. */
  private static byte[] loneSurrogate(AttackCommand c, Random r) {
    String half = r.nextBoolean() ? "\\ud800" : "\\udfff";
    String json = new String(json(marked(c, r), r, ""), StandardCharsets.UTF_8);
    return json.replace(MARK, half).getBytes(StandardCharsets.UTF_8);
  }

  /** A field of the wrong type first; if the command has that field too, a duplicate key. */
  private static byte[] wrongType(AttackCommand c, Random r) {
    String wrong =
        List.of(
                "\"durationMs\":\"soon\"",
                "\"durationMs\":1.5",
                "\"target\":[1,2]",
                "\"dryRun\":\"yes\"",
                "\"parameters\":[\"x\"]",
                "\"type\":7",
                "\"issuedAt\":\"now\"",
                "\"target\":{\"names\":\"victim\"}",
                "\"commandId\":null",
                "\"bogus\":1")
            .get(r.nextInt(10));
    String json = new String(json(c, r, ""), StandardCharsets.UTF_8);
    return ("{" + wrong + "," + json.substring(json.indexOf('{') + 1))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The command as JSON, fields in random order with random whitespace, then {@code tail}. */
  static byte[] json(AttackCommand c, Random r, String tail) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("commandId", c.getCommandId());
    fields.put("experimentId", c.getExperimentId());
    fields.put("type", c.getType().name());
    if (c.getAttackId() != null || r.nextBoolean()) {
      fields.put("attackId", c.getAttackId());
    }
    if (!c.getFault().isEmpty()) {
      fields.put("fault", c.getFault());
    }
    if (c.getTarget() != null) {
      TargetSelector t = c.getTarget();
      Map<String, Object> target = new LinkedHashMap<>();
      target.put("kind", t.getKind());
      target.put("names", t.getNames());
      if (t.getNamespace() != null) {
        target.put("namespace", t.getNamespace());
      }
      target.put("labels", t.getLabels());
      target.put(
          "group", r.nextBoolean() ? t.getGroup().name() : t.getGroup().name().toLowerCase());
      target.put("mode", t.getMode());
      fields.put("target", target);
    }
    if (c.getDurationMs() != null) {
      if (r.nextBoolean()) {
        fields.put("durationMs", c.getDurationMs());
      } else {
        fields.put("duration", c.getDurationMs() + "ms");
      }
    }
    fields.put("parameters", c.getParameters());
    fields.put("issuedAt", c.getIssuedAt());
    if (!c.getIssuedBy().isEmpty()) {
      fields.put("issuedBy", c.getIssuedBy());
    }
    fields.put("dryRun", c.getDryRun());
    if (c.getSignature() != null) {
      fields.put("signature", c.getSignature());
    }
    List<String> parts = new ArrayList<>();
    for (var e : fields.entrySet()) {
      parts.add(space(r) + quote(e.getKey()) + space(r) + ":" + space(r) + value(e.getValue()));
    }
    Collections.shuffle(parts, r);
    return ("{" + String.join(",", parts) + space(r) + "}" + space(r) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String value(Object v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String s) {
    return value(s);
  }

  private static String space(Random r) {
    return List.of("", "", " ", "\n", "\t ", "\r\n").get(r.nextInt(6));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
