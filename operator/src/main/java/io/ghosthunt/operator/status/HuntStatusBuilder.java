package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.decision.Blocker;
import java.time.Instant;
import java.util.List;

/**
 * Every status a hunt can show, and the only place its Complete/GhostFound pair is built: a new
 * case cannot write one condition and forget the other, or give them reasons that disagree.
 */
final class HuntStatusBuilder {

  /**
   * The generation the conditions speak for, the conditions they replace (each keeps its transition
   * time while its status stays) and the clock.
   */
  record Stamp(long generation, List<Condition> previous, Instant now) {}

  /** One condition's status, reason and message. */
  private record Said(String status, String reason, String message) {
    Said(String status, ConditionReason reason, String message) {
      this(status, reason.name(), message);
    }
  }

  private HuntStatusBuilder() {}

  /** Written before any probe exists: the round's clock, and that it is hunting. */
  static GhostHuntStatus starting(String startedAt, Stamp at) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(at.generation());
    s.setPhase(HuntPhase.Pending);
    s.setStartedAt(startedAt);
    s.setTimeline(RoundTimeline.starting(startedAt));
    s.setSummary("starting the probes");
    s.setConditions(waiting(ConditionReason.Hunting, "starting", at));
    return s;
  }

  /** Pending with the blocker's reason and fix until the deadline, then Failed with that reason. */
  static GhostHuntStatus blocked(String startedAt, Blocker blocker, Instant deadline, Stamp at) {
    boolean over = !at.now().isBefore(deadline);
    String message =
        over
            ? "the hunt ran out of time (timeoutSeconds) while blocked: " + blocker.message()
            : blocker.message();
    ConditionReason reason = ConditionReason.blockedBy(blocker.reason());
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(at.generation());
    s.setStartedAt(startedAt);
    s.setPhase(over ? HuntPhase.Failed : HuntPhase.Pending);
    s.setVerdict(over ? HuntVerdict.Inconclusive : null);
    s.setSummary(message);
    s.setConditions(over ? ended(reason, message, at) : waiting(reason, message, at));
    return s;
  }

  /** A spec no round can run. */
  static GhostHuntStatus invalid(String message, Stamp at) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(at.generation());
    s.setStartedAt(at.now().toString());
    s.setTimeline(
        RoundTimeline.of(null, s.getStartedAt(), null, RoundTimeline.ReportTimes.NONE, at.now()));
    s.setPhase(HuntPhase.Failed);
    s.setVerdict(HuntVerdict.Inconclusive);
    s.setGhosts(0);
    s.setSummary("the hunt cannot run: " + message);
    s.setConditions(ended(ConditionReason.InvalidSpec, s.getSummary(), at));
    return s;
  }

  /**
   * A scheduled hunt before its first run: {@code s} keeps its other fields (the schedule's own).
   *
   * @param next when the first run starts, or null while suspended
   */
  static GhostHuntStatus waitingForFirstRun(GhostHuntStatus s, Instant next, Stamp at) {
    String why =
        next == null
            ? "suspended: no run starts until spec.suspend is false"
            : "scheduled: the first run starts at " + next;
    s.setObservedGeneration(at.generation());
    s.setPhase(HuntPhase.Pending);
    s.setSummary(why);
    s.setConditions(waiting(ConditionReason.Scheduled, why, at));
    return s;
  }

  /** Nothing matched the spec's selector: the round is over before it began. */
  static void noTargets(GhostHuntStatus s, boolean podHunt, Stamp at) {
    s.setPhase(HuntPhase.Failed);
    s.setVerdict(HuntVerdict.Inconclusive);
    s.setSummary(
        podHunt
            ? "no pod of this namespace matches spec.pods.selector: nothing was hunted"
            : "no node matches spec.nodes: nothing was hunted");
    s.setConditions(
        ended(podHunt ? ConditionReason.NoPods : ConditionReason.NoNodes, s.getSummary(), at));
  }

  /** A round with targets: its phase, verdict, summary and conditions, from every entry. */
  static void hunted(
      GhostHuntStatus s, List<NodeStatus> all, boolean complete, boolean podHunt, Stamp at) {
    boolean haunted = all.stream().anyMatch(NodeEntries::haunted);
    HuntVerdict verdict = verdict(all);
    s.setPhase(phase(all, complete));
    // A ghost found stays found; Clear or Inconclusive could still turn until every target is in.
    s.setVerdict(complete || haunted ? verdict : null);
    s.setSummary(Summaries.summary(all, complete));
    String progress =
        NodeEntries.decidedCount(all)
            + " of "
            + all.size()
            + (podHunt ? " pods" : " nodes")
            + " reported";
    Said done =
        complete
            ? new Said(
                "True",
                podHunt ? ConditionReason.AllPodsReported : ConditionReason.AllNodesReported,
                progress)
            : new Said("False", ConditionReason.Hunting, progress);
    Said ghostFound =
        haunted
            ? new Said("True", Summaries.worstGhost(all), s.getSummary())
            : !complete
                ? new Said("Unknown", ConditionReason.Hunting, progress)
                : new Said(
                    "False",
                    verdict == HuntVerdict.Clear
                        ? ConditionReason.Clear
                        : ConditionReason.Inconclusive,
                    s.getSummary());
    s.setConditions(pair(done, ghostFound, at));
  }

  private static HuntPhase phase(List<NodeStatus> all, boolean complete) {
    if (complete) {
      return HuntPhase.Complete;
    }
    return all.stream().allMatch(n -> n.getPhase() == NodePhase.Pending)
        ? HuntPhase.Pending
        : HuntPhase.Running;
  }

  /** Whether the status is that of a spec that cannot run (see {@link #invalid}). */
  static boolean isInvalidSpec(GhostHuntStatus s) {
    return s != null
        && s.getConditions() != null
        && s.getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.COMPLETE.equals(c.getType())
                        && ConditionReason.InvalidSpec.name().equals(c.getReason()));
  }

  /** A target not hunted leaves a hunt with no ghost Inconclusive, not Clear. */
  private static HuntVerdict verdict(List<NodeStatus> all) {
    HuntVerdict verdict = HuntVerdict.of(NodeEntries.findings(all));
    return verdict == HuntVerdict.Clear && all.stream().anyMatch(NodeEntries::notHunted)
        ? HuntVerdict.Inconclusive
        : verdict;
  }

  /** Not over: Complete False and GhostFound Unknown, for the same reason. */
  private static List<Condition> waiting(ConditionReason reason, String message, Stamp at) {
    return pair(new Said("False", reason, message), new Said("Unknown", reason, message), at);
  }

  /** Over with no ghost to name: Complete True and GhostFound False, for the same reason. */
  private static List<Condition> ended(ConditionReason reason, String message, Stamp at) {
    return pair(new Said("True", reason, message), new Said("False", reason, message), at);
  }

  private static List<Condition> pair(Said complete, Said ghostFound, Stamp at) {
    return List.of(
        condition(Conditions.COMPLETE, complete, at),
        condition(Conditions.GHOST_FOUND, ghostFound, at));
  }

  private static Condition condition(String type, Said said, Stamp at) {
    return Conditions.of(
        type,
        said.status(),
        said.reason(),
        said.message(),
        at.generation(),
        at.previous(),
        at.now());
  }
}
