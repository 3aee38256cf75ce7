package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The errors of one experiment file, each {@code path: message}. The schema's come first; a rule of
 * the sections' on a path the schema already faulted is left out, so a value gets one message. They
 * are reported in the order of the file, so the error about the third line comes before the error
 * about the tenth, whichever check found it.
 */
final class FileErrors {

  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

  private record Entry(String path, String line) {}

  private final JsonNode root;
  private final List<Entry> entries = new ArrayList<>();
  private final Set<String> structurePaths = new HashSet<>();

  FileErrors(JsonNode root) {
    this.root = root;
  }

  /** An error of structure (types, required keys, enums, unknown keys), found by the schema. */
  void structure(String path, String message) {
    structurePaths.add(path);
    entries.add(new Entry(path, path + ": " + message));
  }

  /** An error of a rule; dropped when the schema already reported this path. */
  void add(String path, String message) {
    if (!structurePaths.contains(path)) {
      entries.add(new Entry(path, path + ": " + message));
    }
  }

  /** An error written whole by another component's checks, starting with its path. */
  void addLine(String line) {
    int end = 0;
    while (end < line.length() && " :".indexOf(line.charAt(end)) < 0) {
      end++;
    }
    entries.add(new Entry(line.substring(0, end), line));
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Every error as {@code path: message}, in the order their nodes appear in the file. */
  List<String> inFileOrder() {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(e -> position(e.path()), FileErrors::compare));
    return sorted.stream().map(Entry::line).toList();
  }

  /**
   * Where {@code path} is in the file: per segment the index of the key in its mapping (or of the
   * item in its list); a node that is not there sorts after its siblings.
   */
  private List<Integer> position(String path) {
    List<Integer> out = new ArrayList<>();
    JsonNode node = root;
    Matcher m = SEGMENT.matcher(path);
    while (m.find() && node != null) {
      if (m.group(2) != null) {
        int i = Integer.parseInt(m.group(2));
        out.add(i);
        node = node.isArray() && i < node.size() ? node.get(i) : null;
      } else {
        int i = indexOfKey(node, m.group(1));
        out.add(i < 0 ? Integer.MAX_VALUE : i);
        node = i < 0 ? null : node.get(m.group(1));
      }
    }
    return out;
  }

  private static int indexOfKey(JsonNode node, String key) {
    if (node == null || !node.isObject()) {
      return -1;
    }
    int i = 0;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); i++) {
      if (it.next().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private static int compare(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = Integer.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }
}
