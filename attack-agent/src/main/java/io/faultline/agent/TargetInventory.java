package io.faultline.agent;

import io.faultline.schema.TargetSelector;
import java.util.List;
import java.util.function.Function;

/**
 * Lists the targets of one kind that a selector addresses (its namespace and labels), of every
 * group: selection then keeps the EXPERIMENTAL ones and rejects a CONTROL one named explicitly.
 */
public interface TargetInventory {

  String kind();

  List<? extends Target> list(TargetSelector selector);

  /** The inventory of {@code kind} that {@code list} answers. */
  static TargetInventory of(
      String kind, Function<TargetSelector, ? extends List<? extends Target>> list) {
    return new TargetInventory() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public List<? extends Target> list(TargetSelector selector) {
        return list.apply(selector);
      }
    };
  }
}
