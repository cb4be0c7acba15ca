package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.ghosthunt.api.status.GhostHuntStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunNowTest {

  static GhostHunt hunt(String value, String handled) {
    GhostHunt h = new GhostHunt();
    ObjectMeta meta = new ObjectMeta();
    meta.setAnnotations(value == null ? null : Map.of(GhostHunt.RUN_NOW, value));
    h.setMetadata(meta);
    if (handled != null) {
      GhostHuntStatus s = new GhostHuntStatus();
      s.setLastHandledRunNow(handled);
      h.setStatus(s);
    }
    return h;
  }

  @Test
  void aNewValueIsPendingAndAHandledOneIsNot() {
    assertEquals("t1", GhostHunt.pendingRunNow(hunt("t1", null)));
    assertEquals("t2", GhostHunt.pendingRunNow(hunt("t2", "t1")));
    assertNull(GhostHunt.pendingRunNow(hunt("t1", "t1")));
    assertNull(GhostHunt.pendingRunNow(hunt(null, "t1")));
    assertNull(GhostHunt.pendingRunNow(hunt(" ", null)), "blank asks for nothing");
  }

  @Test
  void aLongValueCountsByWhatTheStatusCanHoldAndNeverSplitsACharacter() {
    String longer = "a".repeat(GhostHunt.RUN_NOW_KEPT + 10);
    String kept = GhostHunt.pendingRunNow(hunt(longer, null));
    assertEquals(GhostHunt.RUN_NOW_KEPT, kept.length());
    assertNull(GhostHunt.pendingRunNow(hunt(longer, kept)), "handled once kept");
    // A ghost emoji (two chars) across the bound: left out whole, not cut in half.
    String split = "a".repeat(GhostHunt.RUN_NOW_KEPT - 1) + "\uD83D\uDC7B" + "b";
    assertEquals(
        "a".repeat(GhostHunt.RUN_NOW_KEPT - 1), GhostHunt.pendingRunNow(hunt(split, null)));
  }
}
