package io.faultline.cli.experiment;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * A YAML syntax error in an experiment file in plain words, at the line and column to fix: the
 * parser's own message is several lines of scanner terms ({@code while scanning a quoted scalar ...
 * found unexpected end of stream}) and points at where it gave up, which for an unclosed quote or
 * bracket is the end of the file, not where the quote opened.
 */
final class YamlSyntax {

  private YamlSyntax() {}

  /** {@code not valid YAML at line L, column C: what is wrong; what to write instead}. */
  static String describe(JacksonException e, String text) {
    return "not valid YAML" + explain(e, text);
  }

  private static String explain(JacksonException e, String text) {
    if (e.getCause() instanceof MarkedYAMLException m) {
      return marked(m);
    }
    if (e.getCause() instanceof ReaderException r) {
      return at(text, r.getPosition())
          + String.format(
              "the control character U+%04X; an experiment file is text (save it as UTF-8)",
              r.getCodePoint());
    }
    String message = firstLine(e.getOriginalMessage());
    if (message.startsWith("Duplicate field ")) {
      String key = message.substring("Duplicate field ".length());
      return keyAt(text, e.getLocation(), key)
          + "the key "
          + key
          + " is given twice in one mapping; give it once (YAML would keep only the last)";
    }
    if (message.startsWith("Expected a field name")) {
      return at(e.getLocation()) + "a mapping or a list used as a key; a key is a plain text";
    }
    return at(e.getLocation()) + message;
  }

  private static String marked(MarkedYAMLException m) {
    String problem = firstLine(m.getProblem());
    String context = m.getContext() == null ? "" : m.getContext();
    Mark problemAt = m.getProblemMark();
    Mark contextAt = m.getContextMark() == null ? problemAt : m.getContextMark();
    if (problem.contains("(TAB)")) {
      return at(problemAt) + "a tab; YAML indents with spaces only";
    }
    if (context.contains("quoted scalar")) {
      if (problem.contains("end of stream")) {
        return at(contextAt)
            + "the text opened here with "
            + Character.toString(contextAt.getBuffer()[contextAt.getPointer()])
            + " is never closed";
      }
      if (problem.startsWith("found unknown escape character")) {
        return at(problemAt)
            + "an unknown escape after \\ in a double-quoted text; write \\\\ for a backslash, or"
            + " use single quotes";
      }
    }
    if (context.startsWith("while parsing a flow mapping")) {
      return at(contextAt) + "the { opened here is never closed with } (or an entry lacks its ,)";
    }
    if (context.startsWith("while parsing a flow sequence")) {
      return at(contextAt) + "the [ opened here is never closed with ] (or an entry lacks its ,)";
    }
    if (problem.startsWith("mapping values are not allowed here")) {
      return at(problemAt)
          + "a ': ' inside a value; put a value that holds ': ' in quotes, or the key on a new line";
    }
    if (context.startsWith("while parsing a block") && problem.startsWith("expected <block end>")) {
      return at(problemAt)
          + "this line is indented unlike the others of its mapping or list; the keys of one"
          + " mapping, and the - of one list, start in the same column";
    }
    if (context.startsWith("while scanning a simple key")) {
      return at(contextAt) + "a line without ':' inside a mapping; write it as key: value";
    }
    return at(problemAt)
        + problem
        + (context.isEmpty() ? "" : " (" + firstLine(context) + " at " + where(contextAt) + ")");
  }

  private static String at(Mark mark) {
    return mark == null ? ": " : " at " + where(mark) + ": ";
  }

  private static String where(Mark mark) {
    return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? ": "
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  /** Where the parser found the repeated key: its line, and the key's column in that line. */
  private static String keyAt(String text, JsonLocation location, String quotedKey) {
    if (location == null || location.getLineNr() < 1) {
      return ": ";
    }
    String[] lines = text.split("\n", -1);
    int line = location.getLineNr();
    String key = quotedKey.length() > 1 ? quotedKey.substring(1, quotedKey.length() - 1) : "";
    int column = line <= lines.length ? lines[line - 1].indexOf(key) : -1;
    return column < 0 ? at(location) : " at line " + line + ", column " + (column + 1) + ": ";
  }

  /** The line and column of the character at {@code index} of {@code text}. */
  private static String at(String text, int index) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(index, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return " at line " + line + ", column " + column + ": ";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }
}
