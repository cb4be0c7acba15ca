package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.testing.Pictures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenReportTest {

  static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
  static final GhostHunt HUNT =
      Pictures.hunt(
          "{nodes: {names: [a, b, c]}, checks: {portOwner: {ports: [8080]}, loopback: {ports:"
              + " [8080]}}}",
          1,
          null);

  static NodeStatus haunted() {
    NodeStatus a = new NodeStatus("a", NodePhase.Done);
    Finding ghost = new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost);
    ghost.setGhost(GhostName.OrphanedPort);
    ghost.setSummary("port 8080 is held by PID 4242 (sleep), not by java");
    ghost.setRemediation("kill 4242");
    ghost.evidence("pid", 4242);
    a.addFinding(ghost);
    a.addFinding(new Finding(CheckKey.LOOPBACK, "127.0.0.1:8080", FindingVerdict.Inconclusive));
    return a;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> results(GenericKubernetesResource r) {
    return (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
  }

  @Test
  void eachNodeAndCheckIsOneResultWithTheGhostAndItsEvidenceAsProperties() {
    NodeStatus b = new NodeStatus("b", NodePhase.Done);
    b.addFinding(new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Clear));
    NodeStatus c = new NodeStatus("c", NodePhase.Unreachable);
    c.setMessage("no probe could start on c");
    GenericKubernetesResource r = OpenReport.of(HUNT, 3, List.of(haunted(), b, c), AT);

    assertEquals("openreports.io/v1alpha1", r.getApiVersion());
    assertEquals("Report", r.getKind());
    assertEquals("ghosthunt-" + HUNT.getMetadata().getName(), r.getMetadata().getName());
    assertEquals(HUNT.getMetadata().getUid(), r.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(
        Map.of("pass", 1, "fail", 1, "warn", 1, "error", 0, "skip", 2),
        r.getAdditionalProperties().get("summary"));
    Map<String, Object> fail = results(r).get(0);
    assertEquals("portOwner", fail.get("policy"));
    assertEquals("fail", fail.get("result"));
    assertEquals("port 8080 is held by PID 4242 (sleep), not by java", fail.get("message"));
    @SuppressWarnings("unchecked")
    Map<String, String> props = (Map<String, String>) fail.get("properties");
    assertEquals("OrphanedPort", props.get("ghost"));
    assertEquals("4242", props.get("evidence.pid"));
    assertEquals("a", props.get("node"));
    assertEquals("3", props.get("run"));
    assertEquals("kill 4242", props.get("remediation"));
    assertEquals(
        List.of(Map.of("apiVersion", "v1", "kind", "Node", "name", "a")), fail.get("resources"));
    // The worst first: fail, warn, the skips of the node not hunted, then pass.
    assertEquals("warn", results(r).get(1).get("result"));
    assertEquals("pass", results(r).get(4).get("result"));
    List<Object> skipped = new ArrayList<>();
    for (Map<String, Object> x : results(r).subList(2, 4)) {
      assertEquals("skip", x.get("result"));
      assertEquals("not hunted: no probe could start on c", x.get("message"));
      skipped.add(x.get("policy"));
    }
    assertEquals(List.of("portOwner", "loopback"), skipped, "one skip per check of the hunt");
  }

  @Test
  void aPodHuntsResultIsAboutThePodAndTheResultsAreBounded() {
    NodeStatus pod = haunted();
    pod.setPod("web-1");
    List<NodeStatus> many = new ArrayList<>();
    for (int i = 0; i < OpenReport.MAX_RESULTS; i++) {
      many.add(pod);
    }
    GenericKubernetesResource r = OpenReport.of(HUNT, 0, many, AT);
    assertEquals(OpenReport.MAX_RESULTS, results(r).size());
    @SuppressWarnings("unchecked")
    Map<String, Integer> summary =
        (Map<String, Integer>) r.getAdditionalProperties().get("summary");
    assertEquals(OpenReport.MAX_RESULTS, summary.get("fail"), "the summary counts every result");
    assertEquals(
        List.of(
            Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Pod",
                "name",
                "web-1",
                "namespace",
                HUNT.getMetadata().getNamespace())),
        results(r).get(0).get("resources"));
    @SuppressWarnings("unchecked")
    Map<String, String> props = (Map<String, String>) results(r).get(0).get("properties");
    assertFalse(props.containsKey("run"), "a hunt without schedule has no run");
    assertTrue(props.containsKey("pod"));
  }

  @Test
  void theWorstResultsAreKeptFirstWhenTheyDoNotAllFit() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (int i = 0; i < OpenReport.MAX_RESULTS; i++) {
      all.add(Map.of("result", "pass", "n", i));
    }
    all.add(Map.of("result", "fail", "n", -1));
    List<Map<String, Object>> kept = OpenReport.kept(all);
    assertEquals(OpenReport.MAX_RESULTS, kept.size());
    assertEquals("fail", kept.get(0).get("result"), "a ghost on the last node is not cut");
    assertEquals(0, kept.get(1).get("n"), "the others keep their order");
    String big = "x".repeat(OpenReport.MAX_CHARS / 2);
    assertEquals(
        1,
        OpenReport.kept(
                List.of(Map.of("result", "fail", "m", big), Map.of("result", "fail", "m", big)))
            .size(),
        "bounded in size too");
  }

  @Test
  void theOpenReportConditionIsCarriedThroughARunAndReplacedWhenItEnds() {
    var report = Conditions.of(OpenReport.CONDITION, "True", "ReportWritten", "m", 1, null, AT);
    var complete = Conditions.of(Conditions.COMPLETE, "False", "Hunting", "m", 1, null, AT);
    var stored =
        List.of(Conditions.of(Conditions.COMPLETE, "True", "Clear", "m", 1, null, AT), report);
    assertEquals(List.of(complete, report), OpenReport.carried(stored, List.of(complete)));
    assertEquals(
        List.of(complete, report),
        OpenReport.carried(stored, List.of(complete, report)),
        "carried once, however often");
    var refused =
        OpenReport.refused(HUNT, "admission webhook denied", 1, stored, AT.plusSeconds(60));
    assertEquals(List.of(complete, refused), OpenReport.with(List.of(complete, report), refused));
    assertEquals("ReportRefused", refused.getReason());
    assertEquals(AT.plusSeconds(60).toString(), refused.getLastTransitionTime());
  }

  @Test
  void aRefusalOfThisRoundStaysAndTheReportIsNotSentAgainAndOffTakesTheConditionAway() {
    var complete = Conditions.of(Conditions.COMPLETE, "True", "Clear", "m", 1, null, AT);
    var refused = OpenReport.refused(HUNT, "denied by policy", 1, null, AT);
    io.ghosthunt.api.status.GhostHuntStatus stored = new io.ghosthunt.api.status.GhostHuntStatus();
    stored.setObservedGeneration(1L);
    stored.setRun(2);
    stored.setPhase(io.ghosthunt.api.status.HuntPhase.Complete);
    stored.setConditions(List.of(complete, refused));

    OpenReport.Completed same =
        OpenReport.completed(
            OpenReport.Availability.SERVED,
            HUNT,
            1,
            2,
            stored,
            List.of(complete),
            AT.plusSeconds(9));
    assertFalse(same.write(), "not sent again to be refused again");
    assertEquals(List.of(complete, refused), same.conditions());

    OpenReport.Completed next =
        OpenReport.completed(
            OpenReport.Availability.SERVED,
            HUNT,
            1,
            3,
            stored,
            List.of(complete),
            AT.plusSeconds(60));
    assertTrue(next.write(), "the next run tries again");
    assertEquals("ReportWritten", next.conditions().get(1).getReason());

    OpenReport.Completed off =
        OpenReport.completed(
            OpenReport.Availability.OFF, HUNT, 1, 3, stored, List.of(complete, refused), AT);
    assertFalse(off.write());
    assertEquals(List.of(complete), off.conditions(), "no word of Reports once they are off");
  }
}
