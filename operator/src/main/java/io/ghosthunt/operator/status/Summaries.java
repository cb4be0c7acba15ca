package io.ghosthunt.operator.status;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The hunt's one-line summary: the worst ghost with its node, how many more, the odd node out, the
 * nodes not hunted.
 */
final class Summaries {

  /** Worst first: the ghost that breaks most is named first in the summary. */
  private static final List<GhostName> SEVERITY =
      List.of(
          GhostName.OrphanedPort,
          GhostName.LoopbackBlocked,
          GhostName.DuplicateIp,
          GhostName.RogueDhcp,
          GhostName.StaleDns,
          GhostName.AsymmetricRoute,
          GhostName.MtuBlackhole,
          GhostName.Http2Quirk);

  private Summaries() {}

  /** A ghost's place in {@link #SEVERITY}; a finding that names none goes last. */
  static int rank(GhostName ghost) {
    return ghost == null ? 99 : SEVERITY.indexOf(ghost);
  }

  private record Located(String subject, Finding finding) {}

  static String summary(List<NodeStatus> nodes, boolean complete) {
    List<String> parts = new ArrayList<>();
    parts.add(headline(nodes, complete));
    oddNodeOut(nodes).ifPresent(parts::add);
    lost(nodes).ifPresent(parts::add);
    return String.join("; ", parts);
  }

  /** The GhostFound reason of a haunted hunt: its worst ghost's name. */
  static String worstGhost(List<NodeStatus> nodes) {
    return ghostsWorstFirst(nodes).stream()
        .findFirst()
        .map(l -> l.finding().getGhost())
        .map(GhostName::name)
        .orElse("Ghost");
  }

  private static String headline(List<NodeStatus> nodes, boolean complete) {
    List<Located> ghosts = ghostsWorstFirst(nodes);
    if (!ghosts.isEmpty()) {
      return worstGhostLine(ghosts, noun(nodes));
    }
    if (!complete) {
      return "hunting on " + nodes.size() + " " + noun(nodes) + (nodes.size() == 1 ? "" : "s");
    }
    long done = nodes.stream().filter(n -> n.getPhase() == NodePhase.Done).count();
    if (done == 0) {
      return "no " + noun(nodes) + " could be hunted";
    }
    boolean unsure =
        NodeEntries.findings(nodes).stream()
            .anyMatch(
                f ->
                    f.getVerdict() == FindingVerdict.Inconclusive
                        || f.getVerdict() == FindingVerdict.Error);
    return "no ghost on "
        + done
        + " "
        + noun(nodes)
        + (done == 1 ? "" : "s")
        + (unsure ? ", some checks could not tell" : "");
  }

  private static String worstGhostLine(List<Located> ghosts, String noun) {
    Located worst = ghosts.get(0);
    String line = worst.subject() + ": " + worst.finding().getSummary();
    if (ghosts.size() == 1) {
      return line;
    }
    long haunted = ghosts.stream().map(Located::subject).distinct().count();
    return line
        + " (+"
        + (ghosts.size() - 1)
        + " more ghost"
        + (ghosts.size() > 2 ? "s" : "")
        + (haunted > 1 ? " on " + haunted + " " + noun + "s" : "")
        + ")";
  }

  private static List<Located> ghostsWorstFirst(List<NodeStatus> nodes) {
    return nodes.stream()
        .filter(n -> n.getFindings() != null)
        .flatMap(
            n ->
                n.getFindings().stream()
                    .filter(Finding::isGhost)
                    .map(f -> new Located(n.subject(), f)))
        .sorted(Comparator.comparingInt(l -> rank(l.finding().getGhost())))
        .toList();
  }

  private static Optional<String> lost(List<NodeStatus> nodes) {
    List<NodeStatus> lost = nodes.stream().filter(NodeEntries::notHunted).toList();
    if (lost.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        lost.size()
            + " "
            + noun(nodes)
            + (lost.size() == 1 ? "" : "s")
            + " not hunted ("
            + lost.stream()
                .limit(3)
                .map(n -> n.subject() + ": " + n.getPhase())
                .collect(Collectors.joining(", "))
            + (lost.size() > 3 ? ", ..." : "")
            + ")");
  }

  /** "node", or "pod" when the entries are pods'. */
  private static String noun(List<NodeStatus> entries) {
    return entries.stream().anyMatch(n -> n.getPod() != null) ? "pod" : "node";
  }

  /**
   * When nodes disagree on the same check and target and exactly one verdict is the minority of one
   * or two nodes against at least two others, name those nodes: they are the odd ones out.
   */
  private static Optional<String> oddNodeOut(List<NodeStatus> nodes) {
    for (Map.Entry<String, Map<FindingVerdict, List<String>>> e :
        verdictsByTarget(nodes).entrySet()) {
      Optional<String> odd = oddOut(e.getKey(), e.getValue(), nodes);
      if (odd.isPresent()) {
        return odd;
      }
    }
    return Optional.empty();
  }

  /**
   * Who said what, per check and target, in the order first seen; an Error says nothing about the
   * target, so it takes no side.
   */
  private static Map<String, Map<FindingVerdict, List<String>>> verdictsByTarget(
      List<NodeStatus> nodes) {
    Map<String, Map<FindingVerdict, List<String>>> byTarget = new LinkedHashMap<>();
    for (NodeStatus n : nodes) {
      if (n.getFindings() == null) {
        continue;
      }
      for (Finding f : n.getFindings()) {
        if (f.getVerdict() != FindingVerdict.Error) {
          byTarget
              .computeIfAbsent(f.getCheck() + " " + f.getTarget(), k -> new LinkedHashMap<>())
              .computeIfAbsent(f.getVerdict(), k -> new ArrayList<>())
              .add(n.subject());
        }
      }
    }
    return byTarget;
  }

  private static Optional<String> oddOut(
      String target, Map<FindingVerdict, List<String>> split, List<NodeStatus> nodes) {
    if (split.size() != 2) {
      return Optional.empty();
    }
    List<Map.Entry<FindingVerdict, List<String>>> sides = new ArrayList<>(split.entrySet());
    sides.sort(Comparator.comparingInt(s -> s.getValue().size()));
    List<String> odd = sides.get(0).getValue();
    int others = sides.get(1).getValue().size();
    if (odd.size() > 2 || others < 2 || others <= odd.size()) {
      return Optional.empty();
    }
    return Optional.of(
        "odd "
            + noun(nodes)
            + " out: "
            + String.join(", ", odd)
            + " ("
            + sides.get(0).getKey()
            + " on "
            + target
            + " where "
            + others
            + " others are "
            + sides.get(1).getKey()
            + ")"
            + onlyOnOneNode(nodes, odd).map(n -> ": only pods on " + n).orElse(""));
  }

  /**
   * The node that the odd pods share and no other pod of the hunt is on: the node, not the pods, is
   * then what differs ("only pods on node-c see the black hole").
   */
  static Optional<String> onlyOnOneNode(List<NodeStatus> entries, List<String> oddSubjects) {
    List<NodeStatus> odd =
        entries.stream()
            .filter(n -> n.getPod() != null && oddSubjects.contains(n.subject()))
            .toList();
    if (odd.isEmpty() || odd.stream().map(NodeStatus::getNode).distinct().count() != 1) {
      return Optional.empty();
    }
    String node = odd.get(0).getNode();
    boolean othersThere =
        entries.stream()
            .anyMatch(n -> node.equals(n.getNode()) && !oddSubjects.contains(n.subject()));
    return othersThere ? Optional.empty() : Optional.of(node);
  }
}
