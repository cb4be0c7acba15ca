package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.observer.HuntTarget;
import io.ghosthunt.operator.status.NodeOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HuntDecisionsTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:10Z");
  static final Instant DEADLINE = Instant.parse("2026-11-25T12:02:00Z");

  static Pod pod(String phase) {
    return new PodBuilder().withNewStatus().withPhase(phase).endStatus().build();
  }

  static final List<HuntTarget> TARGETS =
      List.of(
          HuntTarget.node("a", null),
          HuntTarget.node("b", null),
          HuntTarget.node("c", null),
          HuntTarget.node("gone", "node not found"));

  @Test
  void probesStartOnlyOnHuntableNodesWithoutAPodOrAReportAndOnlyBeforeTheDeadline() {
    NodeStatus reported = new NodeStatus("c", NodePhase.Done);
    var seen =
        new HuntDecisions.Observed(
            TARGETS,
            Map.of("a", pod("Running")),
            java.util.Set.of("c"),
            Map.of("c", reported),
            NOW,
            DEADLINE);
    assertEquals(List.of("b"), HuntDecisions.probesToStart(seen));

    var late =
        new HuntDecisions.Observed(
            TARGETS, Map.of(), java.util.Set.of(), Map.of(), DEADLINE, DEADLINE);
    assertEquals(List.of(), HuntDecisions.probesToStart(late), "no new probe once the time is up");
  }

  @Test
  void outcomesSayWhyANodeIsNotHunted() {
    var seen =
        new HuntDecisions.Observed(
            TARGETS, Map.of("a", pod("Running")), java.util.Set.of(), Map.of(), NOW, DEADLINE);
    List<NodeOutcome> outcomes =
        HuntDecisions.outcomes(
            seen,
            Map.of("c", pod("Pending")),
            Map.of("b", "pods \"gh-x\" is forbidden: violates PodSecurity \"baseline:latest\""));
    assertEquals(
        List.of(
            NodeOutcome.pod("a", "Running", null),
            NodeOutcome.pod(
                "b",
                "Failed",
                "refused by the API server: pods \"gh-x\" is forbidden: violates PodSecurity"
                    + " \"baseline:latest\""),
            NodeOutcome.pod("c", "Pending", null),
            NodeOutcome.unreachable("gone", "node not found")),
        outcomes);
  }

  @Test
  void onePodHuntProbeStartsPerNodeForItsPodsWithoutAnEntryAndEachPodHasItsOwnOutcome() {
    List<HuntTarget> pods =
        List.of(
            new HuntTarget("a", "web-1", "u1", null),
            new HuntTarget("a", "web-2", "u2", null),
            new HuntTarget("b", "web-3", "u3", null),
            new HuntTarget("b", "web-4", "u4", null),
            new HuntTarget(
                null, "web-5", "u5", "the pod is not scheduled to a node yet (Pending)"));
    NodeStatus done = new NodeStatus("b", NodePhase.Done);
    done.setPod("web-3");
    var seen =
        new HuntDecisions.Observed(
            pods,
            Map.of(),
            java.util.Set.of("pod/web-3"),
            Map.of("pod/web-3", done),
            NOW,
            DEADLINE);
    assertEquals(
        List.of("a", "b"),
        HuntDecisions.probesToStart(seen),
        "one probe per node, however many pods");
    assertEquals(
        List.of("web-1", "web-2"),
        HuntDecisions.targetsOn(seen, "a").stream().map(HuntTarget::pod).toList());
    assertEquals(
        List.of("web-4"),
        HuntDecisions.targetsOn(seen, "b").stream().map(HuntTarget::pod).toList(),
        "a pod that has its entry is not hunted again");

    List<NodeOutcome> outcomes =
        HuntDecisions.outcomes(seen, Map.of("a", pod("Running")), Map.of());
    assertEquals(
        List.of(
            NodeOutcome.pod("a", "Running", null).inPod("web-1"),
            NodeOutcome.pod("a", "Running", null).inPod("web-2"),
            NodeOutcome.pod("b", null, null).inPod("web-3"),
            NodeOutcome.pod("b", null, null).inPod("web-4"),
            NodeOutcome.unreachable(null, "the pod is not scheduled to a node yet (Pending)")
                .inPod("web-5")),
        outcomes);
    assertEquals("pod/web-5", outcomes.get(4).key());
  }

  @Test
  void aRunningHuntIsLookedAtAgainByItsDeadlineAndAtLeastEveryThirtySeconds() {
    assertEquals(Duration.ofSeconds(30), HuntDecisions.nextLook(NOW, DEADLINE));
    assertEquals(Duration.ofSeconds(6), HuntDecisions.nextLook(DEADLINE.minusSeconds(5), DEADLINE));
    assertEquals(Duration.ofSeconds(1), HuntDecisions.nextLook(DEADLINE.plusSeconds(3), DEADLINE));
  }

  @Test
  void aHuntIsUnreconciledUntilAStatusForItsGenerationIsWritten() {
    assertEquals(true, HuntDecisions.unreconciled(1L, null, false), "never reconciled");
    assertEquals(true, HuntDecisions.unreconciled(3L, 2L, false), "a new spec not picked up");
    assertEquals(false, HuntDecisions.unreconciled(3L, 3L, false));
    assertEquals(false, HuntDecisions.unreconciled(1L, null, true), "being deleted");
    assertEquals(false, HuntDecisions.unreconciled(null, null, false), "not yet stored");
  }

  @Test
  void aNodeWithAReportThatLeftTheNodesStaysATargetSoItsReportStands() {
    List<io.ghosthunt.operator.observer.HuntTarget> targets =
        HuntDecisions.withReportedNodes(
            List.of(io.ghosthunt.operator.observer.HuntTarget.node("a", null)),
            java.util.Set.of("a", "gone"));
    assertEquals(
        List.of(
            io.ghosthunt.operator.observer.HuntTarget.node("a", null),
            io.ghosthunt.operator.observer.HuntTarget.node("gone", "the node no longer exists")),
        targets);
    // Nothing added when every reported node is still targeted.
    assertEquals(
        1,
        HuntDecisions.withReportedNodes(
                List.of(io.ghosthunt.operator.observer.HuntTarget.node("a", null)),
                java.util.Set.of("a"))
            .size());
  }

  @Test
  void aRoundStillGoingAPeriodAfterItsClockIsOverdueAndADoneOneNever() {
    java.time.Instant now = java.time.Instant.parse("2026-12-07T12:00:30Z");
    java.time.Duration quiet = java.time.Duration.ofSeconds(20);
    var pending = io.ghosthunt.api.status.HuntPhase.Pending;
    assertEquals(
        true, HuntDecisions.overdue(pending, "2026-12-07T12:00:05Z", now, quiet), "25 s, no probe");
    assertEquals(
        false, HuntDecisions.overdue(pending, "2026-12-07T12:00:15Z", now, quiet), "15 s: going");
    assertEquals(
        false,
        HuntDecisions.overdue(
            io.ghosthunt.api.status.HuntPhase.Complete, "2026-12-07T11:00:00Z", now, quiet));
    assertEquals(
        false,
        HuntDecisions.overdue(
            io.ghosthunt.api.status.HuntPhase.Failed, "2026-12-07T11:00:00Z", now, quiet));
    assertEquals(false, HuntDecisions.overdue(pending, null, now, quiet), "no clock yet");
    assertEquals(false, HuntDecisions.overdue(pending, "soon", now, quiet), "no time");
  }
}
