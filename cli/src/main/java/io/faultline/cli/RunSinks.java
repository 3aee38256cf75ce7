package io.faultline.cli;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.Experiment;

/** Where a run sends what it decides: attack commands and the experiment's states. */
interface RunSinks {

  /** Sends one attack command (a {@link CommandSender} in the CLI); throws when it cannot. */
  void send(AttackCommand command);

  /** Publishes the experiment's current state; throws when it cannot. */
  void publish(Experiment experiment);
}
