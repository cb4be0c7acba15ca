package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One test per kind of entry a target can have. */
class NodeEntriesTest {

  static final HuntRound ROUND =
      new HuntRound(3, "2026-11-25T12:00:00Z", Duration.ofSeconds(120), false);
  static final Instant BEFORE = ROUND.deadline().minusSeconds(1);
  static final Instant AT_DEADLINE = ROUND.deadline();
  static final Instant AFTER_GRACE = ROUND.deadline().plus(NodeEntries.STOP_GRACE);

  static NodeStatus reported(NodePhase phase) {
    NodeStatus n = new NodeStatus("a", phase);
    n.setGeneration(3L);
    return n;
  }

  @Test
  void aRoundsDeadlineIsItsStartPlusItsTimeout() {
    assertEquals(Instant.parse("2026-11-25T12:02:00Z"), ROUND.deadline());
  }

  @Test
  void aReportStands() {
    NodeStatus agent = reported(NodePhase.Failed);
    assertSame(
        agent, NodeEntries.entry(ROUND, AFTER_GRACE, NodeOutcome.pod("a", "Failed", "x"), agent));
  }

  @Test
  void aReportStandsWithANoteWhenItsNodeIsLostAfterwards() {
    NodeStatus e =
        NodeEntries.entry(
            ROUND, BEFORE, NodeOutcome.unreachable("a", "deleted"), reported(NodePhase.Done));
    assertEquals(NodePhase.Done, e.getPhase());
    assertEquals("reported before its node became unreachable (deleted)", e.getMessage());
  }

  @Test
  void anUnreachableNodeWithoutAReportIsUnreachable() {
    NodeStatus e =
        NodeEntries.entry(
            ROUND, BEFORE, NodeOutcome.unreachable("a", "NotReady"), reported(NodePhase.Running));
    assertEquals(NodePhase.Unreachable, e.getPhase());
    assertEquals("NotReady", e.getMessage());
    assertEquals(3L, e.getGeneration());
  }

  @Test
  void aFailedProbePodIsFailedEvenBeforeTheDeadline() {
    NodeStatus e =
        NodeEntries.entry(ROUND, BEFORE, NodeOutcome.pod("a", "Failed", "exit code 2"), null);
    assertEquals(NodePhase.Failed, e.getPhase());
    assertEquals("the probe pod failed: exit code 2", e.getMessage());
  }

  @Test
  void aProbeThatExitedWithoutItsReportIsFailedOnlyAtTheDeadline() {
    NodeOutcome t = NodeOutcome.pod("a", "Succeeded", null);
    assertEquals(NodePhase.Pending, NodeEntries.entry(ROUND, BEFORE, t, null).getPhase());
    NodeStatus e = NodeEntries.entry(ROUND, AT_DEADLINE, t, null);
    assertEquals(NodePhase.Failed, e.getPhase());
    assertEquals("the probe exited without writing its findings", e.getMessage());
  }

  @Test
  void aProbeStillRunningAtTheDeadlineRunsOnThroughTheGrace() {
    NodeStatus e =
        NodeEntries.entry(
            ROUND, AFTER_GRACE.minusMillis(1), NodeOutcome.pod("a", "Running", null), null);
    assertEquals(NodePhase.Running, e.getPhase());
    assertNull(e.getMessage());
  }

  @Test
  void aProbeStillRunningAfterTheGraceTimedOut() {
    NodeStatus e =
        NodeEntries.entry(ROUND, AFTER_GRACE, NodeOutcome.pod("a", "Running", null), null);
    assertEquals(NodePhase.Failed, e.getPhase());
    assertEquals("the probe did not finish within timeoutSeconds (120 s)", e.getMessage());
  }

  @Test
  void aProbePodThatNeverStartedIsUnreachableAtTheDeadline() {
    NodeStatus e = NodeEntries.entry(ROUND, AT_DEADLINE, NodeOutcome.pod("a", null, null), null);
    assertEquals(NodePhase.Unreachable, e.getPhase());
    assertEquals("the probe pod did not start within timeoutSeconds (120 s)", e.getMessage());
  }

  @Test
  void beforeTheDeadlineAProbeIsPendingOrRunningAsItsPod() {
    assertEquals(
        NodePhase.Pending,
        NodeEntries.entry(ROUND, BEFORE, NodeOutcome.pod("a", "Pending", null), null).getPhase());
    NodeStatus running =
        NodeEntries.entry(
            ROUND, BEFORE, NodeOutcome.pod("a", "Running", null), reported(NodePhase.Running));
    assertEquals(NodePhase.Running, running.getPhase());
    assertNull(running.getGeneration(), "not decided: no generation of its own yet");
  }

  @Test
  void aTargetPodNeverScheduledHasNoNode() {
    NodeStatus e =
        NodeEntries.entry(ROUND, BEFORE, new NodeOutcome(null, "web-1", true, null, null), null);
    assertEquals(NodeStatus.NO_NODE, e.getNode());
    assertEquals("web-1", e.getPod());
  }
}
