package io.ghosthunt.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.decision.HuntEventReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventRecorderTest {

  private final List<Event> sent = new ArrayList<>();
  private final EventRecorder events = new EventRecorder(sent::add);

  static GhostHunt hunt(String uid, long generation) {
    GhostHunt h = new GhostHunt();
    h.setMetadata(
        new ObjectMetaBuilder()
            .withName("nightly-" + uid)
            .withNamespace("hunts")
            .withUid(uid)
            .withGeneration(generation)
            .build());
    return h;
  }

  /** What the reconciler and ScheduledRuns record for one run that finds a ghost. */
  private void run(GhostHunt hunt, int run) {
    events.record(hunt, run, HuntEventReason.RunStarted, "run " + run);
    events.record(hunt, run, HuntEventReason.HuntStarted, "probing 3 nodes");
    events.record(hunt, run, HuntEventReason.GhostFound, "node-a: OrphanedPort");
  }

  @Test
  void aScheduledHuntThatRan10000TimesHoldsAsMuchAsOneThatRanOnce() {
    run(hunt("once", 1), 1);
    int once = events.held();

    GhostHunt nightly = hunt("nightly", 1);
    for (int r = 1; r <= 10_000; r++) {
      run(nightly, r);
    }

    assertEquals(3, once);
    assertEquals(2 * once, events.held());
    // Every run still recorded its own events.
    assertEquals(3 + 3 * 10_000, sent.size());
  }

  @Test
  void aTransitionRepeatedInOneRoundIsRecordedOnce() {
    GhostHunt h = hunt("uid-1", 2);
    for (int i = 0; i < 5; i++) {
      run(h, 7);
      events.record(h, 7, HuntEventReason.FindingsDropped, "node-a", "report " + i);
    }

    assertEquals(
        List.of("RunStarted", "HuntStarted", "GhostFound", "FindingsDropped"),
        sent.stream().map(Event::getReason).toList());
    assertEquals("hunts", sent.get(0).getMetadata().getNamespace());
    assertEquals("uid-1", sent.get(0).getInvolvedObject().getUid());
    assertEquals("Warning", sent.get(2).getType());
    // A new spec is a new round: its transitions are recorded again.
    run(hunt("uid-1", 3), 7);
    assertEquals(7, sent.size());
  }

  @Test
  void aLateRecordOfAnOlderRoundDoesNotTakeTheNewOnesPlace() {
    GhostHunt h = hunt("uid-1", 1);
    run(h, 4);
    // A hunt-wide event (run 0) between a run's own: neither repeats when they take turns.
    for (int i = 0; i < 3; i++) {
      events.record(h, HuntEventReason.OperatorForbidden, "cannot create pods");
      run(h, 4);
      events.record(h, 3, HuntEventReason.GhostGone, "late for run 3");
    }
    assertEquals(5, sent.size());
    assertEquals(5, events.held());

    // The next run frees the older rounds' marks with its predecessor's.
    run(h, 5);
    assertEquals(3, events.held());
  }

  @Test
  void forgetFreesEverything() {
    GhostHunt a = hunt("a", 1);
    GhostHunt b = hunt("b", 4);
    run(a, 1);
    run(b, 9);
    events.record(b, HuntEventReason.InvalidSpec, "bad schedule");

    events.forget(a);
    assertEquals(4, events.held());
    events.forget(b);
    assertEquals(0, events.held());

    // Forgotten means a hunt of that UID would record again.
    run(a, 1);
    assertEquals(7 + 3, sent.size());
  }
}
