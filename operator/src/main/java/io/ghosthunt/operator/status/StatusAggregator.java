package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ReportBounds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns what the operator observed (nodes, probe pods, the probes' reports) into the hunt's status.
 * Pure: the clock comes in as an argument, nothing is read or written here.
 */
public final class StatusAggregator {

  /** Worst first: the ghost that breaks most is named first in the summary. */
  static final List<GhostName> SEVERITY =
      List.of(
          GhostName.OrphanedPort,
          GhostName.LoopbackBlocked,
          GhostName.DuplicateIp,
          GhostName.RogueDhcp,
          GhostName.StaleDns,
          GhostName.AsymmetricRoute,
          GhostName.MtuBlackhole,
          GhostName.Http2Quirk);

  /**
   * The aggregate.
   *
   * @param status the hunt's status: counts, summary, conditions, and the node entries worth
   *     showing (haunted nodes with their ghosts, then nodes not hunted), bounded in size
   * @param nodes every targeted node's effective entry, in target order
   * @param complete whether every node is decided
   */
  public record Result(GhostHuntStatus status, List<NodeStatus> nodes, boolean complete) {}

  static final int MAX_HAUNTED_LISTED = 50;

  /**
   * Bytes of node entries the hunt object carries: haunted nodes with their ghosts and evidence
   * first, then the nodes not hunted. Every node's whole findings are in its report, so the hunt
   * stays small (well under 64 KiB) at any number of nodes.
   */
  static final int NODE_ENTRIES_BUDGET = 40 * 1024;

  private static final com.fasterxml.jackson.databind.ObjectMapper SIZES =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * How long past the deadline a probe still running is given: its kubelet stops it at the same
   * deadline (activeDeadlineSeconds, then SIGTERM and a 5 s grace period), and its last words come
   * with its Failed status.
   */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private StatusAggregator() {}

  public static Result aggregate(
      long generation,
      String startedAt,
      Duration timeout,
      Instant now,
      List<NodeOutcome> targets,
      Map<String, NodeStatus> agentEntries,
      List<Condition> previousConditions) {
    return aggregate(
        generation, startedAt, timeout, now, targets, agentEntries, previousConditions, false);
  }

  /**
   * @param agentEntries what the probes reported, by target key (the node, or {@code pod/NAME})
   * @param podHunt whether the targets are pods (spec.pods): the words of the summary and
   *     conditions
   */
  public static Result aggregate(
      long generation,
      String startedAt,
      Duration timeout,
      Instant now,
      List<NodeOutcome> targets,
      Map<String, NodeStatus> agentEntries,
      List<Condition> previousConditions,
      boolean podHunt) {
    Instant deadline = Instant.parse(startedAt).plus(timeout);
    boolean late = !now.isBefore(deadline);
    List<NodeStatus> all = new ArrayList<>();
    for (NodeOutcome t : targets) {
      NodeStatus agent = agentEntries.get(t.key());
      NodeStatus entry;
      if (agent != null
          && (agent.getPhase() == NodePhase.Done || agent.getPhase() == NodePhase.Failed)) {
        // A report once written stands: the node going NotReady, its pod evicted or the node
        // deleted afterwards changes nothing of what it found, and at most adds a note.
        entry = t.reachable() ? agent : reportedThenLost(agent, t.reason());
      } else if (!t.reachable()) {
        entry = decided(t, NodePhase.Unreachable, t.reason(), generation);
      } else if ("Failed".equals(t.podPhase())) {
        entry = decided(t, NodePhase.Failed, "the probe pod failed: " + t.reason(), generation);
      } else if ("Succeeded".equals(t.podPhase()) && late) {
        // The agent exits only after its write was acknowledged; until the deadline a missing entry
        // is
        // an event still on its way, not a lost probe.
        entry =
            decided(
                t, NodePhase.Failed, "the probe exited without writing its findings", generation);
      } else if (late
          && "Running".equals(t.podPhase())
          && now.isBefore(deadline.plus(STOP_GRACE))) {
        entry = entry(t, NodePhase.Running);
      } else if (late) {
        entry =
            "Running".equals(t.podPhase())
                ? decided(
                    t,
                    NodePhase.Failed,
                    "the probe did not finish within timeoutSeconds ("
                        + timeout.toSeconds()
                        + " s)",
                    generation)
                : decided(
                    t,
                    NodePhase.Unreachable,
                    "the probe pod did not start within timeoutSeconds ("
                        + timeout.toSeconds()
                        + " s)"
                        + (t.reason() == null ? "" : ": " + t.reason()),
                    generation);
      } else {
        entry = entry(t, t.pendingPhase());
      }
      all.add(entry);
    }

    long decidedCount = all.stream().filter(StatusAggregator::decided).count();
    boolean complete = decidedCount == all.size();
    List<Finding> findings =
        all.stream()
            .filter(n -> n.getFindings() != null)
            .flatMap(n -> n.getFindings().stream())
            .toList();
    int ghosts = (int) findings.stream().filter(Finding::isGhost).count();
    boolean someNodeFailed =
        all.stream()
            .anyMatch(
                n -> n.getPhase() == NodePhase.Failed || n.getPhase() == NodePhase.Unreachable);

    GhostHuntStatus status = new GhostHuntStatus();
    if (!findings.isEmpty()) {
      Map<io.ghosthunt.api.CheckKey, io.ghosthunt.api.status.CheckCount> counts =
          new java.util.EnumMap<>(io.ghosthunt.api.CheckKey.class);
      findings.forEach(
          f ->
              counts
                  .computeIfAbsent(f.getCheck(), io.ghosthunt.api.status.CheckCount::new)
                  .count(f.getVerdict()));
      status.setChecks(List.copyOf(counts.values()));
    }
    List<String> haunted =
        all.stream()
            .filter(
                n -> n.getFindings() != null && n.getFindings().stream().anyMatch(Finding::isGhost))
            .map(n -> n.getPod() == null ? n.getNode() : "pod/" + n.getPod())
            .sorted()
            .limit(MAX_HAUNTED_LISTED)
            .toList();
    status.setHauntedNodes(haunted.isEmpty() ? null : haunted);
    status.setObservedGeneration(generation);
    status.setStartedAt(startedAt);
    status.setProgress(decidedCount + "/" + all.size());
    status.setGhosts(ghosts);
    List<NodeStatus> shown = shown(all);
    status.setNodes(shown.isEmpty() ? null : shown);
    if (targets.isEmpty()) {
      String reason = podHunt ? "NoPods" : "NoNodes";
      status.setPhase(HuntPhase.Failed);
      status.setVerdict(HuntVerdict.Inconclusive);
      status.setSummary(
          podHunt
              ? "no pod of this namespace matches spec.pods.selector: nothing was hunted"
              : "no node matches spec.nodes: nothing was hunted");
      status.setConditions(
          List.of(
              Conditions.of(
                  Conditions.COMPLETE,
                  "True",
                  reason,
                  status.getSummary(),
                  generation,
                  previousConditions,
                  now),
              Conditions.of(
                  Conditions.GHOST_FOUND,
                  "False",
                  reason,
                  status.getSummary(),
                  generation,
                  previousConditions,
                  now)));
      return new Result(status, all, true);
    }
    HuntVerdict verdict = HuntVerdict.of(findings);
    if (verdict == HuntVerdict.Clear && someNodeFailed) {
      verdict = HuntVerdict.Inconclusive;
    }
    status.setPhase(
        complete
            ? HuntPhase.Complete
            : decidedCount == 0 && all.stream().allMatch(n -> n.getPhase() == NodePhase.Pending)
                ? HuntPhase.Pending
                : HuntPhase.Running);
    status.setVerdict(complete || ghosts > 0 ? verdict : null);
    status.setSummary(summary(all, complete));
    String progress =
        decidedCount + " of " + all.size() + (podHunt ? " pods" : " nodes") + " reported";
    status.setConditions(
        List.of(
            complete
                ? Conditions.of(
                    Conditions.COMPLETE,
                    "True",
                    podHunt ? "AllPodsReported" : "AllNodesReported",
                    progress,
                    generation,
                    previousConditions,
                    now)
                : Conditions.of(
                    Conditions.COMPLETE,
                    "False",
                    "Hunting",
                    progress,
                    generation,
                    previousConditions,
                    now),
            ghosts > 0
                ? Conditions.of(
                    Conditions.GHOST_FOUND,
                    "True",
                    firstGhost(all).map(g -> g.getGhost().name()).orElse("Ghost"),
                    status.getSummary(),
                    generation,
                    previousConditions,
                    now)
                : complete
                    ? Conditions.of(
                        Conditions.GHOST_FOUND,
                        "False",
                        verdict == HuntVerdict.Clear ? "Clear" : "Inconclusive",
                        status.getSummary(),
                        generation,
                        previousConditions,
                        now)
                    : Conditions.of(
                        Conditions.GHOST_FOUND,
                        "Unknown",
                        "Hunting",
                        progress,
                        generation,
                        previousConditions,
                        now)));
    return new Result(status, all, complete);
  }

  /**
   * Haunted nodes (their ghost findings only) worst first, then Failed and Unreachable ones, within
   * the budget.
   */
  static List<NodeStatus> shown(List<NodeStatus> all) {
    List<NodeStatus> candidates = new ArrayList<>();
    all.stream()
        .filter(n -> n.getFindings() != null && n.getFindings().stream().anyMatch(Finding::isGhost))
        .sorted(Comparator.comparingInt(StatusAggregator::worstGhostRank))
        .forEach(
            n -> {
              NodeStatus ghosts = new NodeStatus(n.getNode(), n.getPhase());
              ghosts.setPod(n.getPod());
              ghosts.setGeneration(n.getGeneration());
              // e.g. that the node was lost after it reported
              ghosts.setMessage(n.getMessage());
              n.getFindings().stream().filter(Finding::isGhost).forEach(ghosts::addFinding);
              candidates.add(ghosts);
            });
    all.stream()
        .filter(n -> n.getPhase() == NodePhase.Failed || n.getPhase() == NodePhase.Unreachable)
        .forEach(candidates::add);
    List<NodeStatus> shown = new ArrayList<>();
    int bytes = 0;
    for (NodeStatus n : candidates) {
      bytes += size(n);
      if (bytes > NODE_ENTRIES_BUDGET) {
        break;
      }
      shown.add(n);
    }
    return shown;
  }

  private static int worstGhostRank(NodeStatus n) {
    return n.getFindings().stream()
        .filter(Finding::isGhost)
        .mapToInt(f -> f.getGhost() == null ? 99 : SEVERITY.indexOf(f.getGhost()))
        .min()
        .orElse(99);
  }

  private static int size(NodeStatus n) {
    try {
      return SIZES.writeValueAsBytes(n).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean decided(NodeStatus n) {
    return n.getPhase() == NodePhase.Done
        || n.getPhase() == NodePhase.Failed
        || n.getPhase() == NodePhase.Unreachable;
  }

  /**
   * The status a new generation starts with, written before any probe exists: its clock, and
   * conditions that say it is hunting (previous ones keep their transition time where unchanged).
   */
  public static GhostHuntStatus starting(
      long generation, String startedAt, GhostHuntStatus previous, Instant now) {
    List<Condition> prev = previous == null ? null : previous.getConditions();
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setPhase(HuntPhase.Pending);
    s.setStartedAt(startedAt);
    s.setSummary("starting the probes");
    s.setConditions(
        List.of(
            Conditions.of(
                Conditions.COMPLETE, "False", "Hunting", "starting", generation, prev, now),
            Conditions.of(
                Conditions.GHOST_FOUND, "Unknown", "Hunting", "starting", generation, prev, now)));
    return s;
  }

  /**
   * A hunt no probe can start for: Pending with the blocker's reason and fix until its deadline,
   * then Failed with the same reason (its clock, written when it began, never moves).
   */
  public static GhostHuntStatus blocked(
      long generation,
      String startedAt,
      io.ghosthunt.operator.decision.Blocker blocker,
      List<Condition> previous,
      Instant now,
      Instant deadline) {
    boolean over = !now.isBefore(deadline);
    String message =
        over
            ? "the hunt ran out of time (timeoutSeconds) while blocked: " + blocker.message()
            : blocker.message();
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setStartedAt(startedAt);
    s.setPhase(over ? HuntPhase.Failed : HuntPhase.Pending);
    s.setVerdict(over ? HuntVerdict.Inconclusive : null);
    s.setSummary(message);
    s.setConditions(
        List.of(
            Conditions.of(
                Conditions.COMPLETE,
                over ? "True" : "False",
                blocker.reason().name(),
                message,
                generation,
                previous,
                now),
            Conditions.of(
                Conditions.GHOST_FOUND,
                over ? "False" : "Unknown",
                blocker.reason().name(),
                message,
                generation,
                previous,
                now)));
    return s;
  }

  /**
   * A reported entry whose node became unreachable afterwards: the same findings and phase (a copy:
   * the agent's entry may be an informer's), with a note of what happened since.
   */
  static NodeStatus reportedThenLost(NodeStatus agent, String why) {
    NodeStatus s = new NodeStatus(agent.getNode(), agent.getPhase());
    s.setPod(agent.getPod());
    s.setGeneration(agent.getGeneration());
    s.setFindings(agent.getFindings());
    String note = "reported before its node became unreachable (" + why + ")";
    s.setMessage(
        ReportBounds.clip(
            agent.getMessage() == null ? note : agent.getMessage() + "; " + note,
            ReportBounds.MAX_MESSAGE));
    return s;
  }

  private static NodeStatus entry(NodeOutcome t, NodePhase phase) {
    NodeStatus s = new NodeStatus(t.node() == null ? NodeStatus.NO_NODE : t.node(), phase);
    s.setPod(t.pod());
    return s;
  }

  private static NodeStatus decided(
      NodeOutcome t, NodePhase phase, String message, long generation) {
    NodeStatus s = entry(t, phase);
    // A pod's refusal or failure is the API server's or the kubelet's text, of any length; the
    // hunt's CRD bounds the message as a report's.
    s.setMessage(ReportBounds.clip(message, ReportBounds.MAX_MESSAGE));
    s.setGeneration(generation);
    return s;
  }

  private record Located(String node, Finding finding) {
    GhostName getGhost() {
      return finding.getGhost();
    }
  }

  private static java.util.Optional<Located> firstGhost(List<NodeStatus> nodes) {
    return ghostsWorstFirst(nodes).stream().findFirst();
  }

  private static List<Located> ghostsWorstFirst(List<NodeStatus> nodes) {
    return nodes.stream()
        .filter(n -> n.getFindings() != null)
        .flatMap(
            n ->
                n.getFindings().stream()
                    .filter(Finding::isGhost)
                    .map(f -> new Located(n.subject(), f)))
        .sorted(
            Comparator.comparingInt(
                l -> l.getGhost() == null ? 99 : SEVERITY.indexOf(l.getGhost())))
        .toList();
  }

  /**
   * One line: the worst ghost with its node, how many more, the odd node out, nodes not heard from.
   */
  static String summary(List<NodeStatus> nodes, boolean complete) {
    List<String> parts = new ArrayList<>();
    List<Located> ghosts = ghostsWorstFirst(nodes);
    if (!ghosts.isEmpty()) {
      Located worst = ghosts.get(0);
      long haunted = ghosts.stream().map(Located::node).distinct().count();
      parts.add(
          worst.node()
              + ": "
              + worst.finding().getSummary()
              + (ghosts.size() > 1
                  ? " (+"
                      + (ghosts.size() - 1)
                      + " more ghost"
                      + (ghosts.size() > 2 ? "s" : "")
                      + (haunted > 1 ? " on " + haunted + " " + noun(nodes) + "s" : "")
                      + ")"
                  : ""));
    } else if (complete) {
      long done = nodes.stream().filter(n -> n.getPhase() == NodePhase.Done).count();
      if (done == 0) {
        parts.add("no " + noun(nodes) + " could be hunted");
        oddNodeOut(nodes).ifPresent(parts::add);
        lost(nodes).ifPresent(parts::add);
        return String.join("; ", parts);
      }
      boolean unsure =
          nodes.stream()
              .filter(n -> n.getFindings() != null)
              .flatMap(n -> n.getFindings().stream())
              .anyMatch(
                  f ->
                      f.getVerdict() == FindingVerdict.Inconclusive
                          || f.getVerdict() == FindingVerdict.Error);
      parts.add(
          "no ghost on "
              + done
              + " "
              + noun(nodes)
              + (done == 1 ? "" : "s")
              + (unsure ? ", some checks could not tell" : ""));
    } else {
      parts.add("hunting on " + nodes.size() + " " + noun(nodes) + (nodes.size() == 1 ? "" : "s"));
    }
    oddNodeOut(nodes).ifPresent(parts::add);
    lost(nodes).ifPresent(parts::add);
    return String.join("; ", parts);
  }

  private static java.util.Optional<String> lost(List<NodeStatus> nodes) {
    List<NodeStatus> lost =
        nodes.stream()
            .filter(n -> n.getPhase() == NodePhase.Unreachable || n.getPhase() == NodePhase.Failed)
            .toList();
    if (lost.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
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
   * The node that the odd pods share and no other pod of the hunt is on: the node, not the pods, is
   * then what differs ("only pods on node-c see the black hole").
   */
  static java.util.Optional<String> onlyOnOneNode(
      List<NodeStatus> entries, List<String> oddSubjects) {
    List<NodeStatus> odd =
        entries.stream()
            .filter(n -> n.getPod() != null && oddSubjects.contains(n.subject()))
            .toList();
    if (odd.isEmpty() || odd.stream().map(NodeStatus::getNode).distinct().count() != 1) {
      return java.util.Optional.empty();
    }
    String node = odd.get(0).getNode();
    boolean othersThere =
        entries.stream()
            .anyMatch(n -> node.equals(n.getNode()) && !oddSubjects.contains(n.subject()));
    return othersThere ? java.util.Optional.empty() : java.util.Optional.of(node);
  }

  /**
   * When nodes disagree on the same check and target and exactly one verdict is the minority of one
   * or two nodes against at least two others, name those nodes: they are the odd ones out.
   */
  static java.util.Optional<String> oddNodeOut(List<NodeStatus> nodes) {
    Map<String, Map<FindingVerdict, List<String>>> byTarget = new LinkedHashMap<>();
    for (NodeStatus n : nodes) {
      if (n.getFindings() == null) {
        continue;
      }
      for (Finding f : n.getFindings()) {
        if (f.getVerdict() == FindingVerdict.Error) {
          continue;
        }
        byTarget
            .computeIfAbsent(f.getCheck() + " " + f.getTarget(), k -> new LinkedHashMap<>())
            .computeIfAbsent(f.getVerdict(), k -> new ArrayList<>())
            .add(n.subject());
      }
    }
    for (Map.Entry<String, Map<FindingVerdict, List<String>>> e : byTarget.entrySet()) {
      Map<FindingVerdict, List<String>> split = e.getValue();
      if (split.size() != 2) {
        continue;
      }
      List<Map.Entry<FindingVerdict, List<String>>> sides = new ArrayList<>(split.entrySet());
      sides.sort(Comparator.comparingInt(s -> s.getValue().size()));
      List<String> odd = sides.get(0).getValue();
      int others = sides.get(1).getValue().size();
      if (odd.size() <= 2 && others >= 2 && others > odd.size()) {
        return java.util.Optional.of(
            "odd "
                + noun(nodes)
                + " out: "
                + String.join(", ", odd)
                + " ("
                + sides.get(0).getKey()
                + " on "
                + e.getKey()
                + " where "
                + others
                + " others are "
                + sides.get(1).getKey()
                + ")"
                + onlyOnOneNode(nodes, odd).map(n -> ": only pods on " + n).orElse(""));
      }
    }
    return java.util.Optional.empty();
  }
}
