package io.faultline.analyzer;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.WindowVerdict;

/**
 * What the result processor consumes, keyed by experimentId: a window verdict or an attack event.
 */
record ResultInput(WindowVerdict verdict, AttackEvent event) {

  static ResultInput of(WindowVerdict verdict) {
    return new ResultInput(verdict, null);
  }

  static ResultInput of(AttackEvent event) {
    return new ResultInput(null, event);
  }
}
