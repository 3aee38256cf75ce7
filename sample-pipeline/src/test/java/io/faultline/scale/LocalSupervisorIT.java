package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSupervisorIT {

  @TempDir Path dir;

  private static Properties read(Path file) throws Exception {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return p;
  }

  private static String body(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int status(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/similar?song=song-00003"))
                  // a fresh JVM's first similarity search is interpreted code: seconds at a high
                  // load
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static LocalSupervisor.SupervisorEvent restarted(
      List<LocalSupervisor.SupervisorEvent> events) {
    return events.stream()
        .filter(e -> e.type() == LocalSupervisor.SupervisorEvent.Type.RESTARTED)
        .filter(e -> e.name().equals("scale-experimental"))
        .findFirst()
        .orElse(null);
  }

  @Test
  void restartsAKilledInstanceAndLeavesTheOtherAlone() throws Exception {
    List<LocalSupervisor.SupervisorEvent> events = new CopyOnWriteArrayList<>();
    Path targets = dir.resolve("targets");
    System.setProperty("faultline.scale.cache", dir.resolve("cache").toString());
    long controlPid;
    long oldPid;
    ProcessHandle child;
    try (LocalSupervisor supervisor =
        new LocalSupervisor(targets, Duration.ofMillis(500), events::add)) {
      supervisor.start(new LocalSupervisor.InstanceSpec("scale-control", "CONTROL", 0, null, 1000));
      supervisor.start(
          new LocalSupervisor.InstanceSpec("scale-experimental", "EXPERIMENTAL", 0, null, 1000));
      int port = supervisor.port("scale-experimental");
      assertThat(status(port)).isEqualTo(200);
      // the pipeline ran once: 1,000 generated MIDI files extracted into the cached template
      assertThat(dir.resolve("cache/template-v2-1000-42/complete")).exists();
      assertThat(body(port, "/ready")).contains("\"songs\":1000");
      assertThat(body(port, "/songs/song-00003")).contains("\"instruments\":[{\"program\":");
      assertThat(body(port, "/metrics")).contains("scale_songs{group=\"experimental\"} 1000");
      assertThat(status(supervisor.port("scale-control"))).isEqualTo(200);
      Properties target = read(targets.resolve("scale-experimental.properties"));
      assertThat(target.getProperty("group")).isEqualTo("EXPERIMENTAL");
      assertThat(target.getProperty("port")).isEqualTo(Integer.toString(port));
      oldPid = Long.parseLong(target.getProperty("pid"));
      controlPid = supervisor.pid("scale-control");

      ProcessHandle.of(oldPid).orElseThrow().destroyForcibly();

      // the RESTARTED event comes after the new target file: wait for the event, then read the
      // file; and as long as the supervisor itself gives a restart (its delay, then up to 60 s)
      long deadline = System.currentTimeMillis() + 90_000;
      while (restarted(events) == null && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      LocalSupervisor.SupervisorEvent restart = restarted(events);
      assertThat(restart).as("a RESTARTED event within 90 s; events %s", events).isNotNull();
      long newPid = restart.pid();
      assertThat(newPid).isNotEqualTo(oldPid);
      assertThat(read(targets.resolve("scale-experimental.properties")).getProperty("pid"))
          .isEqualTo(Long.toString(newPid));
      assertThat(status(port)).isEqualTo(200);
      assertThat(supervisor.pid("scale-control")).isEqualTo(controlPid);
      assertThat(events)
          .extracting(LocalSupervisor.SupervisorEvent::type)
          .contains(
              LocalSupervisor.SupervisorEvent.Type.EXITED,
              LocalSupervisor.SupervisorEvent.Type.RESTARTED);
      child = ProcessHandle.of(newPid).orElseThrow();
    }
    assertThat(child.isAlive()).isFalse();
    assertThat(ProcessHandle.of(controlPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(targets.resolve("scale-experimental.properties")).doesNotExist();
  }

  /**
   * close() while a restart is under way: the restart has found the supervisor open and goes on to
   * launch (the hook holds it until close has begun and swallows close's interrupt, as a restart
   * past its last interruptible point would, and for half a second more). Before close awaited the
   * restart task, it returned first and the restart then started a JVM that outlived it, with its
   * target file.
   */
  @Test
  void closeDuringARestartLeavesNoProcessStartedAfterIt() throws Exception {
    List<LocalSupervisor.SupervisorEvent> events = new CopyOnWriteArrayList<>();
    Path targets = dir.resolve("targets");
    System.setProperty("faultline.scale.cache", dir.resolve("cache").toString());
    LocalSupervisor supervisor = new LocalSupervisor(targets, Duration.ZERO, events::add);
    java.util.concurrent.CountDownLatch restartBegun = new java.util.concurrent.CountDownLatch(1);
    supervisor.beforeRestart(
        () -> {
          restartBegun.countDown();
          // close's interrupt is swallowed; half a second is long enough for a close that does
          // not wait for the restart to have returned
          long until = Long.MAX_VALUE;
          while (System.nanoTime() < until) {
            if (until == Long.MAX_VALUE && supervisor.closing()) {
              until = System.nanoTime() + 500_000_000L;
            }
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              // as a restart past its last interruptible point
            }
          }
        });
    long oldPid;
    try {
      supervisor.start(
          new LocalSupervisor.InstanceSpec("scale-experimental", "EXPERIMENTAL", 0, null, 1000));
      oldPid = supervisor.pid("scale-experimental");
      ProcessHandle.of(oldPid).orElseThrow().destroyForcibly();
      assertThat(restartBegun.await(60, java.util.concurrent.TimeUnit.SECONDS))
          .as("the restart began")
          .isTrue();
    } finally {
      supervisor.close();
    }

    long newPid = supervisor.pid("scale-experimental");
    assertThat(newPid)
        .as("the restart launched a process before close returned")
        .isNotEqualTo(oldPid);
    assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false))
        .as("pid %d, started by the restart during close, alive after close", newPid)
        .isFalse();
    assertThat(targets.resolve("scale-experimental.properties")).doesNotExist();
  }
}
