package io.ghosthunt.operator.decision;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.decision.HuntPlan.HuntEvent;
import io.ghosthunt.operator.decision.HuntPlan.Round;
import io.ghosthunt.operator.observer.HuntPicture;
import io.ghosthunt.operator.status.OpenReport;
import io.ghosthunt.operator.status.StatusAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The schedule of a hunt with spec.schedule: whether a run starts now, is skipped, goes on, or the
 * hunt waits for its next time. Decided from the status in the controller's cache, which holds the
 * operator's own last write (it is written through JOSDK's primary cache), so that neither a due
 * run is skipped nor one started twice.
 */
final class ScheduledRuns {

  /** How soon a run asked for while another goes is looked at again. */
  static final Duration RUN_NOW_WAIT = Duration.ofSeconds(1);

  private ScheduledRuns() {}

  static HuntPlan plan(HuntPicture p, ResolvedHunt resolved) {
    GhostHunt hunt = p.hunt();
    long generation = hunt.getMetadata().getGeneration();
    GhostHuntStatus stored = hunt.getStatus() == null ? new GhostHuntStatus() : hunt.getStatus();
    int run = stored.getRun() == null ? 0 : stored.getRun();
    boolean open = runOpen(stored, run, generation);
    Instant since =
        stored.getLastScheduledAt() != null
            ? Instant.parse(stored.getLastScheduledAt())
            : Instant.parse(hunt.getMetadata().getCreationTimestamp());
    Schedules.Tick tick =
        Schedules.decide(
            hunt.getSpec().getSchedule(),
            since,
            p.now(),
            open,
            Boolean.TRUE.equals(hunt.getSpec().getSuspend()));
    GhostHuntStatus next = scheduleFields(stored, tick);
    String runNow = GhostHunt.pendingRunNow(hunt);
    if (tick.runAt() != null || runNow != null && !open) {
      return runStarts(p, next, run + 1, tick, runNow);
    }
    List<HuntEvent> events = new ArrayList<>();
    if (tick.skipped() != null) {
      next.setSkippedRuns((stored.getSkippedRuns() == null ? 0 : stored.getSkippedRuns()) + 1);
      events.add(skipped(run, tick, next));
    }
    if (open) {
      HuntPlan going = HuntPlanner.round(p, run, next, resolved, events);
      // A run asked for while one goes starts once that one is done: the plan that ends it looks
      // again soon after, not at the next schedule time.
      boolean ends =
          going.status() != null
              && (going.status().getPhase() == HuntPhase.Complete
                  || going.status().getPhase() == HuntPhase.Failed);
      return runNow == null
              || !ends
              || going.lookAgain() != null && going.lookAgain().compareTo(RUN_NOW_WAIT) <= 0
          ? going
          : going.withLookAgain(RUN_NOW_WAIT);
    }
    return idle(p, stored, next, run, tick, events);
  }

  /** A run of an older spec is abandoned: the new spec runs at the next time. */
  private static boolean runOpen(GhostHuntStatus s, int run, long generation) {
    return run > 0
        && Objects.equals(s.getObservedGeneration(), generation)
        && s.getStartedAt() != null
        && s.getPhase() != HuntPhase.Complete
        && s.getPhase() != HuntPhase.Failed;
  }

  /**
   * A run starts: the probes and reports of every other run go, and its clock is written before any
   * probe exists; the next reconcile starts its probes.
   */
  private static HuntPlan runStarts(
      HuntPicture p, GhostHuntStatus carried, int run, Schedules.Tick tick, String runNow) {
    long generation = p.hunt().getMetadata().getGeneration();
    // Complete turns False in the same write that records the run (and a run-now value): who
    // waits for that value, then for Complete, never meets the previous run's.
    GhostHuntStatus s = StatusAggregator.starting(generation, p.now().toString(), carried, p.now());
    carry(carried, s);
    s.setRun(run);
    s.setLastRunAt((tick.runAt() != null ? tick.runAt() : p.now()).toString());
    if (runNow != null) {
      s.setLastHandledRunNow(runNow);
    }
    s.setSummary("run " + run + " started");
    String message =
        "run "
            + run
            + (tick.runAt() != null ? " for " + tick.runAt() : "")
            + (runNow != null ? " asked for by " + GhostHunt.RUN_NOW + "=" + shown(runNow) : "")
            + (tick.next() == null ? "" : "; next at " + tick.next());
    return HuntPlan.nothing()
        .withKeep(new Round(generation, run))
        .withStatus(s)
        .withEvents(List.of(new HuntEvent(run, HuntEventReason.RunStarted, message)))
        .withLookAgain(Duration.ZERO);
  }

  /** An Event's message quotes a run-now value up to here: the status keeps it whole. */
  private static final int SHOWN_RUN_NOW = 64;

  private static String shown(String runNow) {
    return runNow.length() > SHOWN_RUN_NOW ? runNow.substring(0, SHOWN_RUN_NOW) + "..." : runNow;
  }

  private static HuntEvent skipped(int run, Schedules.Tick tick, GhostHuntStatus next) {
    return new HuntEvent(
        run,
        HuntEventReason.RunSkipped,
        "the run for "
            + tick.skipped()
            + " was skipped: run "
            + run
            + " is still going ("
            + next.getSkippedRuns()
            + " skipped so far)");
  }

  /**
   * No run going: the schedule's fields move on, and the hunt waits for its next time. Probes still
   * there belong to a run completed by a replica that died before its cleanup: they go.
   */
  private static HuntPlan idle(
      HuntPicture p,
      GhostHuntStatus stored,
      GhostHuntStatus next,
      int run,
      Schedules.Tick tick,
      List<HuntEvent> events) {
    if (run == 0) {
      StatusAggregator.waitingForFirstRun(
          next,
          p.hunt().getMetadata().getGeneration(),
          tick.next(),
          stored.getConditions(),
          p.now());
    }
    boolean write =
        !sameSchedule(stored, next)
            || run == 0 && !Objects.equals(stored.getSummary(), next.getSummary());
    return HuntPlan.nothing()
        .withRevoke(HuntPlanner.liveProbes(p))
        .withStatus(write ? next : null)
        .withEvents(events)
        .withLookAgain(tick.wake() == null ? null : RoundStatus.until(p.now(), tick.wake()));
  }

  /** The status as it stands, with the schedule's fields moved on by this tick. */
  private static GhostHuntStatus scheduleFields(GhostHuntStatus current, Schedules.Tick tick) {
    GhostHuntStatus s = copy(current);
    s.setLastScheduledAt(tick.handled().toString());
    s.setNextRunAt(tick.next() == null ? null : tick.next().toString());
    return s;
  }

  /** Whether the schedule's own fields are as the status has them. */
  static boolean sameSchedule(GhostHuntStatus a, GhostHuntStatus b) {
    return Objects.equals(a.getRun(), b.getRun())
        && Objects.equals(a.getLastRunAt(), b.getLastRunAt())
        && Objects.equals(a.getNextRunAt(), b.getNextRunAt())
        && Objects.equals(a.getLastScheduledAt(), b.getLastScheduledAt())
        && Objects.equals(a.getSkippedRuns(), b.getSkippedRuns())
        && Objects.equals(a.getLastHandledRunNow(), b.getLastHandledRunNow())
        && Objects.equals(a.getRuns(), b.getRuns())
        && Objects.equals(a.getChanges(), b.getChanges());
  }

  /** The schedule's fields of {@code from} onto {@code to}: every status write carries them. */
  static void carry(GhostHuntStatus from, GhostHuntStatus to) {
    to.setRun(from.getRun());
    to.setLastRunAt(from.getLastRunAt());
    to.setNextRunAt(from.getNextRunAt());
    to.setLastScheduledAt(from.getLastScheduledAt());
    to.setSkippedRuns(from.getSkippedRuns());
    to.setLastHandledRunNow(from.getLastHandledRunNow());
    to.setRuns(from.getRuns());
    to.setChanges(from.getChanges());
    if (to.getConditions() != null) {
      to.setConditions(OpenReport.carried(from.getConditions(), to.getConditions()));
    }
  }

  private static GhostHuntStatus copy(GhostHuntStatus c) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(c.getObservedGeneration());
    s.setPhase(c.getPhase());
    s.setStartedAt(c.getStartedAt());
    s.setTimeline(c.getTimeline());
    s.setVerdict(c.getVerdict());
    s.setGhosts(c.getGhosts());
    s.setProgress(c.getProgress());
    s.setSummary(c.getSummary());
    s.setChecks(c.getChecks());
    s.setHauntedNodes(c.getHauntedNodes());
    s.setConditions(c.getConditions());
    s.setNodes(c.getNodes());
    carry(c, s);
    return s;
  }
}
