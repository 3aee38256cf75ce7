package io.faultline.scale.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL refuses to run as root: as root, whatever runs PostgreSQL (Patroni, initdb, postgres)
 * runs as user {@code postgres}, and that user must reach its files. A work directory below one
 * that only root may enter (a clone in a {@code mktemp -d} directory, mode 0700) makes Patroni fail
 * later with "Config is empty"; {@link #cannotReach(Path)} says so up front.
 */
public final class PostgresUser {

  static final String NAME = "postgres";

  private PostgresUser() {}

  /** The command prefix that runs a program as user postgres; empty when not running as root. */
  public static List<String> command() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return List.of();
    }
    return List.of("/usr/bin/setpriv", "--reuid=" + NAME, "--regid=" + NAME, "--init-groups", "--");
  }

  /**
   * Why user postgres cannot read and traverse {@code workDir} or traverse one of its ancestors,
   * naming the directory, its owner and mode and what to do; empty when it can, or when nothing
   * runs as postgres here (not root). Directories not created yet are left out: they are created
   * traversable.
   */
  public static Optional<String> cannotReach(Path workDir) {
    if (command().isEmpty()) {
      return Optional.empty();
    }
    return cannotReach(workDir, NAME, groupsOf(NAME));
  }

  /**
   * The same for {@code user} in {@code groups}, from each directory's owner, group and mode (as
   * the kernel decides without ACLs: the owner's bits for the owner, else the group's for a member,
   * else the others').
   */
  static Optional<String> cannotReach(Path workDir, String user, Set<String> groups) {
    Path absolute = workDir.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return Optional.empty();
    }
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      return Optional.of(what(workDir, user) + ": cannot resolve " + existing + ": " + e);
    }
    List<Path> chain = new ArrayList<>();
    for (Path p = real; p != null; p = p.getParent()) {
      chain.add(0, p);
    }
    for (Path d : chain) {
      // read is needed on the work directory itself; its ancestors need only be entered
      boolean last = d.equals(real) && existing.equals(absolute);
      PosixFileAttributes a;
      try {
        a = Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (UnsupportedOperationException e) {
        return Optional.empty(); // not a POSIX file system: nothing to check
      } catch (IOException e) {
        return Optional.of(what(workDir, user) + ": cannot read the mode of " + d + ": " + e);
      }
      Set<PosixFilePermission> mode = a.permissions();
      boolean owner = a.owner().getName().equals(user);
      boolean member = !owner && groups.contains(a.group().getName());
      boolean execute =
          mode.contains(
              owner
                  ? PosixFilePermission.OWNER_EXECUTE
                  : member
                      ? PosixFilePermission.GROUP_EXECUTE
                      : PosixFilePermission.OTHERS_EXECUTE);
      boolean read =
          mode.contains(
              owner
                  ? PosixFilePermission.OWNER_READ
                  : member ? PosixFilePermission.GROUP_READ : PosixFilePermission.OTHERS_READ);
      if (!execute || (last && !read)) {
        String perms = PosixFilePermissions.toString(mode);
        return Optional.of(
            what(workDir, user)
                + ": "
                + d
                + " (owner "
                + a.owner().getName()
                + ", group "
                + a.group().getName()
                + ", mode "
                + perms
                + ") does not let user "
                + user
                + (execute ? " read it" : " through")
                + "; allow it (chmod o+"
                + (last ? "rx " : "x ")
                + d
                + ") or use a work directory outside it");
      }
    }
    return Optional.empty();
  }

  private static String what(Path workDir, String user) {
    return "the work directory "
        + workDir.toAbsolutePath().normalize()
        + " is out of reach of user "
        + user
        + ", who runs PostgreSQL and Patroni when faultline runs as root";
  }

  /** The groups {@code user} is in ({@code id -Gn}); empty when that cannot be told. */
  private static Set<String> groupsOf(String user) {
    try {
      Process p = new ProcessBuilder("id", "-Gn", user).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return Set.of();
      }
      return Set.copyOf(Arrays.asList(out.strip().split("\\s+")));
    } catch (IOException e) {
      return Set.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Set.of();
    }
  }
}
