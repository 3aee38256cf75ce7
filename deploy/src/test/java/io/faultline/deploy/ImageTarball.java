package io.faultline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A docker-save image tarball as Jib's buildTar writes it: manifest.json, the config JSON and
 * gzipped layer tars. Reads the config, the mode of every file in the layers, and unpacks the
 * layers into a directory.
 */
final class ImageTarball {

  final JsonNode manifest;
  final JsonNode config;

  /** path in the image (no leading slash) -> POSIX mode, from every layer, later layers win. */
  final Map<String, Integer> modes = new LinkedHashMap<>();

  private final Map<String, byte[]> entries;

  ImageTarball(Path tarball) throws IOException {
    try (InputStream in = Files.newInputStream(tarball)) {
      entries = readTar(in, null, null);
    }
    ObjectMapper json = new ObjectMapper();
    manifest = json.readTree(entries.get("manifest.json")).get(0);
    config = json.readTree(entries.get(manifest.get("Config").asText()));
    for (JsonNode layer : manifest.get("Layers")) {
      try (InputStream in =
          new GZIPInputStream(new java.io.ByteArrayInputStream(entries.get(layer.asText())))) {
        readTar(in, modes, null);
      }
    }
  }

  /** Unpacks every layer, in order, under {@code root}. */
  void unpack(Path root) throws IOException {
    for (JsonNode layer : manifest.get("Layers")) {
      try (InputStream in =
          new GZIPInputStream(new java.io.ByteArrayInputStream(entries.get(layer.asText())))) {
        readTar(in, null, root);
      }
    }
  }

  /**
   * A minimal ustar/pax reader: regular files and directories (all Jib writes); pax headers are
   * skipped except for a long path.
   */
  private static Map<String, byte[]> readTar(InputStream in, Map<String, Integer> modes, Path root)
      throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] header = new byte[512];
    String paxPath = null;
    while (in.readNBytes(header, 0, 512) == 512) {
      if (header[0] == 0) {
        break;
      }
      String name = text(header, 0, 100);
      String prefix = text(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      int mode = (int) octal(header, 100, 8);
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      byte[] data = in.readNBytes((int) size);
      in.skipNBytes((512 - size % 512) % 512);
      if (type == 'x') {
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
          int eq = line.indexOf(" path=");
          if (eq > 0) {
            paxPath = line.substring(eq + 6);
          }
        }
        continue;
      }
      if (type == 'g') {
        continue;
      }
      if (paxPath != null) {
        name = paxPath;
        paxPath = null;
      }
      name = name.replaceFirst("^\\./", "").replaceFirst("^/", "");
      if (modes != null) {
        modes.put(name.replaceFirst("/$", ""), mode);
      }
      if (root != null) {
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
          throw new IOException("layer entry outside the image root: " + name);
        }
        if (type == '5') {
          Files.createDirectories(target);
        } else if (type == '0' || type == 0) {
          Files.createDirectories(target.getParent());
          Files.write(target, data);
          Files.setPosixFilePermissions(target, permissions(mode));
        }
      } else if (modes == null) {
        files.put(name, data);
      }
    }
    return files;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE
    };
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        out.add(order[i]);
      }
    }
    return out;
  }

  private static String text(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len) {
    String s = text(b, off, len).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }

  /**
   * The DT_NEEDED libraries of an x86-64 ELF shared object or executable, or null when the bytes
   * are not one (another architecture, not ELF).
   */
  static java.util.List<String> neededLibraries(byte[] elf) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (elf.length < 64
        || b.getInt(0) != 0x464c457f // \x7fELF
        || elf[4] != 2 // 64-bit
        || b.getShort(18) != 62) { // EM_X86_64
      return null;
    }
    long shoff = b.getLong(0x28);
    int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    java.util.List<String> needed = new java.util.ArrayList<>();
    for (int i = 0; i < shnum; i++) {
      int sh = (int) (shoff + (long) i * shentsize);
      if (b.getInt(sh + 4) != 6) { // SHT_DYNAMIC
        continue;
      }
      long offset = b.getLong(sh + 0x18);
      long size = b.getLong(sh + 0x20);
      int link = b.getInt(sh + 0x28);
      long strtab = b.getLong((int) (shoff + (long) link * shentsize) + 0x18);
      for (long e = offset; e + 16 <= offset + size; e += 16) {
        long tag = b.getLong((int) e);
        if (tag == 0) {
          break;
        }
        if (tag == 1) { // DT_NEEDED
          int start = (int) (strtab + b.getLong((int) e + 8));
          int end = start;
          while (elf[end] != 0) {
            end++;
          }
          needed.add(new String(elf, start, end - start, StandardCharsets.US_ASCII));
        }
      }
    }
    return needed;
  }

  static String run(Path dir, java.util.List<String> command, int timeoutSeconds) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try {
                p.getInputStream().transferTo(out);
              } catch (IOException ignored) {
                // the process ended
              }
            });
    reader.start();
    if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not exit within " + timeoutSeconds + " s: " + out);
    }
    reader.join(5000);
    return "exit " + p.exitValue() + "\n" + out.toString(StandardCharsets.UTF_8);
  }
}
