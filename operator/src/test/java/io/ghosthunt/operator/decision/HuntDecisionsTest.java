package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.observer.NodeTargets.HuntedNode;
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

  static final List<HuntedNode> TARGETS = List.of(new HuntedNode("a", null), new HuntedNode("b", null),
      new HuntedNode("c", null), new HuntedNode("gone", "node not found"));

  @Test
  void probesStartOnlyOnHuntableNodesWithoutAPodOrAReportAndOnlyBeforeTheDeadline() {
    NodeStatus reported = new NodeStatus("c", NodePhase.Done);
    var seen = new HuntDecisions.Observed(TARGETS, Map.of("a", pod("Running")), java.util.Set.of("c"), Map.of("c", reported), NOW, DEADLINE);
    assertEquals(List.of("b"), HuntDecisions.probesToStart(seen));

    var late = new HuntDecisions.Observed(TARGETS, Map.of(), java.util.Set.of(), Map.of(), DEADLINE, DEADLINE);
    assertEquals(List.of(), HuntDecisions.probesToStart(late), "no new probe once the time is up");
  }

  @Test
  void outcomesSayWhyANodeIsNotHunted() {
    var seen = new HuntDecisions.Observed(TARGETS, Map.of("a", pod("Running")), java.util.Set.of(), Map.of(), NOW, DEADLINE);
    List<NodeOutcome> outcomes = HuntDecisions.outcomes(seen, Map.of("c", pod("Pending")),
        Map.of("b", "pods \"gh-x\" is forbidden: violates PodSecurity \"baseline:latest\""));
    assertEquals(List.of(
        NodeOutcome.pod("a", "Running", null),
        NodeOutcome.pod("b", "Failed", "refused by the API server: pods \"gh-x\" is forbidden: violates PodSecurity"
            + " \"baseline:latest\""),
        NodeOutcome.pod("c", "Pending", null),
        NodeOutcome.unreachable("gone", "node not found")), outcomes);
  }

  @Test
  void aRunningHuntIsLookedAtAgainByItsDeadlineAndAtLeastEveryThirtySeconds() {
    assertEquals(Duration.ofSeconds(30), HuntDecisions.nextLook(NOW, DEADLINE));
    assertEquals(Duration.ofSeconds(6), HuntDecisions.nextLook(DEADLINE.minusSeconds(5), DEADLINE));
    assertEquals(Duration.ofSeconds(1), HuntDecisions.nextLook(DEADLINE.plusSeconds(3), DEADLINE));
  }
}
