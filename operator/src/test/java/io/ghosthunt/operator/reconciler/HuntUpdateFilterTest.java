package io.ghosthunt.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.testing.Pictures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HuntUpdateFilterTest {

  static final String SPEC = "{schedule: '@daily', checks: {portOwner: {ports: [8080]}}}";

  final HuntUpdateFilter filter = new HuntUpdateFilter();

  static GhostHunt hunt(long generation) {
    GhostHunt h = Pictures.hunt(SPEC, generation, null);
    h.getMetadata().setFinalizers(List.of(HuntUpdateFilter.FINALIZER));
    return h;
  }

  @Test
  void theOperatorsOwnStatusWriteWakesNothing() {
    GhostHunt written = hunt(1);
    GhostHuntStatus s = new GhostHuntStatus();
    s.setPhase(HuntPhase.Complete);
    written.setStatus(s);
    assertFalse(filter.accept(written, hunt(1)));
  }

  @Test
  void aNewRunNowValueWakesTheHuntAndTheSameOneDoesNot() {
    GhostHunt before = hunt(1);
    before.getMetadata().setAnnotations(Map.of(GhostHunt.RUN_NOW, "1"));
    GhostHunt after = hunt(1);
    after.getMetadata().setAnnotations(Map.of(GhostHunt.RUN_NOW, "2"));
    assertTrue(filter.accept(after, before));
    assertTrue(filter.accept(before, hunt(1)), "the first value");
    GhostHunt other = hunt(1);
    other.getMetadata().setAnnotations(Map.of(GhostHunt.RUN_NOW, "1", "team", "web"));
    assertFalse(filter.accept(other, before), "another annotation is no request");
  }

  @Test
  void josdksOwnReasonsStillWakeIt() {
    assertTrue(filter.accept(hunt(2), hunt(1)), "a new generation");
    GhostHunt bare = hunt(1);
    bare.getMetadata().setFinalizers(List.of());
    assertTrue(filter.accept(hunt(1), bare), "its finalizer just added");
    assertTrue(filter.accept(bare, hunt(1)), "its finalizer taken away");
    GhostHunt deleting = hunt(1);
    deleting.getMetadata().setDeletionTimestamp("2026-12-06T12:00:00Z");
    assertTrue(filter.accept(deleting, hunt(1)), "deleted");
  }
}
