package io.faultline.schema;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * HMAC-SHA256 signatures of attack commands with a shared secret (docs/adr/0011). The signature
 * covers the command's canonical form: its Avro binary encoding with {@code signature} empty and
 * the maps sorted by key, so every field is signed, fields added to the schema later included, and
 * the JSON and Avro forms of one command sign alike (both are read into the same record). The
 * previous canonical text ({@link #legacyCanonical}) is still accepted by {@link #verify} for one
 * release, so agents can be upgraded before the senders.
 */
public final class CommandSignature {

  private CommandSignature() {}

  /** The bytes a signature covers: the Avro binary of the command without its signature. */
  public static byte[] canonical(AttackCommand c) {
    AttackCommand copy = AttackCommand.newBuilder(c).setSignature(null).build();
    copy.setParameters(new TreeMap<>(c.getParameters()));
    if (c.getTarget() != null) {
      TargetSelector target = TargetSelector.newBuilder(c.getTarget()).build();
      target.setLabels(new TreeMap<>(c.getTarget().getLabels()));
      copy.setTarget(target);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<>(AttackCommand.class).write(copy, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The canonical text signed before ADR 0011, one {@code name=value} per line: unescaped, so
   * {@code ["a,b"]} and {@code ["a","b"]} sign alike, and blind to fields added later. Verified for
   * one release only.
   */
  @Deprecated(forRemoval = true)
  public static String legacyCanonical(AttackCommand c) {
    StringBuilder b = new StringBuilder();
    line(b, "commandId", c.getCommandId());
    line(b, "experimentId", c.getExperimentId());
    line(b, "type", c.getType());
    line(b, "attackId", c.getAttackId());
    line(b, "fault", c.getFault());
    line(b, "durationMs", c.getDurationMs());
    line(b, "issuedAt", c.getIssuedAt());
    line(b, "issuedBy", c.getIssuedBy());
    line(b, "dryRun", c.getDryRun());
    TargetSelector t = c.getTarget();
    if (t != null) {
      line(b, "target.kind", t.getKind());
      line(b, "target.names", String.join(",", t.getNames()));
      line(b, "target.namespace", t.getNamespace());
      line(b, "target.labels", sorted(t.getLabels()));
      line(b, "target.group", t.getGroup());
      line(b, "target.mode", t.getMode());
    }
    line(b, "parameters", sorted(c.getParameters()));
    return b.toString();
  }

  /** The hex HMAC-SHA256 of the command's canonical form. */
  public static String sign(AttackCommand command, String secret) {
    return hmac(canonical(command), secret);
  }

  @SuppressWarnings("removal")
  static String signLegacy(AttackCommand command, String secret) {
    return hmac(legacyCanonical(command).getBytes(StandardCharsets.UTF_8), secret);
  }

  private static String hmac(byte[] bytes, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(bytes));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable: " + e, e);
    }
  }

  /** A copy of the command with its signature set. */
  public static AttackCommand signed(AttackCommand command, String secret) {
    AttackCommand copy = AttackCommand.newBuilder(command).setSignature(null).build();
    copy.setSignature(sign(copy, secret));
    return copy;
  }

  /**
   * True when the signature matches the canonical form, or, for one release, the legacy text
   * (compared in constant time).
   */
  public static boolean verify(AttackCommand command, String secret) {
    String given = command.getSignature();
    if (given == null) {
      return false;
    }
    byte[] actual = given.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    boolean current =
        MessageDigest.isEqual(sign(command, secret).getBytes(StandardCharsets.US_ASCII), actual);
    boolean legacy =
        MessageDigest.isEqual(
            signLegacy(command, secret).getBytes(StandardCharsets.US_ASCII), actual);
    return current | legacy;
  }

  private static void line(StringBuilder b, String name, Object value) {
    b.append(name).append('=').append(value == null ? "" : value).append('\n');
  }

  private static String sorted(Map<String, String> map) {
    List<String> parts =
        new TreeMap<>(map).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList();
    return String.join(",", parts);
  }
}
