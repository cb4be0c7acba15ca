package io.ghosthunt.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ghosthunt.lab.cluster.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart's Grafana dashboard, and the metrics its panels' queries name. */
public final class Dashboard {

  public static final Path FILE =
      ControlPlane.repo()
          .resolve("charts")
          .resolve("ghosthunt-operator")
          .resolve("files")
          .resolve("grafana-dashboard.json");

  /**
   * A series selector: a name followed by its labels, a range or the end of an argument. Names in
   * grouping clauses (by, without, on, ignoring) are labels and are taken out first; functions are
   * followed by "(" and never match.
   */
  private static final Pattern METRIC =
      Pattern.compile("(?<![\\w$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(?=[{\\[)]|$)");

  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

  private Dashboard() {}

  public static JsonNode json() {
    try {
      return new ObjectMapper().readTree(Files.readString(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every query of every panel, those inside rows too. */
  public static List<String> queries(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
      exprs.addAll(queries(panel));
    }
    return exprs;
  }

  /** The metric names the queries read, each as /metrics would name its series. */
  public static TreeSet<String> metrics(JsonNode dashboard) {
    TreeSet<String> names = new TreeSet<>();
    for (String expr : queries(dashboard)) {
      Matcher m = METRIC.matcher(GROUPING.matcher(expr).replaceAll(""));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The names among {@code wanted} that no series of a Prometheus text exposition carries. */
  public static List<String> missing(TreeSet<String> wanted, String exposition) {
    List<String> missing = new ArrayList<>();
    for (String name : wanted) {
      boolean present =
          exposition.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
      if (!present) {
        missing.add(name);
      }
    }
    return missing;
  }
}
