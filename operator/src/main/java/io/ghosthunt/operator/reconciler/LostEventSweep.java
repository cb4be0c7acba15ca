package io.ghosthunt.operator.reconciler;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.operator.decision.HuntDecisions;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes up, once per period, every hunt that no reconcile has caught up with (no status, or one for
 * an older generation). JOSDK 5.2 keeps its event state per name, not per object: a hunt deleted
 * and created again at once under the same name (what {@code ghosthunt hunt} does, and {@code
 * kubectl delete && kubectl apply}) can reach it while the old object's cleanup is still finishing,
 * and when that cleanup ends after the new hunt's first events it marks the shared state as
 * processed for deletion, which drops those events (as read in JOSDK 5.2.3's EventProcessor; not
 * reproduced in-process in 40 tries). Nothing else would wake such a hunt: the probes whose events
 * drive a running hunt were never created. Seen once in the haunted-house test: no status at all in
 * 180 s. A round that lost the reconcile after its clock (Pending, no probe) is caught the same
 * way: a round still going a period after its clock is woken too.
 */
public final class LostEventSweep extends AbstractEventSource<Void, GhostHunt> {

  private static final Logger LOG = LoggerFactory.getLogger(LostEventSweep.class);

  private final Supplier<Stream<GhostHunt>> hunts;
  private final Duration period;
  private final Clock clock;
  private ScheduledExecutorService timer;

  /**
   * @param hunts the hunts as the controller's cache holds them
   * @param period how long a lost event may go unnoticed
   */
  public LostEventSweep(Supplier<Stream<GhostHunt>> hunts, Duration period) {
    this(hunts, period, Clock.systemUTC());
  }

  LostEventSweep(Supplier<Stream<GhostHunt>> hunts, Duration period, Clock clock) {
    super(Void.class, "lost-event-sweep");
    this.hunts = hunts;
    this.period = period;
    this.clock = clock;
  }

  @Override
  public void start() throws OperatorException {
    super.start();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lost-event-sweep");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::sweep, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() throws OperatorException {
    if (timer != null) {
      timer.shutdownNow();
    }
    super.stop();
  }

  /**
   * One look: an event for each hunt still waiting for its first reconcile of this generation, and
   * for each whose round has gone a period without finishing.
   */
  void sweep() {
    try {
      Instant now = clock.instant();
      hunts.get().filter(h -> !h.isMarkedForDeletion()).forEach(h -> look(h, now));
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log, and look again next period.
      LOG.warn("sweep for hunts that lost their event failed: {}", e.toString());
    }
  }

  /** An event for {@code h} when it lost the one that would move it on. */
  private void look(GhostHunt h, Instant now) {
    GhostHuntStatus s = h.getStatus();
    String hunt = h.getMetadata().getNamespace() + "/" + h.getMetadata().getName();
    if (HuntDecisions.unreconciled(
        h.getMetadata().getGeneration(), s == null ? null : s.getObservedGeneration(), false)) {
      LOG.info(
          "hunt {} generation {} has not been reconciled yet: waking it up",
          hunt,
          h.getMetadata().getGeneration());
    } else if (s != null && HuntDecisions.overdue(s.getPhase(), s.getStartedAt(), now, period)) {
      // Every period while a long round goes: not worth a line each time.
      LOG.debug("hunt {} has been going since {}: waking it up", hunt, s.getStartedAt());
    } else {
      return;
    }
    getEventHandler().handleEvent(new Event(ResourceID.fromResource(h)));
  }

  @Override
  public Set<Void> getSecondaryResources(GhostHunt primary) {
    return Set.of();
  }
}
