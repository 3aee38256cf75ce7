package io.faultline.scale.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' in-process Spark: two local threads, no UI, the driver on loopback only. */
final class LocalSparkSessions {

  private LocalSparkSessions() {}

  /** A {@code local[2]} session named {@code appName}; the caller stops it. */
  static SparkSession loopback(String appName) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(appName)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
