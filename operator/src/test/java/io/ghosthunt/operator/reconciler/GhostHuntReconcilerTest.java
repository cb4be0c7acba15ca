package io.ghosthunt.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.decision.HuntPlan;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.observer.HuntObserver;
import io.ghosthunt.operator.observer.HuntPicture;
import io.ghosthunt.operator.testing.Pictures;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The reconciler is observe, decide, act: driven here with a fixed clock, an in-memory picture and
 * an actor that only records what it was asked to do.
 */
class GhostHuntReconcilerTest {

  static final Instant T0 = Pictures.T0;

  /** What the reconciler asked of the actor. */
  static final class RecordingActor implements HuntActor {
    final List<List<HuntPlan.ProbeStart>> starts = new ArrayList<>();
    final List<HuntPlan> performed = new ArrayList<>();
    final List<GhostHunt> cleaned = new ArrayList<>();
    HuntPlan.Started answer = HuntPlan.Started.NONE;

    @Override
    public HuntPlan.Started start(GhostHunt hunt, List<HuntPlan.ProbeStart> s) {
      starts.add(s);
      return answer;
    }

    @Override
    public void perform(GhostHunt hunt, HuntPlan plan, Context<GhostHunt> context) {
      performed.add(plan);
    }

    @Override
    public void cleanup(GhostHunt hunt) {
      cleaned.add(hunt);
    }
  }

  static HuntObserver inMemory(List<Node> nodes) {
    return new HuntObserver() {
      @Override
      public List<EventSource<?, GhostHunt>> eventSources(EventSourceContext<GhostHunt> c) {
        return List.of();
      }

      @Override
      public HuntPicture observe(GhostHunt hunt, Instant now) {
        return new HuntPicture(
            hunt, now, nodes, List.of(), List.of(), List.of(), false, Optional.empty());
      }
    };
  }

  static GhostHunt hunt(GhostHuntStatus status) {
    return Pictures.hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [8080]}}}", 1, status);
  }

  static GhostHuntReconciler reconciler(RecordingActor actor, Instant now) {
    return new GhostHuntReconciler(
        inMemory(List.of(Pictures.node("a", "True"))),
        actor,
        Clock.fixed(now, ZoneOffset.UTC),
        new OperatorMetrics());
  }

  @Test
  void aNewHuntIsOneStatusWriteAndAnImmediateSecondLook() {
    RecordingActor actor = new RecordingActor();
    UpdateControl<GhostHunt> control = reconciler(actor, T0).reconcile(hunt(null), null);
    assertTrue(actor.starts.isEmpty());
    assertEquals(1, actor.performed.size());
    assertEquals(HuntPhase.Pending, actor.performed.get(0).status().getPhase());
    assertEquals(Optional.of(0L), control.getScheduleDelay());
  }

  @Test
  void probesAreStartedFirstAndTheStatusSaysWhatTheApiServerAnswered() {
    GhostHuntStatus started = new GhostHuntStatus();
    started.setObservedGeneration(1L);
    started.setStartedAt(T0.toString());
    started.setPhase(HuntPhase.Pending);
    RecordingActor actor = new RecordingActor();
    actor.answer = new HuntPlan.Started(Map.of(), Map.of("a", "exceeded quota"), Optional.empty());
    reconciler(actor, T0.plusSeconds(1)).reconcile(hunt(started), null);
    assertEquals("a", actor.starts.get(0).get(0).node());
    HuntPlan plan = actor.performed.get(0);
    assertEquals(HuntPhase.Complete, plan.status().getPhase());
    assertTrue(plan.status().getNodes().get(0).getMessage().contains("exceeded quota"));
    assertTrue(plan.revoke());
  }

  @Test
  void theRoundsProbesCountAsCreatedWhenTheActorsStartReturns() {
    GhostHuntStatus started = new GhostHuntStatus();
    started.setObservedGeneration(1L);
    started.setStartedAt(T0.toString());
    started.setPhase(HuntPhase.Pending);
    RecordingActor actor = new RecordingActor();
    actor.answer =
        new HuntPlan.Started(
            Map.of("a", new io.fabric8.kubernetes.api.model.Pod()), Map.of(), Optional.empty());
    Instant now = T0.plusMillis(1234);
    reconciler(actor, now).reconcile(hunt(started), null);
    GhostHuntStatus written = actor.performed.get(0).status();
    assertEquals("2026-12-06T12:00:01.234Z", written.getTimeline().getProbesCreatedAt());
    assertEquals(T0.toString(), written.getTimeline().getSeenAt());
  }

  @Test
  void aDeletedHuntIsCleanedUpByTheActor() {
    RecordingActor actor = new RecordingActor();
    reconciler(actor, T0).cleanup(hunt(null), null);
    assertEquals(1, actor.cleaned.size());
  }

  @Test
  void anErrorAndItsCausesAreLoggedOnOneLine() {
    assertEquals(
        "outer <- inner",
        GhostHuntReconciler.causes(new RuntimeException("outer", new RuntimeException("inner"))));
  }
}
