package io.faultline.agent.local;

/**
 * The burner process of {@code cpu-burn}: N busy threads at P% duty cycle over 100 ms periods,
 * exiting by itself after {@code --max-seconds} so a burner never outlives its attack for long.
 */
public final class CpuBurner {

  private static volatile double sink;

  private CpuBurner() {}

  public static void main(String[] args) throws InterruptedException {
    int threads = 1;
    int percent = 100;
    long maxSeconds = 60;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--percent" -> percent = Integer.parseInt(args[i + 1]);
        case "--max-seconds" -> maxSeconds = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    long busyNanos = 100_000_000L * percent / 100;
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] =
          new Thread(
              () -> {
                double x = 1.0001;
                while (System.nanoTime() < deadline) {
                  long periodStart = System.nanoTime();
                  while (System.nanoTime() - periodStart < busyNanos) {
                    x = x * 1.0000001 + 1e-9;
                  }
                  long rest = 100_000_000L - (System.nanoTime() - periodStart);
                  if (rest > 0) {
                    try {
                      Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
                sink = x;
              },
              "burn-" + t);
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
  }
}
