package io.ghosthunt.operator.decision;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.decision.HuntPlan.HuntEvent;
import io.ghosthunt.operator.decision.HuntPlan.ProbeStart;
import io.ghosthunt.operator.decision.HuntPlan.Round;
import io.ghosthunt.operator.decision.HuntPlan.Started;
import io.ghosthunt.operator.observer.HuntPicture;
import io.ghosthunt.operator.observer.HuntTarget;
import io.ghosthunt.operator.observer.NodeTargets;
import io.ghosthunt.operator.observer.PodTargets;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.status.HuntRound;
import io.ghosthunt.operator.status.ReportFilter;
import io.ghosthunt.operator.status.RoundTimeline;
import io.ghosthunt.operator.status.StatusAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what one reconcile does about a hunt, from its picture alone: pure, the clock is the
 * picture's. A new generation first writes its clock (and nothing else), then its probes start, the
 * probes' reports make the status, and a complete round revokes the probes before it says so.
 */
public final class HuntPlanner {

  /** How soon a blocked hunt (no probe namespace, RBAC) looks again; fixing it needs a person. */
  static final Duration BLOCKED_RETRY = Duration.ofSeconds(15);

  private HuntPlanner() {}

  public static HuntPlan plan(HuntPicture p) {
    GhostHunt hunt = p.hunt();
    GhostHuntStatus stored = hunt.getStatus();
    boolean scheduled = hunt.getSpec().getSchedule() != null;
    if (decided(stored, hunt.getMetadata().getGeneration())
        && (!scheduled || StatusAggregator.isInvalidSpec(stored))) {
      // Also a round completed by a replica that died before its cleanup: its probes go now.
      return HuntPlan.nothing().withRevoke(liveProbes(p));
    }
    ResolvedHunt resolved;
    try {
      resolved = resolve(hunt);
    } catch (InvalidHuntException e) {
      return invalid(p, e.getMessage());
    }
    return scheduled ? ScheduledRuns.plan(p, resolved) : round(p, 0, stored, resolved, List.of());
  }

  /** Whether this generation is done: Complete or Failed, with its clock. */
  static boolean decided(GhostHuntStatus s, long generation) {
    return s != null
        && Objects.equals(s.getObservedGeneration(), generation)
        && s.getStartedAt() != null
        && (s.getPhase() == HuntPhase.Complete || s.getPhase() == HuntPhase.Failed);
  }

  /**
   * Whether probes of this hunt still run (not those already being deleted), or the identity they
   * ran as is still there.
   */
  static boolean liveProbes(HuntPicture p) {
    return p.agentIdentity()
        || p.probes().stream().anyMatch(pod -> pod.getMetadata().getDeletionTimestamp() == null);
  }

  private static ResolvedHunt resolve(GhostHunt hunt) throws InvalidHuntException {
    ResolvedHunt resolved = HuntResolver.resolve(hunt.getSpec());
    String schedule = hunt.getSpec().getSchedule();
    Optional<String> bad = schedule == null ? Optional.empty() : Schedules.invalid(schedule);
    if (bad.isPresent()) {
      throw new InvalidHuntException(List.of(bad.get()));
    }
    return resolved;
  }

  /** The spec cannot run: said once in the status and an Event; an older round's probes go. */
  static HuntPlan invalid(HuntPicture p, String why) {
    GhostHuntStatus stored = p.hunt().getStatus();
    GhostHuntStatus failed =
        StatusAggregator.invalid(
            p.hunt().getMetadata().getGeneration(),
            why,
            stored == null ? null : stored.getConditions(),
            p.now());
    if (stored != null) {
      // A schedule's history and the run-now value it handled outlive a bad edit: the status is
      // applied whole, and a value dropped here would start a run once the spec is fixed.
      ScheduledRuns.carry(stored, failed);
    }
    return HuntPlan.nothing()
        .withRevoke(liveProbes(p))
        .withStatus(failed)
        .withEvents(List.of(new HuntEvent(0, HuntEventReason.InvalidSpec, why)));
  }

  /**
   * One round (a generation, or a scheduled hunt's run) from the status {@code base} it goes on
   * from: its clock first, then its probes, then its status.
   */
  static HuntPlan round(
      HuntPicture p, int run, GhostHuntStatus base, ResolvedHunt resolved, List<HuntEvent> before) {
    long generation = p.hunt().getMetadata().getGeneration();
    String startedAt = startedAt(base, generation);
    if (startedAt == null) {
      return startGeneration(p, base);
    }
    HuntRound round =
        new HuntRound(
            generation,
            startedAt,
            Duration.ofSeconds(p.hunt().getSpec().timeoutSecondsOrDefault()),
            p.hunt().getSpec().getPods() != null);
    RoundView view = RoundView.of(p, round, run, resolved);
    List<HuntEvent> events = new ArrayList<>(before);
    events.addAll(view.dropped());
    List<String> toStart = HuntDecisions.probesToStart(view.seen());
    Optional<Blocker> blocker = toStart.isEmpty() ? Optional.empty() : p.unconfined();
    if (blocker.isEmpty() && !p.now().isBefore(round.deadline()) && view.seen().pods().isEmpty()) {
      // Still blocked when its time ran out: it ends with the reason, not as lost probes.
      blocker = Blocker.standing(base == null ? null : base.getConditions(), generation);
    }
    if (blocker.isPresent()) {
      return blocked(p, round, run, base, blocker.get(), events);
    }
    if (toStart.isEmpty()) {
      return RoundStatus.publish(p, round, run, base, view, Started.NONE, events);
    }
    return HuntPlan.starting(
        starts(view, round, run, toStart, p.now()),
        started ->
            started.blocker().isPresent()
                ? blocked(p, round, run, base, started.blocker().get(), events)
                : RoundStatus.publish(p, round, run, base, view, started, events));
  }

  /** This generation's clock, once written; null for a generation not started yet. */
  private static String startedAt(GhostHuntStatus base, long generation) {
    return base != null
            && Objects.equals(base.getObservedGeneration(), generation)
            && base.getStartedAt() != null
        ? base.getStartedAt()
        : null;
  }

  /**
   * A new spec starts afresh: older generations' probes and reports go, and its clock is written
   * before any probe exists, so that an operator that dies at any later step neither moves the
   * deadline nor starts the generation twice. The next reconcile starts the probes.
   */
  static HuntPlan startGeneration(HuntPicture p, GhostHuntStatus base) {
    long generation = p.hunt().getMetadata().getGeneration();
    return HuntPlan.nothing()
        .withKeep(new Round(generation, 0))
        .withStatus(StatusAggregator.starting(generation, p.now().toString(), base, p.now()))
        .withLookAgain(Duration.ZERO);
  }

  /** A report and a pod per node; in a pod hunt, the node's pods without an entry yet. */
  private static List<ProbeStart> starts(
      RoundView view, HuntRound round, int run, List<String> nodes, Instant now) {
    long remaining = Math.max(1, Duration.between(now, round.deadline()).toSeconds());
    List<ProbeStart> starts = new ArrayList<>();
    for (String node : nodes) {
      List<HuntTarget> here =
          round.podHunt()
              ? HuntDecisions.targetsOn(view.seen(), node)
              : List.of(HuntTarget.node(node, null));
      List<HuntTarget> reports =
          here.stream().filter(t -> !view.seen().reports().contains(t.key())).toList();
      starts.add(new ProbeStart(node, round.podHunt() ? here : List.of(), reports, remaining, run));
    }
    return starts;
  }

  /**
   * Nothing can start: the hunt says why and what fixes it (a condition and one Event), and looks
   * again later instead of failing every retry, until its deadline ends it with the same reason.
   */
  static HuntPlan blocked(
      HuntPicture p,
      HuntRound round,
      int run,
      GhostHuntStatus base,
      Blocker blocker,
      List<HuntEvent> before) {
    GhostHuntStatus s =
        StatusAggregator.blocked(
            round.generation(),
            round.startedAt(),
            blocker,
            base == null ? null : base.getConditions(),
            p.now(),
            round.deadline());
    if (base != null) {
      ScheduledRuns.carry(base, s);
    }
    boolean over = s.getPhase() == HuntPhase.Failed;
    s.setTimeline(
        RoundTimeline.of(
            base == null ? null : base.getTimeline(),
            round.startedAt(),
            null,
            RoundTimeline.ReportTimes.NONE,
            over ? p.now() : null));
    List<HuntEvent> events = new ArrayList<>(before);
    events.add(new HuntEvent(run, HuntEventReason.blockedBy(blocker), blocker.message()));
    return HuntPlan.nothing()
        .withRevoke(over)
        .withStatus(RoundStatus.unchanged(p.hunt().getStatus(), s) ? null : s)
        .withEvents(events)
        .withLookAgain(over ? null : BLOCKED_RETRY);
  }

  /**
   * What the picture holds of one round: its targets, probe pods, reports and the entries the
   * probes wrote (with only the findings their hunt asked for).
   *
   * @param dropped one Event per report that held more than its hunt asked
   * @param reportTimes what the round's reports say of their probes' times
   */
  record RoundView(
      HuntDecisions.Observed seen, List<HuntEvent> dropped, RoundTimeline.ReportTimes reportTimes) {

    static RoundView of(HuntPicture p, HuntRound round, int run, ResolvedHunt resolved) {
      Map<String, GhostHuntReport> reports = new HashMap<>();
      p.reports().stream()
          .filter(r -> r.getSpec() != null && ofRound(r.getMetadata().getLabels(), round, run))
          .forEach(r -> reports.put(r.getSpec().key(), r));
      Map<String, Pod> pods = new HashMap<>();
      p.probes().stream()
          .filter(pod -> ofRound(pod.getMetadata().getLabels(), round, run))
          .forEach(pod -> pods.put(pod.getSpec().getNodeName(), pod));
      List<HuntEvent> dropped = new ArrayList<>();
      Map<String, io.ghosthunt.api.status.NodeStatus> entries =
          ReportFilter.of(resolved)
              .entries(
                  reports,
                  round.generation(),
                  (key, taken) ->
                      dropped.add(
                          new HuntEvent(
                              run, HuntEventReason.FindingsDropped, key, taken.describe())));
      List<HuntTarget> targets = targets(p, round, reports);
      return new RoundView(
          new HuntDecisions.Observed(
              targets, pods, reports.keySet(), entries, p.now(), round.deadline()),
          dropped,
          RoundTimeline.ReportTimes.of(reports.values()));
    }

    private static List<HuntTarget> targets(
        HuntPicture p, HuntRound round, Map<String, GhostHuntReport> reports) {
      if (!round.podHunt()) {
        return HuntDecisions.withReportedNodes(
            NodeTargets.resolve(p.hunt().getSpec().getNodes(), p.nodes()), reports.keySet());
      }
      Map<String, Node> nodes = new HashMap<>();
      p.nodes().forEach(n -> nodes.put(n.getMetadata().getName(), n));
      return PodTargets.resolve(p.targetPods(), reportedPods(reports.values()), nodes);
    }

    /** Whether a pod or report is of this round (run 0: of a hunt without schedule, no label). */
    static boolean ofRound(Map<String, String> labels, HuntRound round, int run) {
      if (labels == null
          || !Long.toString(round.generation()).equals(labels.get(Labels.GENERATION))) {
        return false;
      }
      return run == 0
          ? !labels.containsKey(Labels.RUN)
          : Integer.toString(run).equals(labels.get(Labels.RUN));
    }
  }

  /** The pods this round has reports for, by name: the pod (UID) and node each was started for. */
  static Map<String, HuntTarget> reportedPods(java.util.Collection<GhostHuntReport> reports) {
    Map<String, HuntTarget> pods = new HashMap<>();
    reports.stream()
        .filter(r -> r.getSpec().getPod() != null)
        .forEach(
            r ->
                pods.put(
                    r.getSpec().getPod(),
                    new HuntTarget(
                        r.getSpec().getNode(),
                        r.getSpec().getPod(),
                        r.getSpec().getPodUid(),
                        null)));
    return pods;
  }
}
