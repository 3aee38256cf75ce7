package io.faultline.scale.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresUserTest {

  @TempDir Path tmp;
  private String owner;
  private String group;

  @BeforeEach
  void openTheTempDir() throws Exception {
    // a temp directory is 0700: open it, so each test decides about the directories below it
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    PosixFileAttributes a = Files.readAttributes(tmp, PosixFileAttributes.class);
    owner = a.owner().getName();
    group = a.group().getName();
  }

  private Path dir(String relative, String mode) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(relative));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    return d;
  }

  @Test
  void namesTheAncestorOnlyItsOwnerMayEnterWithOwnerModeAndWhatToDo() throws Exception {
    Path clone = dir("mktemp", "rwx------");
    Path work = dir("mktemp/faultline/.faultline", "rwxr-xr-x");

    Optional<String> why = PostgresUser.cannotReach(work, "no-such-user", Set.of());

    assertThat(why).isPresent();
    assertThat(why.get())
        .contains(
            "the work directory " + work,
            "user no-such-user",
            clone + " (owner " + owner + ", group " + group + ", mode rwx------)",
            "does not let user no-such-user through",
            "chmod o+x " + clone);
  }

  @Test
  void aWorkDirNotCreatedYetNeedsItsAncestorsEnteredOnly() throws Exception {
    Path clone = dir("enter-only", "rwx--x--x");
    assertThat(PostgresUser.cannotReach(clone.resolve("work"), "no-such-user", Set.of())).isEmpty();

    Path closed = dir("closed", "rwx------");
    assertThat(PostgresUser.cannotReach(closed.resolve("work"), "no-such-user", Set.of()))
        .hasValueSatisfying(
            m -> assertThat(m).contains("does not let user no-such-user through", "chmod o+x "));
  }

  @Test
  void letsThroughWhereEveryAncestorIsTraversableAndTheWorkDirReadable() throws Exception {
    dir("shared", "rwx--x--x");
    Path work = dir("shared/work", "rwxr-xr-x");

    assertThat(PostgresUser.cannotReach(work, "no-such-user", Set.of())).isEmpty();
    // a work directory not created yet is judged by the ancestors that exist
    assertThat(PostgresUser.cannotReach(work.resolve("fleet/a"), "no-such-user", Set.of()))
        .isEmpty();
  }

  @Test
  void aWorkDirThatCanBeEnteredButNotReadIsNamedToo() throws Exception {
    Path work = dir("work", "rwx--x--x");

    assertThat(PostgresUser.cannotReach(work, "no-such-user", Set.of()))
        .hasValueSatisfying(
            m -> assertThat(m).contains("does not let user no-such-user read it", "chmod o+rx "));
  }

  @Test
  void theOwnersAndTheGroupsBitsDecideForTheOwnerAndAMember() throws Exception {
    Path ownerOnly = dir("owner-only", "rwx------");
    Path groupOnly = dir("group-only", "---r-x---");

    assertThat(PostgresUser.cannotReach(ownerOnly, owner, Set.of())).isEmpty();
    assertThat(PostgresUser.cannotReach(groupOnly, "no-such-user", Set.of(group))).isEmpty();
    assertThat(PostgresUser.cannotReach(groupOnly, "no-such-user", Set.of())).isPresent();
    // the owner's bits only, even where the group's would let it through
    assertThat(PostgresUser.cannotReach(groupOnly, owner, Set.of(group))).isPresent();
  }
}
