package io.faultline.cli;

/** The time an experiment run reads and waits on; tests replace it with one they advance. */
interface RunClock {

  RunClock SYSTEM =
      new RunClock() {
        @Override
        public long now() {
          return System.currentTimeMillis();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
          Thread.sleep(millis);
        }
      };

  /** Epoch milliseconds. */
  long now();

  void sleep(long millis) throws InterruptedException;
}
