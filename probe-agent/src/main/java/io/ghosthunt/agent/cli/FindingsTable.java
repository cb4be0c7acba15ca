package io.ghosthunt.agent.cli;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodeStatus;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The checklist a person reads: one line per finding, then its evidence and the fix. */
public final class FindingsTable {
  private FindingsTable() {}

  public static void print(
      PrintStream out, String huntName, NodeStatus node, List<String> skipped) {
    List<Finding> findings = node.getFindings() == null ? List.of() : node.getFindings();
    HuntVerdict verdict = HuntVerdict.of(findings);
    long ghosts = findings.stream().filter(Finding::isGhost).count();
    out.printf(
        "GhostHunt %s on %s: %s%s%n%n",
        huntName,
        node.subject(),
        verdict,
        ghosts == 0 ? "" : " (" + ghosts + (ghosts == 1 ? " ghost)" : " ghosts)"));
    int checkWidth =
        Math.max(5, findings.stream().mapToInt(f -> f.getCheck().key().length()).max().orElse(5));
    int targetWidth =
        Math.max(
            6,
            findings.stream()
                .mapToInt(f -> String.valueOf(f.getTarget()).length())
                .max()
                .orElse(6));
    out.printf(
        "  %-8s %-" + checkWidth + "s  %-" + targetWidth + "s  %-16s %s%n",
        "VERDICT",
        "CHECK",
        "TARGET",
        "GHOST",
        "SUMMARY");
    // Ghosts first: at 3 a.m. the first line is the one that matters.
    findings.stream()
        .sorted(java.util.Comparator.comparingInt(f -> rank(f)))
        .forEach(
            f -> {
              out.printf(
                  "  %-8s %-" + checkWidth + "s  %-" + targetWidth + "s  %-16s %s%n",
                  mark(f),
                  f.getCheck(),
                  f.getTarget(),
                  f.getGhost() == null ? "-" : f.getGhost(),
                  f.getSummary());
              Map<String, String> ev = f.getEvidence();
              if (ev != null && !ev.isEmpty()) {
                ev.forEach((k, v) -> out.printf("  %8s   %s: %s%n", "", k, v));
              }
              if (f.getRemediation() != null) {
                out.printf("  %8s   fix: %s%n", "", f.getRemediation());
              }
            });
    for (String s : skipped) {
      out.printf("%n  note: %s", s);
    }
    if (!skipped.isEmpty()) {
      out.println();
    }
  }

  private static int rank(Finding f) {
    return switch (f.getVerdict()) {
      case Ghost -> 0;
      case Error -> 1;
      case Inconclusive -> 2;
      case Clear -> 3;
    };
  }

  private static String mark(Finding f) {
    return switch (f.getVerdict()) {
      case Ghost -> "GHOST";
      case Clear -> "clear";
      case Inconclusive -> "unsure";
      case Error -> "error";
    };
  }
}
