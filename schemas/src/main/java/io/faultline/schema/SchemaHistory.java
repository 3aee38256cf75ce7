package io.faultline.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every writer schema a reader may meet: the current generated schemas plus earlier versions
 * published under {@code faultline/avro/history/} on the classpath (listed in {@code index}). A
 * record is decoded with the writer schema its fingerprint names and resolved to the reader's.
 */
public final class SchemaHistory {

  private static final SchemaHistory SHARED = loadDefault();

  private final SchemaStore.Cache store = new SchemaStore.Cache();
  private final List<Schema> registered = new CopyOnWriteArrayList<>();

  public static SchemaHistory shared() {
    return SHARED;
  }

  public void register(Schema schema) {
    store.addSchema(schema);
    registered.add(schema);
  }

  /**
   * The earlier versions of a record (by full name, e.g. io.faultline.schema.Experiment), newest
   * first: for readers of text encodings (Avro JSON) that carry no fingerprint.
   */
  public List<Schema> earlierVersions(String fullName) {
    List<Schema> out = new ArrayList<>();
    for (Schema s : registered) {
      if (s.getFullName().equals(fullName)) {
        out.add(0, s);
      }
    }
    return out;
  }

  public SchemaStore store() {
    return store;
  }

  private static SchemaHistory loadDefault() {
    SchemaHistory history = new SchemaHistory();
    ClassLoader loader = SchemaHistory.class.getClassLoader();
    try (InputStream index = loader.getResourceAsStream("faultline/avro/history/index")) {
      if (index == null) {
        return history;
      }
      for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String name = line.strip();
        if (name.isEmpty() || name.startsWith("#")) {
          continue;
        }
        try (InputStream in = loader.getResourceAsStream("faultline/avro/history/" + name)) {
          if (in == null) {
            throw new IllegalStateException("faultline/avro/history/index names missing " + name);
          }
          history.register(new Schema.Parser().parse(in));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read faultline/avro/history: " + e, e);
    }
    return history;
  }
}
