package io.faultline.agent.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The holder process of {@code memory-pressure}: allocates {@code --mb} megabytes, writes to every
 * page so they are resident, and keeps them until {@code --until} (epoch ms), then exits.
 */
public final class MemoryHolder {

  private static final int PAGE = 4096;
  private static final int MB = 1 << 20;

  private MemoryHolder() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> flags = ChildJvm.flags(args, List.of("mb", "until"));
    int mb = Integer.parseInt(flags.getOrDefault("mb", "1"));
    long until = Long.parseLong(flags.getOrDefault("until", "0"));
    List<byte[]> held = new ArrayList<>(mb);
    for (int i = 0; i < mb && System.currentTimeMillis() < until; i++) {
      byte[] chunk = new byte[MB];
      for (int p = 0; p < MB; p += PAGE) {
        chunk[p] = (byte) (i + p);
      }
      held.add(chunk);
    }
    ChildJvm.sleepUntil(until);
    if (held.size() > mb) {
      throw new IllegalStateException("unreachable; keeps the chunks alive until here");
    }
  }
}
