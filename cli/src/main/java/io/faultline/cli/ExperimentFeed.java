package io.faultline.cli;

import io.faultline.schema.ExperimentResult;
import io.faultline.schema.WindowVerdict;
import java.util.Map;

/**
 * What a run reads of its experiment as it goes: the latest window verdict per metric and the
 * latest result. Events arrive separately, pushed to {@link ExperimentRunner#onRecord}.
 */
interface ExperimentFeed {

  Map<String, WindowVerdict> latestVerdicts();

  /** The analyzer's latest result, or null while there is none. */
  ExperimentResult latestResult();
}
