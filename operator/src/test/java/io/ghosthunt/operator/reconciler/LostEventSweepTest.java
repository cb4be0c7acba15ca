package io.ghosthunt.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.javaoperatorsdk.operator.processing.event.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LostEventSweepTest {

  static GhostHunt hunt(
      String name, long generation, Long observed, boolean deleting, HuntPhase phase, String at) {
    GhostHunt h = hunt(name, generation, observed, deleting);
    h.getStatus().setPhase(phase);
    h.getStatus().setStartedAt(at);
    return h;
  }

  static GhostHunt hunt(String name, long generation, Long observed, boolean deleting) {
    GhostHunt h = new GhostHunt();
    h.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ns")
            .withGeneration(generation)
            .withDeletionTimestamp(deleting ? "2026-12-01T12:00:00Z" : null)
            .build());
    if (observed != null) {
      GhostHuntStatus s = new GhostHuntStatus();
      s.setObservedGeneration(observed);
      h.setStatus(s);
    }
    return h;
  }

  @Test
  void onlyHuntsNoReconcileHasCaughtUpWithAreWokenUp() {
    List<GhostHunt> hunts =
        List.of(
            hunt("never-reconciled", 1, null, false),
            hunt("new-spec-missed", 3, 2L, false),
            hunt("running", 2, 2L, false, HuntPhase.Running, "2026-12-07T12:00:25Z"),
            hunt("clock-then-nothing", 1, 1L, false, HuntPhase.Pending, "2026-12-07T12:00:05Z"),
            hunt("done", 1, 1L, false, HuntPhase.Complete, "2026-12-07T11:00:00Z"),
            hunt("being-deleted", 1, null, true));
    LostEventSweep sweep =
        new LostEventSweep(
            hunts::stream,
            Duration.ofSeconds(20),
            Clock.fixed(Instant.parse("2026-12-07T12:00:30Z"), ZoneOffset.UTC));
    List<String> woken = new ArrayList<>();
    sweep.setEventHandler((Event e) -> woken.add(e.getRelatedCustomResourceID().getName()));

    sweep.sweep();

    assertEquals(List.of("never-reconciled", "new-spec-missed", "clock-then-nothing"), woken);
  }

  @Test
  void aFailedLookIsLoggedAndTheNextOneStillRuns() {
    int[] looks = {0};
    LostEventSweep sweep =
        new LostEventSweep(
            () -> {
              if (looks[0]++ == 0) {
                throw new IllegalStateException("cache not synced");
              }
              return Stream.of(hunt("never-reconciled", 1, null, false));
            },
            Duration.ofSeconds(20));
    List<Event> woken = new ArrayList<>();
    sweep.setEventHandler(woken::add);

    sweep.sweep();
    sweep.sweep();

    assertEquals(1, woken.size());
  }
}
