package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.experiment.ExperimentDefinition.Metadata;

/** {@code metadata}: name, owner, description, labels, service; the schema checks all of it. */
final class MetadataSection {

  private MetadataSection() {}

  static Metadata read(JsonNode n) {
    if (FileValues.object(n) == null) {
      return null;
    }
    return new Metadata(
        FileValues.text(n, "name"),
        FileValues.text(n, "owner"),
        FileValues.text(n, "description"),
        FileValues.map(n.get("labels")),
        FileValues.text(n, "service"));
  }
}
