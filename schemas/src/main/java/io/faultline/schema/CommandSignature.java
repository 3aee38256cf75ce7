package io.faultline.schema;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of attack commands with a shared secret. The signature covers a canonical
 * text of every field but {@code signature} itself, one {@code name=value} per line in a fixed
 * order, maps sorted by key, so JSON and Avro forms of the same command sign alike.
 */
public final class CommandSignature {

  private CommandSignature() {}

  public static String canonical(AttackCommand c) {
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

  /** The hex HMAC-SHA256 of the command's canonical text. */
  public static String sign(AttackCommand command, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal(canonical(command).getBytes(StandardCharsets.UTF_8)));
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

  /** True when the signature matches (compared in constant time). */
  public static boolean verify(AttackCommand command, String secret) {
    String given = command.getSignature();
    if (given == null) {
      return false;
    }
    byte[] expected = sign(command, secret).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(
        expected, given.strip().toLowerCase().getBytes(StandardCharsets.US_ASCII));
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
