package io.faultline.cli;

import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.cli.experiment.ExperimentPlan;
import io.faultline.cli.report.ExperimentRecording;
import io.faultline.cli.report.SavedSamples;
import io.faultline.cli.report.TopicReader;
import io.faultline.common.DaemonThreads;
import io.faultline.scale.fleet.FleetStatus;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * One experiment on one cluster, the same for {@code run} and {@code demo}: provisions the topics,
 * starts the local platform when the file asks ({@code groups.local.start}), follows the
 * experiment's topics and hands everything to an {@link ExperimentRunner}; stops what it started.
 */
final class ExperimentSession {

  private final ExperimentDefinition definition;
  private final ExperimentPlan plan;
  private final Topics topics;
  private final Map<String, Object> client;
  private final RunView view;
  private volatile List<FleetStatus.Promotion> promotions = List.of();
  private Path samplesDir;
  private volatile SavedSamples.Saved saved;

  ExperimentSession(
      ExperimentDefinition definition,
      ExperimentPlan plan,
      Topics topics,
      Map<String, Object> client,
      RunView view) {
    this.definition = definition;
    this.plan = plan;
    this.topics = topics;
    this.client = client;
    this.view = view;
  }

  /**
   * After the run, its samples go to {@code dir} as {@code faultline analyze}'s files ({@link
   * SavedSamples}); checked by the caller before the run.
   */
  ExperimentSession savingSamplesTo(Path dir) {
    this.samplesDir = dir;
    return this;
  }

  /**
   * Runs the experiment and returns {@code faultline run}'s exit code.
   *
   * @param dataDir where the local platform's processes keep their files
   * @param dryRunTimeout null for a real run; else how long the agents may take to answer a dry run
   */
  int run(ExperimentRunner runner, Path dataDir, Duration dryRunTimeout) {
    int code = runExperiment(runner, dataDir, dryRunTimeout);
    if (samplesDir != null && dryRunTimeout == null) {
      saveSamples();
    }
    return code;
  }

  /**
   * Reads every sample of the experiment back from the metrics topic and writes them; a failure is
   * said, not fatal: the verdict stands without its files.
   */
  private void saveSamples() {
    try (TopicReader reader = new TopicReader(client)) {
      ExperimentRecording rec =
          ExperimentRecording.fromTopics(
              reader, topics, plan.experimentId(), Duration.ofSeconds(30), metric -> true);
      saved = SavedSamples.write(samplesDir, rec);
      view.say(
          "samples saved in "
              + samplesDir
              + " ("
              + String.join(", ", saved.files())
              + "; README.txt says what the run was)");
      if (saved.command() != null) {
        view.say("judge " + saved.metric() + " again, as the analyzer did: " + saved.command());
      }
    } catch (IOException | RuntimeException e) {
      view.say(SavedSamples.OPTION + " " + samplesDir + ": the samples were not saved: " + e);
    }
  }

  /** After {@link #run} with {@link #savingSamplesTo}: what was saved, or null. */
  SavedSamples.Saved savedSamples() {
    return saved;
  }

  private int runExperiment(ExperimentRunner runner, Path dataDir, Duration dryRunTimeout) {
    boolean dryRun = dryRunTimeout != null;
    LocalPlatform platform = null;
    ExperimentFollower follower = null;
    try {
      provisionTopics();
      var local = definition.groups().local();
      if (local != null && local.start()) {
        view.say(
            "starting the local platform ("
                + (local.pipeline() != null ? "a Spark pipeline per group" : "Scale x2")
                + ", agent"
                + (dryRun ? "" : ", analyzer")
                + ")");
        platform = LocalPlatform.start(definition, client, topics, dataDir, !dryRun, view::say);
      }
      follower = new ExperimentFollower(client, topics, plan.experimentId(), runner::onRecord);
      DaemonThreads.named("faultline-run-follower").newThread(follower).start();
      if (dryRun) {
        return runner.dryRun(follower, dryRunTimeout);
      }
      return platform == null
          ? runner.run(follower, null)
          : runner.run(follower, platform::startProbe, platform.batchRuns());
    } catch (Exception e) {
      return runner.failed(e);
    } finally {
      if (follower != null) {
        follower.close();
      }
      if (platform != null) {
        promotions = platform.experimentalPromotions();
        platform.close();
      }
    }
  }

  /**
   * After {@link #run}: the experimental database's promotions the local fleet's status endpoint
   * observed (none without a fleet), for the report's time to a new primary.
   */
  List<FleetStatus.Promotion> promotions() {
    return promotions;
  }

  private void provisionTopics() throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      TopicProvisioner.ensure(admin, topics, (short) Math.min(3, brokers));
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no Kafka broker answered at " + client.get("bootstrap.servers") + " within 30 s");
    } catch (ExecutionException | RuntimeException e) {
      // Where the CLI may not create topics, they must exist already: say so and go on.
      view.say(
          "could not check or create the topics (" + e.getMessage() + "); using them as they are");
    }
  }
}
