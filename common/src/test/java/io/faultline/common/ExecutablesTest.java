package io.faultline.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {

  @TempDir Path tmp;

  @Test
  void findsTheFirstExecutableInDirectoryOrder() throws Exception {
    Path first = Files.createDirectories(tmp.resolve("first"));
    Path second = Files.createDirectories(tmp.resolve("second"));
    executable(first.resolve("tool"));
    executable(second.resolve("tool"));

    assertThat(Executables.find("tool", List.of(second.toString(), first.toString())))
        .contains(second.resolve("tool"));
    assertThat(Executables.find("tool", List.of(first.toString(), second.toString())))
        .contains(first.resolve("tool"));
  }

  @Test
  void skipsAFileThatIsNotExecutable() throws Exception {
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.writeString(plain.resolve("tool"), "not a program");
    executable(bin.resolve("tool"));

    assertThat(Executables.find("tool", List.of(plain.toString()))).isEmpty();
    assertThat(Executables.find("tool", List.of(plain.toString(), bin.toString())))
        .contains(bin.resolve("tool"));
  }

  @Test
  void findsNothingForAMissingCommandOrNoDirectories() {
    assertThat(Executables.find("tool", List.of(tmp.toString()))).isEmpty();
    assertThat(Executables.find("sh", List.of())).isEmpty();
  }

  @Test
  void onPathSearchesTheDirectoriesOfPath() {
    List<String> dirs = Executables.pathDirectories();
    boolean shOnPath = Executables.find("sh", dirs).isPresent();

    assertThat(Executables.onPath("sh")).isEqualTo(shOnPath);
    assertThat(Executables.onPath("no-such-command-" + System.nanoTime())).isFalse();
  }

  private static void executable(Path file) throws Exception {
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
