package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.CheckCount;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.decision.Blocker;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what the operator observed (nodes, probe pods, the probes' reports) into the hunt's status.
 * Pure: the clock comes in as an argument, nothing is read or written here. Each target's entry is
 * {@link NodeEntries}', the summary line {@link Summaries}', the entries the hunt object carries
 * {@link ShownEntries}', and phase, verdict and conditions {@link HuntStatusBuilder}'s.
 */
public final class StatusAggregator {

  /**
   * The aggregate.
   *
   * @param status the hunt's status: counts, summary, conditions, and the node entries worth
   *     showing (haunted nodes with their ghosts, then nodes not hunted), bounded in size
   * @param nodes every targeted node's effective entry, in target order
   * @param complete whether every node is decided
   */
  public record Result(GhostHuntStatus status, List<NodeStatus> nodes, boolean complete) {}

  private static final int MAX_HAUNTED_LISTED = 50;

  private StatusAggregator() {}

  /**
   * @param agentEntries what the probes reported, by target key (the node, or {@code pod/NAME})
   * @param previousConditions the status's conditions for this generation, or null: they keep their
   *     transition time where unchanged
   */
  public static Result aggregate(
      HuntRound round,
      Instant now,
      List<NodeOutcome> targets,
      Map<String, NodeStatus> agentEntries,
      List<Condition> previousConditions) {
    List<NodeStatus> all = NodeEntries.of(round, now, targets, agentEntries);
    boolean complete = NodeEntries.decidedCount(all) == all.size();
    GhostHuntStatus status = counted(round, all);
    var at = new HuntStatusBuilder.Stamp(round.generation(), previousConditions, now);
    if (targets.isEmpty()) {
      HuntStatusBuilder.noTargets(status, round.podHunt(), at);
    } else {
      HuntStatusBuilder.hunted(status, all, complete, round.podHunt(), at);
    }
    return new Result(status, all, complete);
  }

  /** What the round counts: how far it got, its checks' verdicts, where the ghosts are. */
  private static GhostHuntStatus counted(HuntRound round, List<NodeStatus> all) {
    List<Finding> findings = NodeEntries.findings(all);
    GhostHuntStatus status = new GhostHuntStatus();
    if (!findings.isEmpty()) {
      Map<CheckKey, CheckCount> counts = new EnumMap<>(CheckKey.class);
      findings.forEach(
          f -> counts.computeIfAbsent(f.getCheck(), CheckCount::new).count(f.getVerdict()));
      status.setChecks(List.copyOf(counts.values()));
    }
    List<String> haunted =
        all.stream()
            .filter(NodeEntries::haunted)
            .map(n -> n.getPod() == null ? n.getNode() : "pod/" + n.getPod())
            .sorted()
            .limit(MAX_HAUNTED_LISTED)
            .toList();
    status.setHauntedNodes(haunted.isEmpty() ? null : haunted);
    status.setObservedGeneration(round.generation());
    status.setStartedAt(round.startedAt());
    status.setProgress(NodeEntries.decidedCount(all) + "/" + all.size());
    status.setGhosts((int) findings.stream().filter(Finding::isGhost).count());
    List<NodeStatus> shown = ShownEntries.of(all);
    status.setNodes(shown.isEmpty() ? null : shown);
    return status;
  }

  /**
   * The status a new generation starts with, written before any probe exists: its clock, and
   * conditions that say it is hunting (previous ones keep their transition time where unchanged).
   */
  public static GhostHuntStatus starting(
      long generation, String startedAt, GhostHuntStatus previous, Instant now) {
    List<Condition> prev = previous == null ? null : previous.getConditions();
    return HuntStatusBuilder.starting(
        startedAt, new HuntStatusBuilder.Stamp(generation, prev, now));
  }

  /**
   * A hunt no probe can start for: Pending with the blocker's reason and fix until its deadline,
   * then Failed with the same reason (its clock, written when it began, never moves).
   */
  public static GhostHuntStatus blocked(
      long generation,
      String startedAt,
      Blocker blocker,
      List<Condition> previous,
      Instant now,
      Instant deadline) {
    return HuntStatusBuilder.blocked(
        startedAt, blocker, deadline, new HuntStatusBuilder.Stamp(generation, previous, now));
  }

  /**
   * A spec no round can run (what HuntResolver refuses, a schedule that is no cron expression):
   * Failed and Inconclusive, saying what is wrong; its clock starts now, since it never hunts.
   */
  public static GhostHuntStatus invalid(
      long generation, String message, List<Condition> previous, Instant now) {
    return HuntStatusBuilder.invalid(
        message, new HuntStatusBuilder.Stamp(generation, previous, now));
  }

  /**
   * A scheduled hunt before its first run: Pending, saying when it starts. Mutates and returns
   * {@code s}, whose schedule fields the caller has set.
   *
   * @param next when the first run starts, or null while the schedule is suspended
   */
  public static GhostHuntStatus waitingForFirstRun(
      GhostHuntStatus s, long generation, Instant next, List<Condition> previous, Instant now) {
    return HuntStatusBuilder.waitingForFirstRun(
        s, next, new HuntStatusBuilder.Stamp(generation, previous, now));
  }

  /** Whether {@code status} is that of a spec that cannot run, as {@link #invalid} writes it. */
  public static boolean isInvalidSpec(GhostHuntStatus status) {
    return HuntStatusBuilder.isInvalidSpec(status);
  }
}
