package io.faultline.cli.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.schema.Durations;
import io.faultline.schema.ServiceHistory;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The history as a week-by-week table per service, oldest week first, with trend arrows against the
 * previous week shown: ↑ the figure grew, ↓ it fell, → unchanged (nothing on a service's first week
 * or when either week has no value). Arrows say which way the number moved, not whether that is
 * good: more held experiments is good, more incidents or a longer MTTR is not.
 */
public final class HistoryTable {

  private static final String ALL_TIME = "all";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Per service, its last {@code weeks} weeks (oldest first) and its all-time row if present. */
  public record ServiceRows(String service, List<WeekFigures> weeks, WeekFigures allTime) {}

  private HistoryTable() {}

  /** The records of the history topic, for {@code service} (null = all) and the last N weeks. */
  public static List<ServiceRows> select(
      Collection<ServiceHistory> records, String service, int weeks) {
    Map<String, List<WeekFigures>> byService = new TreeMap<>();
    Map<String, WeekFigures> allTime = new TreeMap<>();
    for (ServiceHistory h : records) {
      if (service != null && !service.equals(h.getService())) {
        continue;
      }
      WeekFigures f = WeekFigures.of(h);
      if (ALL_TIME.equals(h.getWeek())) {
        allTime.put(h.getService(), f);
      } else {
        byService.computeIfAbsent(h.getService(), s -> new ArrayList<>()).add(f);
      }
    }
    List<ServiceRows> out = new ArrayList<>();
    for (String s : union(byService, allTime)) {
      List<WeekFigures> rows = new ArrayList<>(byService.getOrDefault(s, List.of()));
      rows.sort((a, b) -> a.week().compareTo(b.week())); // 2026-W09 < 2026-W10: zero-padded
      out.add(
          new ServiceRows(
              s,
              List.copyOf(rows.subList(Math.max(0, rows.size() - weeks), rows.size())),
              allTime.get(s)));
    }
    return out;
  }

  private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
    java.util.TreeSet<String> s = new java.util.TreeSet<>(a.keySet());
    s.addAll(b.keySet());
    return List.copyOf(s);
  }

  /** ↑, ↓ or → for {@code now} against {@code before}; a blank when either is absent. */
  public static String trend(Number before, Number now) {
    if (before == null || now == null) {
      return " ";
    }
    int c = Double.compare(now.doubleValue(), before.doubleValue());
    return c > 0 ? "↑" : c < 0 ? "↓" : "→";
  }

  public static void printText(List<ServiceRows> services, PrintStream out) {
    if (services.isEmpty()) {
      out.println("no history yet: run an experiment with the analyzer running");
      return;
    }
    for (ServiceRows s : services) {
      out.println("service " + s.service());
      out.printf(
          Locale.ROOT,
          "  %-9s %6s %13s %10s %-17s %10s %7s %10s %10s %10s %10s%n",
          "week",
          "runs",
          "held",
          "incidents",
          "by SEV",
          "alerts",
          "noisy",
          "MTTD p50",
          "MTTR p50",
          "MTBF p50",
          "TTR p50");
      WeekFigures previous = null;
      for (WeekFigures w : s.weeks()) {
        out.println(row(w, previous));
        previous = w;
      }
      if (s.allTime() != null) {
        out.println(row(s.allTime(), null));
        WeekFigures a = s.allTime();
        out.printf(
            Locale.ROOT,
            "  all time: %s; %s; %s; %s; noisy alerts %d%n",
            summary("MTTD", a.mttd()),
            summary("MTTR", a.mttr()),
            summary("MTBF", a.mtbf()),
            summary("alert time to resolve", a.timeToResolve()),
            a.noisyAlerts());
      }
      if (!s.weeks().isEmpty() && !s.weeks().get(s.weeks().size() - 1).topAlerts().isEmpty()) {
        WeekFigures last = s.weeks().get(s.weeks().size() - 1);
        out.println("  top alerts " + last.week() + ": " + top(last));
      }
    }
  }

  private static String row(WeekFigures w, WeekFigures p) {
    Double held = w.heldPercent();
    return String.format(
        Locale.ROOT,
        "  %-9s %5d%s %7s %3s%%%s %9d%s %-17s %9d%s %6d%s %9s%s %9s%s %9s%s %9s%s",
        w.week(),
        w.experiments(),
        p == null ? " " : trend(p.experiments(), w.experiments()),
        w.held() + "/" + w.experiments(),
        held == null ? "-" : String.valueOf(Math.round(held)),
        p == null ? " " : trend(p.heldPercent(), held),
        w.incidentsTotal(),
        p == null ? " " : trend(p.incidentsTotal(), w.incidentsTotal()),
        sev(w.incidents()),
        w.alerts(),
        p == null ? " " : trend(p.alerts(), w.alerts()),
        w.noisyAlerts(),
        p == null ? " " : trend(p.noisyAlerts(), w.noisyAlerts()),
        ms(w.mttd().p50Ms()),
        p == null ? " " : trend(p.mttd().p50Ms(), w.mttd().p50Ms()),
        ms(w.mttr().p50Ms()),
        p == null ? " " : trend(p.mttr().p50Ms(), w.mttr().p50Ms()),
        ms(w.mtbf().p50Ms()),
        p == null ? " " : trend(p.mtbf().p50Ms(), w.mtbf().p50Ms()),
        ms(w.timeToResolve().p50Ms()),
        p == null ? " " : trend(p.timeToResolve().p50Ms(), w.timeToResolve().p50Ms()));
  }

  private static String summary(String name, WeekFigures.Summary s) {
    return String.format(
        Locale.ROOT,
        "%s mean %s p50 %s p90 %s (%d)",
        name,
        ms(s.meanMs()),
        ms(s.p50Ms()),
        ms(s.p90Ms()),
        s.count());
  }

  /** The week's top alerts, {@code name×count}, most first. */
  static String top(WeekFigures w) {
    List<String> parts = new ArrayList<>();
    w.topAlerts().forEach(e -> parts.add(e.getKey() + "×" + e.getValue()));
    return String.join(" ", parts);
  }

  private static String sev(Map<String, Long> incidents) {
    if (incidents.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    new TreeMap<>(incidents).forEach((k, v) -> parts.add(k + ":" + v));
    return String.join(" ", parts);
  }

  /** A figure in a cell: {@link Durations#format}, "-" for none. */
  static String ms(Long v) {
    return v == null ? "-" : Durations.format(v);
  }

  public static void printJson(List<ServiceRows> services, PrintStream out) throws Exception {
    ArrayNode root = JSON.createArrayNode();
    for (ServiceRows s : services) {
      ObjectNode n = root.addObject();
      n.put("service", s.service());
      ArrayNode weeks = n.putArray("weeks");
      WeekFigures previous = null;
      for (WeekFigures w : s.weeks()) {
        ObjectNode o = figures(weeks.addObject(), w);
        if (previous != null) {
          ObjectNode t = o.putObject("trend");
          t.put("experiments", trend(previous.experiments(), w.experiments()));
          t.put("heldPercent", trend(previous.heldPercent(), w.heldPercent()).trim());
          t.put("incidents", trend(previous.incidentsTotal(), w.incidentsTotal()));
          t.put("alerts", trend(previous.alerts(), w.alerts()));
          t.put("mttdP50", trend(previous.mttd().p50Ms(), w.mttd().p50Ms()).trim());
          t.put("mttrP50", trend(previous.mttr().p50Ms(), w.mttr().p50Ms()).trim());
          t.put("noisyAlerts", trend(previous.noisyAlerts(), w.noisyAlerts()));
          t.put("mtbfP50", trend(previous.mtbf().p50Ms(), w.mtbf().p50Ms()).trim());
          t.put(
              "timeToResolveP50",
              trend(previous.timeToResolve().p50Ms(), w.timeToResolve().p50Ms()).trim());
        }
        previous = w;
      }
      if (s.allTime() != null) {
        figures(n.putObject("allTime"), s.allTime());
      }
    }
    out.println(JSON.writeValueAsString(root));
  }

  private static ObjectNode figures(ObjectNode o, WeekFigures w) {
    o.put("week", w.week());
    o.put("experiments", w.experiments());
    o.put("held", w.held());
    o.put("notHeld", w.notHeld());
    ObjectNode sev = o.putObject("incidentsBySeverity");
    new TreeMap<>(w.incidents()).forEach(sev::put);
    o.put("alertsFired", w.alerts());
    o.put("noisyAlerts", w.noisyAlerts());
    ObjectNode bySev = o.putObject("alertsBySev");
    new TreeMap<>(w.alertsBySev()).forEach(bySev::put);
    ArrayNode top = o.putArray("topAlerts");
    w.topAlerts().forEach(e -> top.addObject().put("name", e.getKey()).put("count", e.getValue()));
    summary(o.putObject("mttdMs"), w.mttd());
    summary(o.putObject("mttrMs"), w.mttr());
    summary(o.putObject("mtbfMs"), w.mtbf());
    summary(o.putObject("timeToResolveMs"), w.timeToResolve());
    return o;
  }

  private static void summary(ObjectNode o, WeekFigures.Summary s) {
    o.put("count", s.count());
    o.put("mean", s.meanMs());
    o.put("p50", s.p50Ms());
    o.put("p90", s.p90Ms());
  }
}
