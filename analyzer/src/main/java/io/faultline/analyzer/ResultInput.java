package io.faultline.analyzer;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.MetricSample;
import io.faultline.schema.WindowVerdict;

/**
 * What the result processor consumes, keyed by experimentId: a window verdict, an attack event or a
 * batch run's figure ({@link PipelineRuns}).
 */
record ResultInput(WindowVerdict verdict, AttackEvent event, MetricSample run) {

  static ResultInput of(WindowVerdict verdict) {
    return new ResultInput(verdict, null, null);
  }

  static ResultInput of(AttackEvent event) {
    return new ResultInput(null, event, null);
  }

  static ResultInput ofRun(MetricSample run) {
    return new ResultInput(null, null, run);
  }
}
