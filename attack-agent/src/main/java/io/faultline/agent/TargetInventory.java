package io.faultline.agent;

import io.faultline.schema.TargetSelector;
import java.util.List;

/**
 * Lists the targets of one kind that a selector addresses (its namespace and labels), of every
 * group: selection then keeps the EXPERIMENTAL ones and rejects a CONTROL one named explicitly.
 */
public interface TargetInventory {

  String kind();

  List<? extends Target> list(TargetSelector selector);
}
