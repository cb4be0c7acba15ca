package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.decision.Schedules;
import io.ghosthunt.operator.status.Conditions;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule of a hunt with spec.schedule: whether a run starts now, is skipped, goes on, or the
 * hunt waits for its next time. Read from the status on the API server (not a cache that may lag
 * behind the operator's own last write), so that a restart neither skips a due run nor runs one
 * twice.
 */
final class ScheduledRuns {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduledRuns.class);

  /**
   * What the reconciler does next.
   *
   * @param idle when no run is going: what to return (look again at the next time)
   * @param status the status the run goes on from (its startedAt, the schedule fields to carry)
   * @param run the current run's number
   */
  record Step(UpdateControl<GhostHunt> idle, GhostHuntStatus status, int run) {}

  private final KubernetesClient client;
  private final StatusWriter statusWriter;
  private final EventRecorder events;

  /** Removes the probes and reports of every run but the one given. */
  private final BiConsumer<GhostHunt, Integer> dropOtherRuns;

  ScheduledRuns(
      KubernetesClient client,
      StatusWriter statusWriter,
      EventRecorder events,
      BiConsumer<GhostHunt, Integer> dropOtherRuns) {
    this.client = client;
    this.statusWriter = statusWriter;
    this.events = events;
    this.dropOtherRuns = dropOtherRuns;
  }

  Step step(GhostHunt hunt, Instant now) {
    long generation = hunt.getMetadata().getGeneration();
    GhostHunt stored =
        client
            .resources(GhostHunt.class)
            .inNamespace(hunt.getMetadata().getNamespace())
            .withName(hunt.getMetadata().getName())
            .get();
    GhostHuntStatus current =
        stored == null || stored.getStatus() == null ? new GhostHuntStatus() : stored.getStatus();
    int run = current.getRun() == null ? 0 : current.getRun();
    // A run of an older spec is abandoned: the new spec runs at the next time.
    boolean runOpen =
        run > 0
            && Objects.equals(current.getObservedGeneration(), generation)
            && current.getStartedAt() != null
            && current.getPhase() != HuntPhase.Complete
            && current.getPhase() != HuntPhase.Failed;
    Instant since =
        current.getLastScheduledAt() != null
            ? Instant.parse(current.getLastScheduledAt())
            : Instant.parse(hunt.getMetadata().getCreationTimestamp());
    Schedules.Tick tick =
        Schedules.decide(
            hunt.getSpec().getSchedule(),
            since,
            now,
            runOpen,
            Boolean.TRUE.equals(hunt.getSpec().getSuspend()));
    GhostHuntStatus next = scheduleFields(current, tick);
    if (tick.runAt() != null) {
      int started = run + 1;
      dropOtherRuns.accept(hunt, started);
      GhostHuntStatus s = runStarting(next, generation, started, tick, now);
      statusWriter.apply(hunt, s);
      events.record(
          hunt,
          started,
          HuntEventReason.RunStarted,
          "run "
              + started
              + " for "
              + tick.runAt()
              + (tick.next() == null ? "" : "; next at " + tick.next()));
      LOG.info("run {} for {}", started, tick.runAt());
      return new Step(null, s, started);
    }
    if (tick.skipped() != null) {
      next.setSkippedRuns((current.getSkippedRuns() == null ? 0 : current.getSkippedRuns()) + 1);
      events.record(
          hunt,
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
    if (runOpen) {
      if (!sameSchedule(current, next)) {
        statusWriter.apply(hunt, next);
      }
      return new Step(null, next, run);
    }
    if (run == 0) {
      waitingForFirstRun(next, generation, tick, now, current);
    }
    if (!sameSchedule(current, next)
        || run == 0 && !Objects.equals(current.getSummary(), next.getSummary())) {
      statusWriter.apply(hunt, next);
    }
    if (tick.wake() == null) {
      return new Step(UpdateControl.noUpdate(), next, run);
    }
    Duration wait = Duration.between(now, tick.wake()).plusMillis(200);
    return new Step(
        UpdateControl.<GhostHunt>noUpdate()
            .rescheduleAfter(wait.isNegative() ? Duration.ofSeconds(1) : wait),
        next,
        run);
  }

  /** The status as it stands, with the schedule's fields moved on by this tick. */
  private static GhostHuntStatus scheduleFields(GhostHuntStatus current, Schedules.Tick tick) {
    GhostHuntStatus s = copy(current);
    s.setLastScheduledAt(tick.handled().toString());
    s.setNextRunAt(tick.next() == null ? null : tick.next().toString());
    return s;
  }

  private static GhostHuntStatus runStarting(
      GhostHuntStatus carried, long generation, int run, Schedules.Tick tick, Instant now) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setPhase(HuntPhase.Pending);
    s.setStartedAt(now.toString());
    s.setRun(run);
    s.setLastRunAt(tick.runAt().toString());
    s.setLastScheduledAt(tick.handled().toString());
    s.setNextRunAt(tick.next() == null ? null : tick.next().toString());
    s.setSkippedRuns(carried.getSkippedRuns());
    s.setRuns(carried.getRuns());
    s.setChanges(carried.getChanges());
    s.setSummary("run " + run + " started");
    s.setConditions(carried.getConditions());
    return s;
  }

  private static void waitingForFirstRun(
      GhostHuntStatus s,
      long generation,
      Schedules.Tick tick,
      Instant now,
      GhostHuntStatus previous) {
    s.setObservedGeneration(generation);
    s.setPhase(HuntPhase.Pending);
    String why =
        tick.next() == null
            ? "suspended: no run starts until spec.suspend is false"
            : "scheduled: the first run starts at " + tick.next();
    s.setSummary(why);
    List<io.fabric8.kubernetes.api.model.Condition> prev = previous.getConditions();
    s.setConditions(
        List.of(
            Conditions.of(Conditions.COMPLETE, "False", "Scheduled", why, generation, prev, now),
            Conditions.of(
                Conditions.GHOST_FOUND, "Unknown", "Scheduled", why, generation, prev, now)));
  }

  /** Whether the schedule's own fields are as the status has them. */
  static boolean sameSchedule(GhostHuntStatus a, GhostHuntStatus b) {
    return Objects.equals(a.getRun(), b.getRun())
        && Objects.equals(a.getLastRunAt(), b.getLastRunAt())
        && Objects.equals(a.getNextRunAt(), b.getNextRunAt())
        && Objects.equals(a.getLastScheduledAt(), b.getLastScheduledAt())
        && Objects.equals(a.getSkippedRuns(), b.getSkippedRuns())
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
    to.setRuns(from.getRuns());
    to.setChanges(from.getChanges());
  }

  private static GhostHuntStatus copy(GhostHuntStatus c) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(c.getObservedGeneration());
    s.setPhase(c.getPhase());
    s.setStartedAt(c.getStartedAt());
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
