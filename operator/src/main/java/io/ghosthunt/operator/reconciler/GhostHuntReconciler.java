package io.ghosthunt.operator.reconciler;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.decision.HuntPlan;
import io.ghosthunt.operator.decision.HuntPlanner;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.observer.HuntObserver;
import io.ghosthunt.operator.observer.HuntPicture;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * GhostHunt to probe pods to status, in three steps: observe the hunt's world from informer caches,
 * decide what to do (pure, in {@code decision}), act on it. Every step is idempotent, so that an
 * operator restart mid-hunt picks up where it stopped without duplicate pods.
 */
// Probes write their own reports, whose events wake the hunt up; its own status writes need not
// (HuntUpdateFilter).
// Reports of a thousand nodes arrive within seconds: after a burst, at most two reconciles (and
// status writes) per hunt and second, each aggregating all the reports that arrived meanwhile.
@ControllerConfiguration(
    name = "ghosthunt",
    fieldManager = StatusWriter.FIELD_MANAGER,
    rateLimiter = BurstRateLimiter.class,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = HuntUpdateFilter.class))
public class GhostHuntReconciler implements Reconciler<GhostHunt>, Cleaner<GhostHunt> {

  private static final Logger LOG = LoggerFactory.getLogger(GhostHuntReconciler.class);

  /** How long a hunt whose event was lost waits before the sweep wakes it up. */
  static final Duration LOST_EVENT_SWEEP = Duration.ofSeconds(20);

  private final HuntObserver observer;
  private final HuntActor actor;
  private final Clock clock;
  private final OperatorMetrics metrics;

  public GhostHuntReconciler(
      HuntObserver observer, HuntActor actor, Clock clock, OperatorMetrics metrics) {
    this.observer = observer;
    this.actor = actor;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, GhostHunt>> prepareEventSources(
      EventSourceContext<GhostHunt> context) {
    List<EventSource<?, GhostHunt>> sources = new ArrayList<>(observer.eventSources(context));
    sources.add(new LostEventSweep(() -> context.getPrimaryCache().list(), LOST_EVENT_SWEEP));
    return sources;
  }

  @Override
  public UpdateControl<GhostHunt> reconcile(GhostHunt hunt, Context<GhostHunt> context) {
    MDC.put("hunt", hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName());
    try {
      HuntPicture picture = observer.observe(hunt, clock.instant());
      HuntPlan plan = HuntPlanner.plan(picture);
      if (!plan.start().isEmpty()) {
        // Stamped as the actor returns: the round's probes were created by then (its timeline).
        HuntPlan.Started started = actor.start(hunt, plan.start()).answeredAt(clock.instant());
        plan = plan.afterStart().apply(started);
      }
      actor.perform(hunt, plan, context);
      return plan.lookAgain() == null
          ? UpdateControl.noUpdate()
          : UpdateControl.<GhostHunt>noUpdate().rescheduleAfter(plan.lookAgain());
    } finally {
      MDC.remove("hunt");
    }
  }

  @Override
  public ErrorStatusUpdateControl<GhostHunt> updateErrorStatus(
      GhostHunt hunt, Context<GhostHunt> context, Exception e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof InterruptedException) {
        // The operator is stopping and cut the reconcile short: not a failure of the hunt.
        LOG.debug("reconcile interrupted by shutdown", e);
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
    }
    metrics.reconcileError();
    LOG.warn(
        "reconcile of {}/{} failed, retrying: {}",
        hunt.getMetadata().getNamespace(),
        hunt.getMetadata().getName(),
        causes(e));
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** The messages of an exception and its causes, on one line. */
  static String causes(Throwable e) {
    StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      why.append(" <- ")
          .append(c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName());
    }
    return why.toString();
  }

  @Override
  public DeleteControl cleanup(GhostHunt hunt, Context<GhostHunt> context) {
    actor.cleanup(hunt);
    return DeleteControl.defaultDelete();
  }
}
