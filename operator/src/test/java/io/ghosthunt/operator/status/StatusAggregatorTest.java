package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {

  static final String START = "2026-11-25T12:00:00Z";
  static final Instant EARLY = Instant.parse("2026-11-25T12:00:10Z");
  static final Instant LATE = Instant.parse("2026-11-25T12:05:00Z");
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  static NodeStatus done(String node, Finding... findings) {
    NodeStatus n = new NodeStatus(node, NodePhase.Done);
    n.setGeneration(1L);
    for (Finding f : findings) {
      n.addFinding(f);
    }
    return n;
  }

  static Finding f(
      CheckKey check, String target, FindingVerdict verdict, GhostName ghost, String summary) {
    Finding f = new Finding(check, target, verdict);
    f.setGhost(ghost);
    f.setSummary(summary);
    return f;
  }

  static Finding clear(CheckKey check, String target) {
    return f(check, target, FindingVerdict.Clear, null, "fine");
  }

  static Map<String, Condition> byType(List<Condition> conditions) {
    return conditions.stream()
        .collect(java.util.stream.Collectors.toMap(Condition::getType, c -> c));
  }

  @Test
  void runningHuntReportsProgressAndUnknownGhostFound() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(NodeOutcome.pod("a", "Running", null), NodeOutcome.pod("b", "Pending", null)),
            Map.of("a", done("a", clear(CheckKey.PORT_OWNER, "tcp/8080"))),
            null);
    assertFalse(r.complete());
    assertEquals(HuntPhase.Running, r.status().getPhase());
    assertEquals("1/2", r.status().getProgress());
    assertNull(r.status().getVerdict());
    assertNull(r.status().getNodes(), "nothing decided by the operator yet");
    Map<String, Condition> c = byType(r.status().getConditions());
    assertEquals("False", c.get("Complete").getStatus());
    assertEquals("Unknown", c.get("GhostFound").getStatus());
    assertEquals(1L, c.get("Complete").getObservedGeneration());
  }

  @Test
  void worstGhostFirstWithCountsAndLostNodes() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(
                NodeOutcome.pod("a", "Succeeded", null),
                NodeOutcome.pod("b", "Succeeded", null),
                NodeOutcome.unreachable("c", "NotReady (False): KubeletStopped")),
            Map.of(
                "a",
                    done(
                        "a",
                        f(
                            CheckKey.MTU,
                            "192.0.2.1",
                            FindingVerdict.Ghost,
                            GhostName.MtuBlackhole,
                            "path MTU 1400")),
                "b",
                    done(
                        "b",
                        f(
                            CheckKey.PORT_OWNER,
                            "tcp/8080",
                            FindingVerdict.Ghost,
                            GhostName.OrphanedPort,
                            "port 8080 is held by PID 4242 (sleep 3600), not by java"))),
            null);
    assertTrue(r.complete());
    assertEquals(HuntPhase.Complete, r.status().getPhase());
    assertEquals(HuntVerdict.Haunted, r.status().getVerdict());
    assertEquals(2, r.status().getGhosts());
    assertEquals(
        "b: port 8080 is held by PID 4242 (sleep 3600), not by java (+1 more ghost on 2 nodes);"
            + " 1 node not hunted (c: Unreachable)",
        r.status().getSummary());
    // Haunted nodes worst ghost first, with their ghosts; then the nodes not hunted.
    assertEquals(
        List.of("b", "a", "c"), r.status().getNodes().stream().map(NodeStatus::getNode).toList());
    assertEquals("NotReady (False): KubeletStopped", r.status().getNodes().get(2).getMessage());
    assertEquals("OrphanedPort", byType(r.status().getConditions()).get("GhostFound").getReason());
    assertEquals(List.of("a", "b"), r.status().getHauntedNodes());
    var counts = r.status().getChecks();
    assertEquals(
        List.of(CheckKey.PORT_OWNER, CheckKey.MTU),
        counts.stream().map(c -> c.getCheck()).toList());
    assertEquals(1, counts.get(0).getGhost());
    assertEquals(0, counts.get(0).getClear());
  }

  @Test
  void theHuntShowsOnlyHauntedAndUnhuntedNodesWithinItsBudgetAtAnySize() {
    List<NodeOutcome> targets = new java.util.ArrayList<>();
    Map<String, NodeStatus> entries = new java.util.HashMap<>();
    for (int i = 0; i < 5000; i++) {
      String node = String.format("node-%04d", i);
      targets.add(
          i % 1000 == 7
              ? NodeOutcome.unreachable(node, "NotReady (False): KubeletNotReady")
              : NodeOutcome.pod(node, "Succeeded", null));
      Finding port =
          i % 10 == 0
              ? f(
                  CheckKey.PORT_OWNER,
                  "tcp/8080",
                  FindingVerdict.Ghost,
                  GhostName.OrphanedPort,
                  "port 8080 is held by PID " + i)
              : clear(CheckKey.PORT_OWNER, "tcp/8080");
      if (port.isGhost()) {
        for (int e = 0; e < 8; e++) {
          port.evidence("key" + e, "a value of some length, as evidence is, for node " + node);
        }
      }
      entries.put(node, done(node, port, clear(CheckKey.LOOPBACK, "localhost:8080")));
    }
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false), EARLY, targets, entries, null);

    assertTrue(r.complete());
    assertEquals(500, r.status().getGhosts());
    assertEquals(5000, r.nodes().size(), "every node's entry, for the metrics");
    List<NodeStatus> shown = r.status().getNodes();
    assertTrue(shown.size() > 10 && shown.size() < 500, "shown: " + shown.size());
    assertTrue(
        shown.stream()
            .allMatch(
                n ->
                    n.getFindings() != null && n.getFindings().stream().allMatch(Finding::isGhost)),
        "only ghosts in haunted entries; no Clear node");
    int bytes =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .valueToTree(r.status())
            .toString()
            .length();
    assertTrue(bytes < 64 * 1024, "status of 5000 nodes: " + bytes + " bytes");
  }

  @Test
  void theOddNodeOutIsNamed() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(
                NodeOutcome.pod("a", "Succeeded", null),
                NodeOutcome.pod("b", "Succeeded", null),
                NodeOutcome.pod("c", "Succeeded", null)),
            Map.of(
                "a", done("a", clear(CheckKey.LOOPBACK, "localhost:8080")),
                "b",
                    done(
                        "b",
                        f(
                            CheckKey.LOOPBACK,
                            "localhost:8080",
                            FindingVerdict.Ghost,
                            GhostName.LoopbackBlocked,
                            "rule")),
                "c", done("c", clear(CheckKey.LOOPBACK, "localhost:8080"))),
            null);
    assertTrue(
        r.status()
            .getSummary()
            .endsWith(
                "odd node out: b (Ghost on loopback localhost:8080 where 2 others are Clear)"),
        r.status().getSummary());
  }

  @Test
  void pastTheDeadlinePendingPodsAreUnreachableAndRunningOnesFailed() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            LATE,
            List.of(
                NodeOutcome.pod("a", "Pending", "ImagePullBackOff: back-off pulling image"),
                NodeOutcome.pod("b", "Running", null),
                NodeOutcome.pod("c", "Failed", "exit code 2 (Error)"),
                NodeOutcome.pod("d", "Succeeded", null)),
            Map.of(),
            null);
    assertTrue(r.complete());
    Map<String, NodeStatus> n =
        r.status().getNodes().stream()
            .collect(java.util.stream.Collectors.toMap(NodeStatus::getNode, x -> x));
    assertEquals(NodePhase.Unreachable, n.get("a").getPhase());
    assertEquals(
        "the probe pod did not start within timeoutSeconds (120 s): ImagePullBackOff: back-off pulling image",
        n.get("a").getMessage());
    assertEquals(NodePhase.Failed, n.get("b").getPhase());
    assertEquals("the probe did not finish within timeoutSeconds (120 s)", n.get("b").getMessage());
    assertEquals("the probe pod failed: exit code 2 (Error)", n.get("c").getMessage());
    assertEquals("the probe exited without writing its findings", n.get("d").getMessage());
    assertEquals(HuntVerdict.Inconclusive, r.status().getVerdict());
    assertEquals(
        "no node could be hunted; 4 nodes not hunted (a: Unreachable, b: Failed, c: Failed, ...)",
        r.status().getSummary());
  }

  @Test
  void aLongRefusalIsCutToTheMessageBoundOfTheHuntsSchema() {
    String refusal = "pods \"probe\" is forbidden: " + "violates PodSecurity; ".repeat(400);
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(NodeOutcome.pod("a", "Failed", refusal)),
            Map.of(),
            null);
    String message = r.status().getNodes().get(0).getMessage();
    assertEquals(io.ghosthunt.api.status.ReportBounds.MAX_MESSAGE, message.length());
    assertTrue(message.startsWith("the probe pod failed: pods \"probe\" is forbidden"));
    assertTrue(message.endsWith("…"));
  }

  @Test
  void aProbeStillRunningAtTheDeadlineGetsTimeToSayWhyBeforeItFails() {
    Instant deadline = Instant.parse(START).plus(TIMEOUT);
    var stopping =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            deadline.plusSeconds(3),
            List.of(NodeOutcome.pod("a", "Running", null)),
            Map.of(),
            null);
    assertFalse(stopping.complete());
    assertEquals(NodePhase.Running, stopping.nodes().get(0).getPhase());

    var stopped =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            deadline.plusSeconds(6),
            List.of(
                NodeOutcome.pod(
                    "a",
                    "Failed",
                    "it passed its deadline (activeDeadlineSeconds); its last words: ghosthunt agent: stopped after 9 s while running the checks")),
            Map.of(),
            null);
    assertTrue(stopped.complete());
    assertEquals(
        "the probe pod failed: it passed its deadline (activeDeadlineSeconds); its last words: ghosthunt agent:"
            + " stopped after 9 s while running the checks",
        stopped.nodes().get(0).getMessage());

    var silent =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            deadline.plus(NodeEntries.STOP_GRACE),
            List.of(NodeOutcome.pod("a", "Running", null)),
            Map.of(),
            null);
    assertTrue(silent.complete());
    assertEquals(
        "the probe did not finish within timeoutSeconds (120 s)",
        silent.nodes().get(0).getMessage());
  }

  @Test
  void aSucceededPodWithoutItsEntryIsStillPendingBeforeTheDeadline() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(NodeOutcome.pod("a", "Succeeded", null)),
            Map.of(),
            null);
    assertFalse(r.complete(), "the agent's write may still be on its way");
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheStatusChanges() {
    var first =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY,
            List.of(NodeOutcome.pod("a", "Running", null)),
            Map.of(),
            null);
    var again =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY.plusSeconds(5),
            List.of(NodeOutcome.pod("a", "Running", null)),
            Map.of(),
            first.status().getConditions());
    assertEquals(first.status().getConditions(), again.status().getConditions());
    var done =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            EARLY.plusSeconds(9),
            List.of(NodeOutcome.pod("a", "Succeeded", null)),
            Map.of("a", done("a", clear(CheckKey.DNS, "x"))),
            again.status().getConditions());
    Condition complete = byType(done.status().getConditions()).get("Complete");
    assertEquals("True", complete.getStatus());
    assertEquals(EARLY.plusSeconds(9).toString(), complete.getLastTransitionTime());
    assertEquals(HuntVerdict.Clear, done.status().getVerdict());
    assertEquals("no ghost on 1 node", done.status().getSummary());
  }

  @Test
  void noNodesIsAFailedHunt() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false), EARLY, List.of(), Map.of(), null);
    assertEquals(HuntPhase.Failed, r.status().getPhase());
    assertEquals("no node matches spec.nodes: nothing was hunted", r.status().getSummary());
  }

  static NodeStatus inPod(String pod, NodeStatus entry) {
    entry.setPod(pod);
    return entry;
  }

  @Test
  void aPodHuntNamesEachPodOnItsNodeAndTheNodeThatOnlyItsPodsDisagreeOn() {
    List<NodeOutcome> targets =
        List.of(
            NodeOutcome.pod("node-c", "Succeeded", null).inPod("web-1"),
            NodeOutcome.pod("node-a", "Succeeded", null).inPod("web-2"),
            NodeOutcome.pod("node-b", "Succeeded", null).inPod("web-3"),
            NodeOutcome.unreachable(
                    "node-d",
                    "pod web-4 ended during the hunt (deleted or replaced) before its findings came")
                .inPod("web-4"));
    Map<String, NodeStatus> entries =
        Map.of(
            "pod/web-1",
                inPod(
                    "web-1",
                    done(
                        "node-c",
                        f(
                            CheckKey.MTU,
                            "203.0.113.10",
                            FindingVerdict.Ghost,
                            GhostName.MtuBlackhole,
                            "path MTU 1400"))),
            "pod/web-2", inPod("web-2", done("node-a", clear(CheckKey.MTU, "203.0.113.10"))),
            "pod/web-3", inPod("web-3", done("node-b", clear(CheckKey.MTU, "203.0.113.10"))));
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, true), EARLY, targets, entries, null);
    assertTrue(r.complete());
    io.ghosthunt.api.status.GhostHuntStatus s = r.status();
    assertEquals(
        "pod/web-1 on node-c: path MTU 1400; odd pod out: pod/web-1 on node-c (Ghost on mtu 203.0.113.10 where 2 others"
            + " are Clear): only pods on node-c; 1 pod not hunted (pod/web-4 on node-d: Unreachable)",
        s.getSummary());
    assertEquals(List.of("pod/web-1"), s.getHauntedNodes());
    assertEquals("AllPodsReported", byType(s.getConditions()).get("Complete").getReason());
    assertEquals("4 of 4 pods reported", byType(s.getConditions()).get("Complete").getMessage());
    NodeStatus shown = s.getNodes().get(0);
    assertEquals("node-c", shown.getNode());
    assertEquals("web-1", shown.getPod());
    NodeStatus gone = s.getNodes().get(1);
    assertEquals("web-4", gone.getPod());
    assertEquals(NodePhase.Unreachable, gone.getPhase());
  }

  @Test
  void aPodSelectorThatMatchesNothingSaysSo() {
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, true), EARLY, List.of(), Map.of(), null);
    assertTrue(r.complete());
    assertEquals(HuntPhase.Failed, r.status().getPhase());
    assertEquals(
        "no pod of this namespace matches spec.pods.selector: nothing was hunted",
        r.status().getSummary());
    assertEquals("NoPods", byType(r.status().getConditions()).get("Complete").getReason());
  }

  @Test
  void oddPodsShareANodeOnlyWhenNoOtherPodIsThere() {
    NodeStatus a = inPod("web-1", done("node-c"));
    NodeStatus b = inPod("web-2", done("node-c"));
    NodeStatus c = inPod("web-3", done("node-a"));
    assertEquals(
        java.util.Optional.of("node-c"),
        Summaries.onlyOnOneNode(List.of(a, b, c), List.of(a.subject(), b.subject())));
    assertEquals(
        java.util.Optional.empty(),
        Summaries.onlyOnOneNode(List.of(a, b, c), List.of(a.subject())),
        "a clean pod on node-c too: the pod differs, not the node");
  }

  @Test
  void aReportWrittenBeforeItsNodeWentNotReadyStandsWithItsGhostAndEvidence() {
    Finding ghost =
        f(
            CheckKey.PORT_OWNER,
            "tcp/8080",
            FindingVerdict.Ghost,
            GhostName.OrphanedPort,
            "port 8080 is held by PID 4242 (sleep 3600)");
    ghost.evidence("pid", "4242");
    NodeStatus reported = done("a", ghost);
    var r =
        StatusAggregator.aggregate(
            new HuntRound(1, START, TIMEOUT, false),
            LATE,
            List.of(
                NodeOutcome.unreachable("a", "NotReady (Unknown): NodeStatusUnknown"),
                NodeOutcome.unreachable("b", "NotReady (Unknown): NodeStatusUnknown")),
            Map.of("a", reported),
            null);
    assertTrue(r.complete());
    assertEquals(HuntVerdict.Haunted, r.status().getVerdict());
    assertEquals(1, r.status().getGhosts());
    NodeStatus a =
        r.status().getNodes().stream().filter(n -> n.getNode().equals("a")).findFirst().get();
    assertEquals(NodePhase.Done, a.getPhase());
    assertEquals("4242", a.getFindings().get(0).getEvidence().get("pid"));
    assertEquals(
        "reported before its node became unreachable (NotReady (Unknown): NodeStatusUnknown)",
        a.getMessage());
    assertNull(reported.getMessage(), "the agent's entry (an informer's object) is left alone");
    // Its clean twin: a node lost before it reported is Unreachable, as before.
    NodeStatus b =
        r.status().getNodes().stream().filter(n -> n.getNode().equals("b")).findFirst().get();
    assertEquals(NodePhase.Unreachable, b.getPhase());
    assertTrue(r.status().getSummary().startsWith("a: port 8080 is held by PID 4242"));
  }

  @Test
  void theStartingStatusCarriesTheClockBeforeAnyProbeExists() {
    var s = StatusAggregator.starting(3, START, null, EARLY);
    assertEquals(3L, s.getObservedGeneration());
    assertEquals(START, s.getStartedAt());
    assertEquals(HuntPhase.Pending, s.getPhase());
    assertEquals("False", byType(s.getConditions()).get("Complete").getStatus());
    assertEquals(3L, byType(s.getConditions()).get("Complete").getObservedGeneration());
  }

  @Test
  void aBlockedHuntKeepsItsClockAndEndsAtItsDeadlineWithTheReason() {
    var blocker =
        new io.ghosthunt.operator.decision.Blocker(
            io.ghosthunt.operator.decision.Blocker.BlockReason.ProbeNamespaceMissing, "create it");
    Instant deadline = Instant.parse(START).plus(TIMEOUT);
    var waiting = StatusAggregator.blocked(1, START, blocker, null, EARLY, deadline);
    assertEquals(HuntPhase.Pending, waiting.getPhase());
    assertEquals(START, waiting.getStartedAt(), "the clock stays while blocked");
    assertEquals("False", byType(waiting.getConditions()).get("Complete").getStatus());
    var over = StatusAggregator.blocked(1, START, blocker, waiting.getConditions(), LATE, deadline);
    assertEquals(HuntPhase.Failed, over.getPhase());
    assertEquals(HuntVerdict.Inconclusive, over.getVerdict());
    Condition complete = byType(over.getConditions()).get("Complete");
    assertEquals("True", complete.getStatus());
    assertEquals("ProbeNamespaceMissing", complete.getReason());
    assertEquals(
        "the hunt ran out of time (timeoutSeconds) while blocked: create it",
        complete.getMessage());
    assertEquals(START, over.getStartedAt());
  }

  @Test
  void anInvalidSpecFailsAtOnceSayingWhy() {
    var s = StatusAggregator.invalid(4, "spec.schedule: 61 is no minute", null, EARLY);
    assertEquals(4L, s.getObservedGeneration());
    assertEquals(EARLY.toString(), s.getStartedAt());
    assertEquals(HuntPhase.Failed, s.getPhase());
    assertEquals(HuntVerdict.Inconclusive, s.getVerdict());
    assertEquals(0, s.getGhosts());
    assertEquals("the hunt cannot run: spec.schedule: 61 is no minute", s.getSummary());
    assertEquals(
        List.of("Complete", "GhostFound"),
        s.getConditions().stream().map(Condition::getType).toList());
    Map<String, Condition> c = byType(s.getConditions());
    assertEquals("True", c.get("Complete").getStatus());
    assertEquals("False", c.get("GhostFound").getStatus());
    for (Condition one : s.getConditions()) {
      assertEquals("InvalidSpec", one.getReason());
      assertEquals(s.getSummary(), one.getMessage());
      assertEquals(4L, one.getObservedGeneration());
      assertEquals(EARLY.toString(), one.getLastTransitionTime());
    }
    var again =
        StatusAggregator.invalid(4, "spec.schedule: 61 is no minute", s.getConditions(), LATE);
    assertEquals(s.getConditions(), again.getConditions(), "unchanged: the time it failed stays");
  }

  @Test
  void aScheduledHuntWaitsForItsFirstRunOrSaysItIsSuspended() {
    var s = new io.ghosthunt.api.status.GhostHuntStatus();
    s.setNextRunAt("2026-11-26T09:00:00Z");
    Instant next = Instant.parse("2026-11-26T09:00:00Z");
    var waiting = StatusAggregator.waitingForFirstRun(s, 2, next, null, EARLY);
    assertTrue(waiting == s, "the caller's status, with the schedule's fields it set");
    assertEquals("2026-11-26T09:00:00Z", s.getNextRunAt());
    assertEquals(2L, s.getObservedGeneration());
    assertEquals(HuntPhase.Pending, s.getPhase());
    assertEquals("scheduled: the first run starts at 2026-11-26T09:00:00Z", s.getSummary());
    Map<String, Condition> c = byType(s.getConditions());
    assertEquals("False", c.get("Complete").getStatus());
    assertEquals("Unknown", c.get("GhostFound").getStatus());
    assertEquals("Scheduled", c.get("Complete").getReason());
    assertEquals("Scheduled", c.get("GhostFound").getReason());
    assertEquals(s.getSummary(), c.get("GhostFound").getMessage());

    var suspended =
        StatusAggregator.waitingForFirstRun(
            new io.ghosthunt.api.status.GhostHuntStatus(), 2, null, s.getConditions(), LATE);
    assertEquals("suspended: no run starts until spec.suspend is false", suspended.getSummary());
    assertEquals(
        EARLY.toString(),
        byType(suspended.getConditions()).get("Complete").getLastTransitionTime(),
        "still not complete: the condition's time stays");
  }

  @Test
  void onlyAnInvalidSpecsStatusIsInvalidSpec() {
    assertTrue(StatusAggregator.isInvalidSpec(StatusAggregator.invalid(1, "bad", null, EARLY)));
    assertFalse(StatusAggregator.isInvalidSpec(null));
    assertFalse(StatusAggregator.isInvalidSpec(new io.ghosthunt.api.status.GhostHuntStatus()));
    assertFalse(StatusAggregator.isInvalidSpec(StatusAggregator.starting(1, START, null, EARLY)));
    var noNodes =
        StatusAggregator.aggregate(
                new HuntRound(1, START, TIMEOUT, false), EARLY, List.of(), Map.of(), null)
            .status();
    assertEquals(HuntPhase.Failed, noNodes.getPhase());
    assertFalse(StatusAggregator.isInvalidSpec(noNodes), "failed, but its spec can run");
    // Only the Complete condition says so: a summary that happens to say InvalidSpec does not.
    var said = StatusAggregator.starting(1, START, null, EARLY);
    said.setSummary("InvalidSpec");
    assertFalse(StatusAggregator.isInvalidSpec(said));
  }

  @Test
  void everyBlockerGivesBothConditionsItsOwnReason() {
    Instant deadline = Instant.parse(START).plus(TIMEOUT);
    for (var reason : io.ghosthunt.operator.decision.Blocker.BlockReason.values()) {
      var blocker = new io.ghosthunt.operator.decision.Blocker(reason, "fix");
      for (Instant now : List.of(EARLY, LATE)) {
        var s = StatusAggregator.blocked(1, START, blocker, null, now, deadline);
        for (Condition c : s.getConditions()) {
          assertEquals(reason.name(), c.getReason());
        }
      }
    }
  }
}
