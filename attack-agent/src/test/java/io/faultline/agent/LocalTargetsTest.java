package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The targets directory read on every START: a file parsed once is reused while its stamps hold,
 * and every change (a pid rewritten, a file added, removed or replaced) is seen on the next read,
 * also when the rewrite keeps the size and the modification time.
 */
class LocalTargetsTest {

  // the wall clock the agent compares the file stamps with; well past every file's last change
  // unless a test says otherwise, so that a parse is trusted
  private final AtomicLong wall = new AtomicLong(System.currentTimeMillis() + 60_000);

  @Test
  void aSettledFileIsParsedOnceAndReusedWhileItsStampsHold(@TempDir Path dir) throws Exception {
    write(dir, "web-1", "EXPERIMENTAL", 4101);
    LocalTargets targets = new LocalTargets(dir, wall::get);

    ProcessTarget first = targets.read().get(0);
    ProcessTarget second = targets.read().get(0);

    assertThat(first.pid()).isEqualTo(4101);
    assertThat(second).isSameAs(first);
  }

  @Test
  void aPidRewrittenWithTheSameSizeAndModificationTimeIsSeen(@TempDir Path dir) throws Exception {
    Path file = write(dir, "web-1", "EXPERIMENTAL", 4101);
    FileTime modified = Files.getLastModifiedTime(file);
    LocalTargets targets = new LocalTargets(dir, wall::get);
    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4101L);
    Thread.sleep(50); // past the kernel's timestamp tick, so the change time moves

    // the restarted process's pid, in the same second: the size and the mtime as before
    write(dir, "web-1", "EXPERIMENTAL", 4102);
    Files.setLastModifiedTime(file, modified);
    assertThat(Files.size(file)).isEqualTo(Files.size(dir.resolve("web-1.properties")));

    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4102L);
  }

  @Test
  void aPidRewrittenRightAfterItsParseIsSeenOnTheWallClock(@TempDir Path dir) throws Exception {
    Path file = write(dir, "web-1", "EXPERIMENTAL", 4101);
    FileTime modified = Files.getLastModifiedTime(file);
    LocalTargets targets = new LocalTargets(dir);
    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4101L);

    // at once, maybe within the same timestamp tick: every stamp may be as it was
    write(dir, "web-1", "EXPERIMENTAL", 4102);
    Files.setLastModifiedTime(file, modified);

    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4102L);
  }

  @Test
  void aFileChangedWithinTheTickOfItsParseIsParsedAgainUntilItSettles(@TempDir Path dir)
      throws Exception {
    Path file = write(dir, "web-1", "EXPERIMENTAL", 4101);
    long changed = Files.getLastModifiedTime(file).toMillis();
    wall.set(changed); // the parse falls in the same tick as the file's last change
    LocalTargets targets = new LocalTargets(dir, wall::get);

    ProcessTarget first = targets.read().get(0);
    assertThat(targets.read().get(0)).isNotSameAs(first).isEqualTo(first);

    // settled (a second more for a change time a tick after the mtime): this parse is kept
    wall.set(changed + LocalTargets.SETTLED.toMillis() + 1000);
    ProcessTarget settled = targets.read().get(0);
    assertThat(targets.read().get(0)).isSameAs(settled);
  }

  @Test
  void filesAddedRemovedOrReplacedAreSeenOnTheNextRead(@TempDir Path dir) throws Exception {
    write(dir, "web-1", "EXPERIMENTAL", 4101);
    write(dir, "web-2", "CONTROL", 4201);
    LocalTargets targets = new LocalTargets(dir, wall::get);
    assertThat(targets.read()).extracting(ProcessTarget::name).containsExactly("web-1", "web-2");

    write(dir, "web-3", "EXPERIMENTAL", 4301);
    Files.delete(dir.resolve("web-1.properties"));
    assertThat(targets.read()).extracting(ProcessTarget::name).containsExactly("web-2", "web-3");

    // a supervisor's atomic replace: a new inode with the old file's size and modification time
    Path old = dir.resolve("web-2.properties");
    FileTime modified = Files.getLastModifiedTime(old);
    Path tmp = write(dir, "web-2.tmp", "CONTROL", 4202);
    Files.setLastModifiedTime(tmp, modified);
    Files.move(tmp, old, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    List<ProcessTarget> read = targets.read();
    assertThat(read).extracting(ProcessTarget::pid).containsExactly(4202L, 4301L);
    assertThat(read.get(0).group()).isEqualTo(Group.CONTROL);

    // a file put back after its removal is a new file, whatever its stamps
    write(dir, "web-1", "EXPERIMENTAL", 4103);
    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4103L, 4202L, 4301L);
  }

  @Test
  void aBadFileIsIgnoredUntilItIsFixedAndAGoneDirectoryHasNoTargets(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("web-1.properties");
    Files.writeString(file, "name=web-1\ngroup=EXPERIMENTAL\n"); // no pid yet
    LocalTargets targets = new LocalTargets(dir, wall::get);
    assertThat(targets.read()).isEmpty();
    assertThat(targets.read()).isEmpty();

    write(dir, "web-1", "EXPERIMENTAL", 4101);
    assertThat(targets.read()).extracting(ProcessTarget::pid).containsExactly(4101L);

    Files.delete(file);
    Files.delete(dir);
    assertThat(targets.read()).isEmpty();
  }

  private static Path write(Path dir, String name, String group, long pid) throws Exception {
    Path file = dir.resolve(name.endsWith(".tmp") ? name : name + ".properties");
    String target = name.replace(".tmp", "");
    return Files.writeString(
        file, "name=" + target + "\ngroup=" + group + "\npid=" + pid + "\nport=8080\n");
  }
}
