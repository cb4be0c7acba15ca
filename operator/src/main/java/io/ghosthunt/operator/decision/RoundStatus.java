package io.ghosthunt.operator.decision;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostChange;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntTimeline;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.RunChanges;
import io.ghosthunt.api.status.RunSummary;
import io.ghosthunt.operator.decision.HuntPlan.Finished;
import io.ghosthunt.operator.decision.HuntPlan.HuntEvent;
import io.ghosthunt.operator.decision.HuntPlan.Started;
import io.ghosthunt.operator.observer.HuntPicture;
import io.ghosthunt.operator.status.HuntRound;
import io.ghosthunt.operator.status.OpenReport;
import io.ghosthunt.operator.status.RoundTimeline;
import io.ghosthunt.operator.status.RunHistory;
import io.ghosthunt.operator.status.StatusAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A round's status from its probes' reports, and what goes with it: the Events of the state
 * reached, a scheduled run's history, and on completion the revocation and the metrics.
 */
final class RoundStatus {

  private RoundStatus() {}

  static HuntPlan publish(
      HuntPicture p,
      HuntRound round,
      int run,
      GhostHuntStatus base,
      HuntPlanner.RoundView view,
      Started started,
      List<HuntEvent> before) {
    GhostHuntStatus stored = p.hunt().getStatus();
    boolean current =
        base != null && Objects.equals(base.getObservedGeneration(), round.generation());
    StatusAggregator.Result result =
        StatusAggregator.aggregate(
            round,
            p.now(),
            HuntDecisions.outcomes(view.seen(), started.pods(), started.refused()),
            view.seen().entries(),
            current ? base.getConditions() : null);
    GhostHuntStatus status = result.status();
    status.setTimeline(timeline(p, round, current ? base : null, view, started, result));
    List<HuntEvent> events = new ArrayList<>(before);
    List<GhostName> appeared = List.of();
    if (run > 0) {
      ScheduledRuns.carry(base, status);
      if (result.complete()) {
        appeared = runCompleted(p.hunt(), base, status, result.nodes(), run, p.now(), events);
      }
    }
    boolean writeReport = false;
    if (result.complete()) {
      OpenReport.Completed report =
          OpenReport.completed(
              p.openReports(),
              p.hunt(),
              round.generation(),
              run,
              stored,
              status.getConditions(),
              p.now());
      status.setConditions(report.conditions());
      writeReport = report.write();
    }
    events.addAll(transitions(p.hunt(), result, run));
    boolean changed = !unchanged(stored, status);
    HuntPlan plan =
        HuntPlan.nothing()
            .withRevoke(result.complete())
            .withStatus(changed ? status : null)
            .withEvents(events);
    if (!result.complete()) {
      return plan.withLookAgain(HuntDecisions.nextLook(p.now(), round.deadline()));
    }
    return plan.withFinished(
            finished(p, round, run, status, result, appeared, changed && writeReport))
        .withLookAgain(
            run > 0 && status.getNextRunAt() != null
                ? until(p.now(), Instant.parse(status.getNextRunAt()))
                : null);
  }

  /**
   * What the completed round leaves for the actor; its Report only when {@code writeReport}: the
   * status changes (the write that completes it, not every look at a completed hunt) and the Report
   * is to be written.
   */
  private static Finished finished(
      HuntPicture p,
      HuntRound round,
      int run,
      GhostHuntStatus status,
      StatusAggregator.Result result,
      List<GhostName> appeared,
      boolean writeReport) {
    return new Finished(
        round.generation() + "/" + run,
        status,
        result.nodes(),
        appeared,
        p.now(),
        writeReport ? OpenReport.of(p.hunt(), run, result.nodes(), p.now()) : null);
  }

  /**
   * The round's timeline: the probes created when this reconcile's starts were answered (or, when
   * an earlier reconcile made them and its write was lost, when the API server created them), the
   * reports' latest times, and now if the round is complete; what is on record stays.
   */
  private static HuntTimeline timeline(
      HuntPicture p,
      HuntRound round,
      GhostHuntStatus current,
      HuntPlanner.RoundView view,
      Started started,
      StatusAggregator.Result result) {
    Instant created =
        started.pods().isEmpty()
            ? RoundTimeline.latestCreated(view.seen().pods().values())
            : started.answeredAt();
    return RoundTimeline.of(
        current == null ? null : current.getTimeline(),
        round.startedAt(),
        created,
        view.reportTimes(),
        result.complete() ? p.now() : null);
  }

  /**
   * A scheduled run completed: its summary joins the history, what changed since the run before
   * goes into the status and, once each, into Events; returns the ghosts that appeared.
   */
  private static List<GhostName> runCompleted(
      GhostHunt hunt,
      GhostHuntStatus base,
      GhostHuntStatus status,
      List<NodeStatus> entries,
      int run,
      Instant now,
      List<HuntEvent> events) {
    List<RunSummary> before = base.getRuns();
    RunSummary last =
        before == null
            ? null
            : before.stream()
                .filter(r -> r.getRun() != null && r.getRun() < run)
                .findFirst()
                .orElse(null);
    RunSummary summary = RunHistory.summary(run, base.getLastRunAt(), now, status, entries);
    status.setRuns(RunHistory.history(summary, before, hunt.getSpec().historyLimitOrDefault()));
    RunChanges changes = RunHistory.changes(run, last, entries);
    status.setChanges(changes);
    if (changes == null) {
      return List.of();
    }
    List<GhostChange> appeared = changes.getAppeared() == null ? List.of() : changes.getAppeared();
    for (GhostChange g : appeared) {
      events.add(
          new HuntEvent(
              run,
              HuntEventReason.GhostAppeared,
              g.describe()
                  + " (not in run "
                  + last.getRun()
                  + "): "
                  + g.getSummary()
                  + (g.getEvidence() == null ? "" : " " + g.getEvidence())));
    }
    for (GhostChange g : changes.getGone() == null ? List.<GhostChange>of() : changes.getGone()) {
      events.add(
          new HuntEvent(
              run,
              HuntEventReason.GhostGone,
              g.describe() + " (found in run " + last.getRun() + ") is gone"));
    }
    return appeared.stream().map(GhostChange::getGhost).toList();
  }

  /** Events for the state reached; the recorder keeps each to once per round. */
  static List<HuntEvent> transitions(GhostHunt hunt, StatusAggregator.Result result, int run) {
    GhostHuntStatus status = result.status();
    boolean podHunt = hunt.getSpec().getPods() != null;
    int n = result.nodes().size();
    List<HuntEvent> events = new ArrayList<>();
    events.add(
        new HuntEvent(
            run,
            HuntEventReason.HuntStarted,
            "hunting on "
                + n
                + (podHunt ? " pod" : " node")
                + (n == 1 ? "" : "s")
                + " (generation "
                + status.getObservedGeneration()
                + ")"));
    for (NodeStatus e : result.nodes()) {
      if (e.getPhase() == NodePhase.Unreachable) {
        events.add(
            new HuntEvent(
                run, HuntEventReason.NodeUnreachable, e.subject() + ": " + e.getMessage()));
      } else if (e.getPhase() == NodePhase.Failed) {
        events.add(
            new HuntEvent(run, HuntEventReason.ProbeFailed, e.subject() + ": " + e.getMessage()));
      }
    }
    if (result.complete()) {
      events.add(new HuntEvent(run, verdictReason(status, podHunt), status.getSummary()));
    }
    return events;
  }

  private static HuntEventReason verdictReason(GhostHuntStatus status, boolean podHunt) {
    if (status.getPhase() == HuntPhase.Failed) {
      return podHunt ? HuntEventReason.NoPods : HuntEventReason.NoNodes;
    }
    if (status.getVerdict() == HuntVerdict.Haunted) {
      return HuntEventReason.GhostFound;
    }
    return status.getVerdict() == HuntVerdict.Clear
        ? HuntEventReason.HuntClear
        : HuntEventReason.HuntInconclusive;
  }

  /** Whether writing {@code next} would change nothing of what the operator owns. */
  static boolean unchanged(GhostHuntStatus prev, GhostHuntStatus next) {
    if (prev == null
        || !Objects.equals(prev.getObservedGeneration(), next.getObservedGeneration())
        || prev.getPhase() != next.getPhase()
        || prev.getVerdict() != next.getVerdict()
        || !Objects.equals(prev.getGhosts(), next.getGhosts())
        || !Objects.equals(prev.getProgress(), next.getProgress())
        || !Objects.equals(prev.getSummary(), next.getSummary())
        || !Objects.equals(prev.getStartedAt(), next.getStartedAt())
        || !Objects.equals(prev.getTimeline(), next.getTimeline())
        || !Objects.equals(prev.getConditions(), next.getConditions())
        || !Objects.equals(prev.getChecks(), next.getChecks())
        || !Objects.equals(prev.getHauntedNodes(), next.getHauntedNodes())
        || !ScheduledRuns.sameSchedule(prev, next)) {
      return false;
    }
    return sameEntries(prev.getNodes(), next.getNodes());
  }

  private static boolean sameEntries(List<NodeStatus> prev, List<NodeStatus> next) {
    if (next == null) {
      return prev == null;
    }
    Set<String> before =
        prev == null
            ? Set.of()
            : prev.stream().map(RoundStatus::entryKey).collect(Collectors.toSet());
    return prev != null
        && prev.size() == next.size()
        && next.stream().allMatch(n -> before.contains(entryKey(n)));
  }

  private static String entryKey(NodeStatus n) {
    return n.key() + "|" + n.getPhase() + "|" + n.getMessage();
  }

  /** How long until {@code at}, a little after it, and at least a second. */
  static Duration until(Instant now, Instant at) {
    Duration wait = Duration.between(now, at).plusMillis(200);
    return wait.isNegative() ? Duration.ofSeconds(1) : wait;
  }
}
