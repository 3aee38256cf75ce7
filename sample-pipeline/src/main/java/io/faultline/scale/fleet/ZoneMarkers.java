package io.faultline.scale.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The contract with the attack agent's local zone-outage: while a zone is out for a group, the
 * agent keeps {@code <targetsDir>/<zone>.<group>.down}; the supervisor restarts no process of that
 * zone and group until the file is gone (a zone without power runs nothing), then starts them all.
 */
public final class ZoneMarkers {

  private ZoneMarkers() {}

  public static Path marker(Path targetsDir, String zone, String group) {
    return targetsDir.resolve(zone + "." + group.toLowerCase(Locale.ROOT) + ".down");
  }

  public static boolean isDown(Path targetsDir, String zone, String group) {
    return zone != null && Files.exists(marker(targetsDir, zone, group));
  }
}
