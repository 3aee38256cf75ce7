package io.faultline.kafka;

import java.lang.reflect.Method;

/**
 * The broker integration tests run against: one per JVM, started on first use and stopped at exit.
 * By default an in-process {@link EmbeddedKafka}; with {@code -Dfaultline.test.kafka=docker} (the
 * {@code docker} Maven profile) a Testcontainers Kafka container, loaded reflectively so the
 * Testcontainers dependency is needed only in that profile.
 */
public final class TestBroker {

  private static String bootstrapServers;

  private TestBroker() {}

  public static synchronized String bootstrapServers() {
    if (bootstrapServers == null) {
      if ("docker".equals(System.getProperty("faultline.test.kafka"))) {
        bootstrapServers = startContainer();
      } else {
        EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-stop"));
        bootstrapServers = kafka.bootstrapServers();
      }
    }
    return bootstrapServers;
  }

  /** Consumer settings for a test: this broker, a group of its own, reading from the start. */
  public static java.util.Map<String, Object> consumerConfig() {
    return java.util.Map.of(
        "bootstrap.servers",
        bootstrapServers(),
        "group.id",
        "it-" + java.util.UUID.randomUUID(),
        "auto.offset.reset",
        "earliest");
  }

  private static String startContainer() {
    try {
      Class<?> type = Class.forName("org.testcontainers.kafka.KafkaContainer");
      Object container = type.getConstructor(String.class).newInstance("apache/kafka:4.1.1");
      type.getMethod("start").invoke(container);
      Method stop = type.getMethod("stop");
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      stop.invoke(container);
                    } catch (ReflectiveOperationException ignored) {
                      // the JVM is exiting; Testcontainers' reaper removes the container anyway
                    }
                  }));
      return (String) type.getMethod("getBootstrapServers").invoke(container);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "faultline.test.kafka=docker needs Testcontainers on the test classpath"
              + " (run with -Pdocker) and a Docker engine: "
              + e,
          e);
    }
  }
}
