package io.faultline.agent.aws;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code fis-experiment}: starts an AWS FIS experiment from the selected template (selector kind
 * {@code fis-template}, names = template ids, tagged {@code faultline.io/group=experimental});
 * recover stops it. The experiment is tagged with {@code faultline.io/fault}.
 */
public final class FisExperiment extends ClusterFault {

  private final FisApi fis;

  public FisExperiment(FisApi fis) {
    this.fis = fis;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.FIS_EXPERIMENT;
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String template = target.attribute("templateId");
    String experiment = fis.startExperiment(template, Map.of("faultline.io/fault", fault()));
    return new Fault.Applied(
        List.of("fis experiment " + experiment + " started from template " + template),
        Map.of("experimentId", experiment));
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) throws Exception {
    String experiment = recovery.get("experimentId");
    if (experiment == null) {
      return "fis template " + target.name() + ": no experiment recorded; nothing to stop";
    }
    return "fis experiment " + experiment + " stopped (" + fis.stopExperiment(experiment) + ")";
  }
}
