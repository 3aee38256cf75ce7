package io.faultline.collector;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs the HTTP load probe until SIGTERM: {@code CollectorMain [--config FILE]}. */
public final class CollectorMain {

  private CollectorMain() {}

  public static HttpLoadProbe start(CollectorConfig c, SampleSink sink) {
    HttpLoadProbe probe =
        new HttpLoadProbe(
            c.experimentId(),
            c.targets(),
            c.rps(),
            c.concurrency(),
            c.timeout(),
            c.interval(),
            sink);
    probe.start();
    return probe;
  }

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(
            "Usage: CollectorMain [--config FILE]\n"
                + "Keys (file or FAULTLINE_* env): bootstrap.servers, experiment.id, probe.targets,"
                + " probe.rps, probe.concurrency, probe.timeout, probe.interval, topics.prefix, kafka.*");
        return;
      } else {
        System.err.println("unknown argument '" + args[i] + "'; see --help");
        System.exit(2);
      }
    }
    CollectorConfig config;
    try {
      config = CollectorConfig.fromMap(ConfigSource.load(file, System.getenv()));
    } catch (IllegalArgumentException e) {
      System.err.println("metrics-collector: " + e.getMessage());
      System.exit(2);
      return;
    }
    KafkaSampleSink sink =
        new KafkaSampleSink(
            config.bootstrapServers(), new Topics(config.topicsPrefix(), 3), config.kafka());
    HttpLoadProbe probe = start(config, sink);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  probe.close();
                  sink.close();
                  stop.countDown();
                }));
    stop.await();
  }
}
