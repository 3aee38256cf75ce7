package io.faultline.agent.aws;

import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Target;
import io.faultline.agent.TargetInventory;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AWS FIS experiment templates, grouped by their tag {@code faultline.io/group}: a template is
 * attacked only when tagged EXPERIMENTAL (its own targets are defined in AWS, so the tag is the
 * owner's statement that it touches the experimental group only). Selector labels filter by tags.
 */
public final class FisTemplateInventory implements TargetInventory {

  private final FisApi fis;

  public FisTemplateInventory(FisApi fis) {
    this.fis = fis;
  }

  @Override
  public String kind() {
    return "fis-template";
  }

  @Override
  public List<? extends Target> list(TargetSelector selector) {
    List<ClusterTarget> targets = new ArrayList<>();
    try {
      for (FisApi.Template t : fis.listTemplates()) {
        boolean matches =
            selector.getLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(t.tags().get(e.getKey())));
        if (matches) {
          targets.add(
              new ClusterTarget(
                  "fis-template", t.id(), group(t.tags()), Map.of("templateId", t.id())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing FIS templates", e);
    }
    return targets;
  }

  private static Group group(Map<String, String> tags) {
    String v = tags.get(Ec2Inventory.GROUP_TAG);
    if (v == null) {
      return Group.UNKNOWN;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "experimental" -> Group.EXPERIMENTAL;
      case "control" -> Group.CONTROL;
      default -> Group.UNKNOWN;
    };
  }
}
