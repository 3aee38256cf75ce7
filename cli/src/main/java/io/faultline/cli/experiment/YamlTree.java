package io.faultline.cli.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An experiment file's YAML as a tree with its anchors ({@code &a}), aliases ({@code *a}) and merge
 * keys ({@code <<: *a}) resolved: the YAML parser reports an alias as a text holding the anchor's
 * name, which would reach the checks as that text. Anchors of mappings and lists are resolved; the
 * parser does not report an anchor on a single value, so an alias of one is refused at its line.
 * What aliases add is bounded ({@link #MAX_ALIASED} values), so a file of nested aliases (a
 * "billion laughs") is refused at the alias that crosses the bound instead of filling the heap.
 */
final class YamlTree {

  /** The most values aliases may add: 50 attacks need a few thousand; a bomb, billions. */
  static final int MAX_ALIASED = 10_000;

  /** An anchor, alias or merge key that cannot be resolved, at its line and column. */
  static final class AliasException extends RuntimeException {
    AliasException(JsonLocation at, String problem) {
      super(
          "YAML alias"
              + (at == null || at.getLineNr() < 1
                  ? ""
                  : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": "
              + problem);
    }
  }

  private final YAMLParser parser;
  private final ObjectMapper yaml;
  private final Map<String, JsonNode> anchors = new HashMap<>();
  private long aliased;

  private YamlTree(YAMLParser parser, ObjectMapper yaml) {
    this.parser = parser;
    this.yaml = yaml;
  }

  /** The tree of {@code text}; a missing node for an empty document. */
  static JsonNode read(ObjectMapper yaml, String text) throws IOException {
    try (JsonParser p = yaml.createParser(text)) {
      if (p.nextToken() == null) {
        return MissingNode.getInstance();
      }
      return new YamlTree((YAMLParser) p, yaml).value();
    }
  }

  /** The value at the parser's current token, and past it. */
  private JsonNode value() throws IOException {
    JsonToken token = parser.currentToken();
    JsonLocation at = parser.currentTokenLocation();
    if (token == JsonToken.VALUE_STRING && parser.isCurrentAlias()) {
      return alias(parser.getText(), at);
    }
    String anchor = parser.getCurrentAnchor(); // read now: the children set their own
    JsonNode node;
    if (token == JsonToken.START_OBJECT) {
      node = mapping();
    } else if (token == JsonToken.START_ARRAY) {
      node = sequence();
    } else {
      node = yaml.readTree(parser); // a scalar, typed as the mapper always typed it
    }
    if (anchor != null) {
      anchors.put(anchor, node); // complete only now: an alias inside it names no anchor yet
    }
    return node;
  }

  private ArrayNode sequence() throws IOException {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      out.add(value());
    }
    return out;
  }

  private ObjectNode mapping() throws IOException {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    List<ObjectNode> merged = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      JsonLocation at = parser.currentTokenLocation();
      JsonNode v = value();
      if (key.equals("<<")) {
        merged.addAll(mergeSources(v, at));
      } else {
        out.set(key, v);
      }
    }
    // the mapping's own keys win, then the merged mappings in the order listed
    for (ObjectNode source : merged) {
      for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!out.has(e.getKey())) {
          out.set(e.getKey(), e.getValue());
        }
      }
    }
    return out;
  }

  private static List<ObjectNode> mergeSources(JsonNode v, JsonLocation at) {
    List<ObjectNode> sources = new ArrayList<>();
    if (v instanceof ObjectNode o) {
      sources.add(o);
    } else if (v.isArray() && v.size() > 0) {
      v.forEach(
          item -> {
            if (item instanceof ObjectNode o) {
              sources.add(o);
            }
          });
    }
    if (sources.isEmpty() || (v.isArray() && sources.size() != v.size())) {
      throw new AliasException(
          at,
          "the merge key << takes a mapping or a list of mappings (<<: *defaults, or <<: [*a,"
              + " *b]), not "
              + SchemaMessages.kindOf(v));
    }
    return sources;
  }

  private JsonNode alias(String name, JsonLocation at) {
    JsonNode target = anchors.get(name);
    if (target == null) {
      throw new AliasException(
          at,
          "*"
              + name
              + ": no mapping or list is anchored &"
              + name
              + " before this alias (not around it either; an anchored single value is not"
              + " kept, so write that value out)");
    }
    long size = size(target);
    aliased += size;
    if (aliased > MAX_ALIASED) {
      throw new AliasException(
          at,
          "aliases would add more than "
              + MAX_ALIASED
              + " values to the file (*"
              + name
              + " holds "
              + size
              + "); an experiment file needs far fewer: nest fewer aliases, or write the values"
              + " out");
    }
    return target.deepCopy();
  }

  /** The values in {@code node}: 1 for a scalar, 1 plus its children's for a collection. */
  private static long size(JsonNode node) {
    long n = 1;
    for (JsonNode child : node) {
      n += size(child);
    }
    return n;
  }
}
