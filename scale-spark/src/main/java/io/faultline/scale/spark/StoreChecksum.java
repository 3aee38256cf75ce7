package io.faultline.scale.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * What a store holds, as two numbers a control and an experimental run can be compared on: the
 * number of songs and a SHA-256 over every song's content and instrument rows in id order. The
 * extraction time ({@code extracted_at}) is left out: two runs that wrote the same songs have the
 * same checksum, and a lost, duplicated or wrongly extracted song changes it.
 */
public record StoreChecksum(long songs, long instrumentRows, String sha256) {

  public static StoreChecksum of(String url, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement()) {
      MessageDigest digest = newDigest();
      long songs = 0;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT id, title, content_sha256, instrument_count, drum_notes, instrument_set"
                  + " FROM song ORDER BY id")) {
        while (rs.next()) {
          songs++;
          for (int i = 1; i <= 6; i++) {
            digest.update(String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) (i == 6 ? '\n' : '\t'));
          }
        }
      }
      long rows = 0;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT song_id, program, family, notes FROM song_instrument"
                  + " ORDER BY song_id, program")) {
        while (rs.next()) {
          rows++;
          digest.update(
              (rs.getString(1)
                      + '\t'
                      + rs.getInt(2)
                      + '\t'
                      + rs.getInt(3)
                      + '\t'
                      + rs.getInt(4)
                      + '\n')
                  .getBytes(StandardCharsets.UTF_8));
        }
      }
      return new StoreChecksum(songs, rows, HexFormat.of().formatHex(digest.digest()));
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
