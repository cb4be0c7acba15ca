package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntTimeline;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ProbeTimeline;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.decision.HuntPlan.HuntEvent;
import io.ghosthunt.operator.decision.HuntPlan.Round;
import io.ghosthunt.operator.decision.HuntPlan.Started;
import io.ghosthunt.operator.observer.HuntPicture;
import io.ghosthunt.operator.observer.HuntTarget;
import io.ghosthunt.operator.probes.ProbePodFactory;
import io.ghosthunt.operator.probes.ReportFactory;
import io.ghosthunt.operator.status.Conditions;
import io.ghosthunt.operator.status.OpenReport;
import io.ghosthunt.operator.testing.Pictures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's decisions from in-memory pictures: a new hunt, its probes, blocked, the
 * deadline, a node gone mid-hunt, a new generation, scheduled runs, completion.
 */
class HuntPlannerTest {

  static final Instant T0 = Pictures.T0;
  static final OperatorConfig CONFIG =
      new OperatorConfig(
          "ghosthunt-system",
          "ghosthunt/probe-agent:test",
          false,
          Set.of(),
          OperatorConfig.ProbeResources.DEFAULT,
          List.of());
  static final String NODE_HUNT =
      "{nodes: {names: [a, b]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 60}";

  static GhostHunt hunt(String spec, long generation, GhostHuntStatus status) {
    return Pictures.hunt(spec, generation, status);
  }

  static Node node(String name, String ready) {
    return Pictures.node(name, ready);
  }

  /** The status a started generation has: its clock, Pending. */
  static GhostHuntStatus started(long generation) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setStartedAt(T0.toString());
    s.setPhase(HuntPhase.Pending);
    return s;
  }

  static Pod probe(GhostHunt hunt, String node, String phase, int run) {
    Pod p = new ProbePodFactory(CONFIG).build(hunt, node, 60, List.of(), run);
    return new PodBuilder(p).editOrNewStatus().withPhase(phase).endStatus().build();
  }

  static GhostHuntReport report(GhostHunt hunt, String node, boolean haunted, int run) {
    GhostHuntReport r = ReportFactory.build(hunt, HuntTarget.node(node, null), run);
    NodeStatus entry = new NodeStatus(node, NodePhase.Done);
    Finding f =
        new Finding(
            CheckKey.PORT_OWNER, "tcp/8080", haunted ? FindingVerdict.Ghost : FindingVerdict.Clear);
    if (haunted) {
      f.setGhost(GhostName.OrphanedPort);
      f.setSummary("port 8080 is held by PID 4242 (sleep), not by java");
      f.evidence("pid", 4242);
    }
    entry.addFinding(f);
    r.setStatus(GhostHuntReportStatus.of(entry, T0.plusSeconds(2).toString()));
    return r;
  }

  static HuntPicture picture(
      GhostHunt hunt,
      Instant now,
      List<Node> nodes,
      List<Pod> probes,
      List<GhostHuntReport> reports) {
    return new HuntPicture(hunt, now, nodes, List.of(), probes, reports, false, Optional.empty());
  }

  static List<HuntEventReason> reasons(HuntPlan plan) {
    return plan.events().stream().map(HuntEvent::reason).toList();
  }

  @Test
  void aNewHuntWritesItsClockFirstAndNothingElse() {
    GhostHunt h = hunt(NODE_HUNT, 1, null);
    HuntPlan plan =
        HuntPlanner.plan(picture(h, T0, List.of(node("a", "True")), List.of(), List.of()));
    assertEquals(new Round(1, 0), plan.keep(), "older rounds' probes and reports go");
    assertEquals(HuntPhase.Pending, plan.status().getPhase());
    assertEquals(T0.toString(), plan.status().getStartedAt());
    assertTrue(plan.start().isEmpty(), "no probe before the clock is written");
    assertEquals(Duration.ZERO, plan.lookAgain());
  }

  @Test
  void probesStartOnReadyNodesWithoutOneAndAMissingNodeIsUnreachable() {
    GhostHunt h = hunt(NODE_HUNT, 1, started(1));
    HuntPicture p =
        picture(
            h,
            T0.plusSeconds(1),
            List.of(node("a", "True"), node("c", "True")),
            List.of(),
            List.of());
    HuntPlan plan = HuntPlanner.plan(p);
    assertEquals(List.of("a"), plan.start().stream().map(HuntPlan.ProbeStart::node).toList());
    assertEquals(59, plan.start().get(0).timeoutSeconds(), "what is left of the hunt's time");
    HuntPlan after = plan.afterStart().apply(Started.NONE);
    GhostHuntStatus s = after.status();
    assertEquals(HuntPhase.Running, s.getPhase());
    assertEquals("1/2", s.getProgress(), "b is decided: not found");
    assertEquals(NodePhase.Unreachable, s.getNodes().get(0).getPhase());
    assertEquals("b", s.getNodes().get(0).getNode());
    assertTrue(reasons(after).contains(HuntEventReason.NodeUnreachable));
    assertFalse(after.revoke());
  }

  @Test
  void aRefusedPodFailsOnlyItsNode() {
    GhostHunt h =
        hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [8080]}}}", 1, started(1));
    HuntPlan plan =
        HuntPlanner.plan(
            picture(h, T0.plusSeconds(1), List.of(node("a", "True")), List.of(), List.of()));
    HuntPlan after =
        plan.afterStart()
            .apply(new Started(Map.of(), Map.of("a", "violates PodSecurity"), Optional.empty()));
    assertEquals(HuntPhase.Complete, after.status().getPhase());
    assertEquals(HuntVerdict.Inconclusive, after.status().getVerdict());
    assertTrue(after.status().getNodes().get(0).getMessage().contains("violates PodSecurity"));
  }

  @Test
  void missingPoliciesBlockTheProbesWithTheReasonUntilTheDeadlineThenEndTheHunt() {
    GhostHunt h = hunt(NODE_HUNT, 1, started(1));
    Blocker missing =
        Blocker.policiesMissing(List.of("ValidatingAdmissionPolicy ghosthunt-agent-reports"));
    HuntPicture p =
        new HuntPicture(
            h,
            T0.plusSeconds(1),
            List.of(node("a", "True")),
            List.of(),
            List.of(),
            List.of(),
            false,
            Optional.of(missing));
    HuntPlan plan = HuntPlanner.plan(p);
    assertTrue(plan.start().isEmpty());
    assertEquals(HuntPhase.Pending, plan.status().getPhase());
    assertEquals("AdmissionPolicyMissing", plan.status().getConditions().get(0).getReason());
    assertEquals(List.of(HuntEventReason.AdmissionPolicyMissing), reasons(plan));
    assertEquals(HuntPlanner.BLOCKED_RETRY, plan.lookAgain());
    assertFalse(plan.revoke());

    GhostHunt still = hunt(NODE_HUNT, 1, plan.status());
    HuntPlan late =
        HuntPlanner.plan(
            new HuntPicture(
                still,
                T0.plusSeconds(61),
                List.of(node("a", "True")),
                List.of(),
                List.of(),
                List.of(),
                false,
                Optional.empty()));
    assertEquals(HuntPhase.Failed, late.status().getPhase(), "ends with the blocker's reason");
    assertEquals(T0.toString(), late.status().getTimeline().getSeenAt());
    assertEquals(T0.plusSeconds(61).toString(), late.status().getTimeline().getCompletedAt());
    assertEquals("AdmissionPolicyMissing", late.status().getConditions().get(0).getReason());
    assertTrue(late.revoke());
    assertNull(late.lookAgain());
  }

  @Test
  void aCompletedRoundWritesItsOpenReportWhenServedAndSaysSoWhenTheCrdIsMissing() {
    GhostHunt h = hunt(NODE_HUNT, 1, started(1));
    List<Node> nodes = List.of(node("a", "True"), node("b", "True"));
    List<Pod> probes = List.of(probe(h, "a", "Running", 0), probe(h, "b", "Running", 0));
    List<GhostHuntReport> reports = List.of(report(h, "a", true, 0), report(h, "b", false, 0));
    java.util.function.Function<OpenReport.Availability, HuntPlan> plan =
        a ->
            HuntPlanner.plan(
                new HuntPicture(
                    h,
                    T0.plusSeconds(3),
                    nodes,
                    List.of(),
                    probes,
                    reports,
                    true,
                    Optional.empty(),
                    a));

    HuntPlan served = plan.apply(OpenReport.Availability.SERVED);
    assertNotNull(served.finished());
    var report = served.finished().openReport();
    assertNotNull(report, "the Report goes with the verdict");
    assertEquals("ghosthunt-" + h.getMetadata().getName(), report.getMetadata().getName());
    var condition = condition(served.status(), OpenReport.CONDITION);
    assertEquals("True", condition.getStatus());
    assertEquals("ReportWritten", condition.getReason());

    HuntPlan missing = plan.apply(OpenReport.Availability.MISSING);
    assertNull(missing.finished().openReport());
    assertEquals("False", condition(missing.status(), OpenReport.CONDITION).getStatus());
    assertEquals(
        "OpenReportsMissing", condition(missing.status(), OpenReport.CONDITION).getReason());
    assertEquals(
        HuntPhase.Complete, missing.status().getPhase(), "the hunt completes all the same");

    HuntPlan off = plan.apply(OpenReport.Availability.OFF);
    assertNull(off.finished().openReport());
    assertTrue(
        off.status().getConditions().stream()
            .noneMatch(c -> OpenReport.CONDITION.equals(c.getType())));
  }

  static io.fabric8.kubernetes.api.model.Condition condition(GhostHuntStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " in " + s.getConditions()));
  }

  @Test
  void aProbeThatNeverStartsIsUnreachableOnceTheDeadlinePassed() {
    GhostHunt h =
        hunt(
            "{nodes: {names: [a]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 60}",
            1,
            started(1));
    HuntPlan plan =
        HuntPlanner.plan(
            picture(
                h,
                T0.plusSeconds(61),
                List.of(node("a", "True")),
                List.of(probe(h, "a", "Pending", 0)),
                List.of()));
    assertEquals(HuntPhase.Complete, plan.status().getPhase());
    assertTrue(
        plan.status()
            .getNodes()
            .get(0)
            .getMessage()
            .contains("did not start within timeoutSeconds"));
    assertTrue(plan.revoke(), "probes and their rights go with the verdict");
    assertNotNull(plan.finished());
  }

  @Test
  void aNodeGoneAfterItReportedKeepsItsFindings() {
    GhostHunt h = hunt(NODE_HUNT, 1, started(1));
    HuntPicture p =
        picture(
            h,
            T0.plusSeconds(5),
            List.of(node("a", "True")),
            List.of(probe(h, "a", "Succeeded", 0)),
            List.of(report(h, "a", false, 0), report(h, "b", true, 0)));
    HuntPlan plan = HuntPlanner.plan(p);
    GhostHuntStatus s = plan.status();
    assertEquals(HuntPhase.Complete, s.getPhase());
    assertEquals(HuntVerdict.Haunted, s.getVerdict());
    NodeStatus b = s.getNodes().get(0);
    assertEquals("b", b.getNode());
    assertEquals("4242", b.getFindings().get(0).getEvidence().get("pid"));
    assertTrue(
        b.getMessage().contains("reported before its node became unreachable"), b.getMessage());
    assertTrue(reasons(plan).contains(HuntEventReason.GhostFound));
    assertTrue(plan.revoke());
    assertEquals("1/0", plan.finished().round());
  }

  @Test
  void aCleanTwinIsClearAndWritesNothingTwice() {
    GhostHunt h = hunt(NODE_HUNT, 1, started(1));
    HuntPicture p =
        picture(
            h,
            T0.plusSeconds(5),
            List.of(node("a", "True"), node("b", "True")),
            List.of(),
            List.of(report(h, "a", false, 0), report(h, "b", false, 0)));
    HuntPlan plan = HuntPlanner.plan(p);
    assertEquals(HuntVerdict.Clear, plan.status().getVerdict());
    assertTrue(reasons(plan).contains(HuntEventReason.HuntClear));

    GhostHunt done = hunt(NODE_HUNT, 1, plan.status());
    HuntPlan again =
        HuntPlanner.plan(picture(done, T0.plusSeconds(6), p.nodes(), List.of(), p.reports()));
    assertNull(again.status(), "a complete hunt is not written again");
    assertFalse(again.revoke(), "nothing left to revoke");
    HuntPlan leftover =
        HuntPlanner.plan(
            picture(
                done,
                T0.plusSeconds(6),
                p.nodes(),
                List.of(probe(h, "a", "Running", 0)),
                p.reports()));
    assertTrue(leftover.revoke(), "a probe left by a replica that died before its cleanup goes");
    HuntPlan rights =
        HuntPlanner.plan(
            new HuntPicture(
                done,
                T0.plusSeconds(6),
                p.nodes(),
                List.of(),
                List.of(),
                p.reports(),
                true,
                Optional.empty()));
    assertTrue(rights.revoke(), "so does the agent identity it left");
  }

  @Test
  void aNewGenerationStartsAfreshAndDropsTheOldRound() {
    GhostHunt before = hunt(NODE_HUNT, 1, started(1));
    HuntPlan done =
        HuntPlanner.plan(
            picture(
                before,
                T0.plusSeconds(5),
                List.of(node("a", "True"), node("b", "True")),
                List.of(),
                List.of(report(before, "a", true, 0), report(before, "b", false, 0))));
    GhostHunt edited = hunt(NODE_HUNT, 2, done.status());
    HuntPlan plan =
        HuntPlanner.plan(
            picture(
                edited,
                T0.plusSeconds(10),
                List.of(node("a", "True")),
                List.of(),
                List.of(report(before, "a", true, 0))));
    assertEquals(new Round(2, 0), plan.keep());
    assertEquals(2L, plan.status().getObservedGeneration());
    assertEquals(T0.plusSeconds(10).toString(), plan.status().getStartedAt());
    assertNull(plan.status().getNodes(), "the old generation's entries go");
  }

  @Test
  void anInvalidSpecFailsOnceWithTheReason() {
    GhostHunt h = hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [0]}}}", 1, null);
    HuntPlan plan = HuntPlanner.plan(picture(h, T0, List.of(), List.of(), List.of()));
    assertEquals(HuntPhase.Failed, plan.status().getPhase());
    assertEquals(List.of(HuntEventReason.InvalidSpec), reasons(plan));
    GhostHunt failed =
        hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [0]}}}", 1, plan.status());
    assertNull(
        HuntPlanner.plan(picture(failed, T0.plusSeconds(1), List.of(), List.of(), List.of()))
            .status());
  }

  static final String SCHEDULED =
      "{nodes: {names: [a]}, schedule: '*/5 * * * *', checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 600}";

  @Test
  void aScheduledHuntWaitsForItsFirstRunThenStartsItWhenDue() {
    GhostHunt h = hunt(SCHEDULED, 1, null);
    HuntPlan waiting =
        HuntPlanner.plan(
            picture(h, T0.plusSeconds(10), List.of(node("a", "True")), List.of(), List.of()));
    assertEquals(
        "scheduled: the first run starts at 2026-12-06T12:05:00Z", waiting.status().getSummary());
    assertTrue(waiting.start().isEmpty());
    assertEquals(Duration.ofSeconds(290).plusMillis(200), waiting.lookAgain());

    GhostHunt due = hunt(SCHEDULED, 1, waiting.status());
    HuntPlan run =
        HuntPlanner.plan(
            picture(
                due,
                Instant.parse("2026-12-06T12:05:01Z"),
                List.of(node("a", "True")),
                List.of(),
                List.of()));
    assertEquals(1, run.status().getRun());
    assertEquals("2026-12-06T12:05:01Z", run.status().getTimeline().getSeenAt(), "the run's own");
    assertEquals(new Round(1, 1), run.keep(), "every other run's probes and reports go");
    assertEquals(List.of(HuntEventReason.RunStarted), reasons(run));
    assertEquals(Duration.ZERO, run.lookAgain());

    GhostHunt going = hunt(SCHEDULED, 1, run.status());
    HuntPlan probes =
        HuntPlanner.plan(
            picture(
                going,
                Instant.parse("2026-12-06T12:05:02Z"),
                List.of(node("a", "True")),
                List.of(),
                List.of()));
    assertEquals(1, probes.start().get(0).run());
  }

  static Condition complete(GhostHuntStatus s) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(Conditions.COMPLETE))
        .findFirst()
        .orElseThrow();
  }

  static GhostHunt askedToRunNow(GhostHunt h, String value) {
    h.getMetadata().setAnnotations(Map.of(GhostHunt.RUN_NOW, value));
    return h;
  }

  @Test
  void aRunAskedForByRunNowStartsAtOnceOnceAndAgainForANewValue() {
    HuntPlan waiting =
        HuntPlanner.plan(
            picture(hunt(SCHEDULED, 1, null), T0.plusSeconds(10), List.of(), List.of(), List.of()));
    Instant asked = T0.plusSeconds(20);
    HuntPlan run =
        HuntPlanner.plan(
            picture(
                askedToRunNow(hunt(SCHEDULED, 1, waiting.status()), "2026-12-07T09:00:00Z"),
                asked,
                List.of(),
                List.of(),
                List.of()));
    assertEquals(1, run.status().getRun(), "days before its first time");
    assertEquals(
        "False",
        complete(run.status()).getStatus(),
        "not complete from the write that records the run on");
    assertEquals("2026-12-07T09:00:00Z", run.status().getLastHandledRunNow());
    assertEquals(asked.toString(), run.status().getLastRunAt());
    assertEquals(
        "2026-12-06T12:05:00Z", run.status().getNextRunAt(), "the schedule goes on as it was");
    assertEquals(new Round(1, 1), run.keep());
    assertEquals(
        "run 1 asked for by ghosthunt.io/run-now=2026-12-07T09:00:00Z; next at"
            + " 2026-12-06T12:05:00Z",
        run.events().get(0).message());

    // Handled: the same value starts nothing more once the run is over.
    GhostHunt going = askedToRunNow(hunt(SCHEDULED, 1, run.status()), "2026-12-07T09:00:00Z");
    HuntPlan done =
        HuntPlanner.plan(
            picture(
                going,
                T0.plusSeconds(40),
                List.of(node("a", "True")),
                List.of(probe(going, "a", "Succeeded", 1)),
                List.of(report(going, "a", true, 1))));
    assertEquals(HuntPhase.Complete, done.status().getPhase());
    assertEquals("2026-12-07T09:00:00Z", done.status().getLastHandledRunNow(), "carried");
    HuntPlan idle =
        HuntPlanner.plan(
            picture(
                askedToRunNow(hunt(SCHEDULED, 1, done.status()), "2026-12-07T09:00:00Z"),
                T0.plusSeconds(50),
                List.of(),
                List.of(),
                List.of()));
    assertTrue(idle.events().isEmpty(), idle.events().toString());
    assertEquals(null, idle.status(), "nothing to write");

    // A new value: run 2, now, even while suspended (a person asked for it).
    HuntPlan again =
        HuntPlanner.plan(
            picture(
                askedToRunNow(
                    hunt(
                        SCHEDULED.replace("schedule:", "suspend: true, schedule:"),
                        1,
                        done.status()),
                    "again"),
                T0.plusSeconds(60),
                List.of(),
                List.of(),
                List.of()));
    assertEquals(2, again.status().getRun());
    assertEquals("again", again.status().getLastHandledRunNow());
  }

  @Test
  void aBadEditKeepsTheRunNowValueItHandledSoTheFixStartsNoRunNobodyAskedFor() {
    GhostHuntStatus handled = new GhostHuntStatus();
    handled.setRun(3);
    handled.setLastHandledRunNow("t1");
    HuntPlan bad =
        HuntPlanner.plan(
            picture(
                askedToRunNow(hunt(SCHEDULED.replace("*/5 *", "61 *"), 2, handled), "t1"),
                T0,
                List.of(),
                List.of(),
                List.of()));
    assertEquals(HuntPhase.Failed, bad.status().getPhase());
    assertEquals("t1", bad.status().getLastHandledRunNow());
    assertEquals(3, bad.status().getRun(), "the schedule's history stays");
  }

  @Test
  void aRunAskedForWhileOneGoesStartsWhenThatOneIsDone() {
    HuntPlan waiting =
        HuntPlanner.plan(picture(hunt(SCHEDULED, 1, null), T0, List.of(), List.of(), List.of()));
    GhostHuntStatus running =
        HuntPlanner.plan(
                picture(
                    hunt(SCHEDULED, 1, waiting.status()),
                    Instant.parse("2026-12-06T12:05:01Z"),
                    List.of(),
                    List.of(),
                    List.of()))
            .status();
    GhostHunt going = askedToRunNow(hunt(SCHEDULED, 1, running), "later");
    HuntPlan still =
        HuntPlanner.plan(
            picture(
                going,
                Instant.parse("2026-12-06T12:05:02Z"),
                List.of(node("a", "True")),
                List.of(probe(going, "a", "Running", 1)),
                List.of()));
    assertEquals(
        null,
        still.status() == null ? null : still.status().getLastHandledRunNow(),
        "not handled while run 1 goes");
    GhostHunt unasked = hunt(SCHEDULED, 1, running);
    assertEquals(
        HuntPlanner.plan(
                picture(
                    unasked,
                    Instant.parse("2026-12-06T12:05:02Z"),
                    List.of(node("a", "True")),
                    List.of(probe(unasked, "a", "Running", 1)),
                    List.of()))
            .lookAgain(),
        still.lookAgain(),
        "no reconcile a second while run 1 goes: its end looks again soon");

    HuntPlan done =
        HuntPlanner.plan(
            picture(
                going,
                Instant.parse("2026-12-06T12:06:00Z"),
                List.of(node("a", "True")),
                List.of(probe(going, "a", "Succeeded", 1)),
                List.of(report(going, "a", false, 1))));
    assertEquals(HuntPhase.Complete, done.status().getPhase(), "run 1 ends as it would");
    assertEquals(Duration.ofSeconds(1), done.lookAgain(), "not the next schedule time");
    HuntPlan next =
        HuntPlanner.plan(
            picture(
                askedToRunNow(hunt(SCHEDULED, 1, done.status()), "later"),
                Instant.parse("2026-12-06T12:06:01Z"),
                List.of(),
                List.of(),
                List.of()));
    assertEquals(2, next.status().getRun());
    assertEquals("later", next.status().getLastHandledRunNow());
    assertEquals("False", complete(next.status()).getStatus(), "run 1's Complete is not run 2's");
    assertEquals("2026-12-06T12:06:01Z", complete(next.status()).getLastTransitionTime());
  }

  @Test
  void aRunStillGoingWhenTheNextIsDueSkipsItAndACompletedRunWaitsForTheNext() {
    GhostHunt h = hunt(SCHEDULED, 1, null);
    GhostHuntStatus waiting =
        HuntPlanner.plan(picture(h, T0, List.of(), List.of(), List.of())).status();
    GhostHuntStatus running =
        HuntPlanner.plan(
                picture(
                    hunt(SCHEDULED, 1, waiting),
                    Instant.parse("2026-12-06T12:05:01Z"),
                    List.of(),
                    List.of(),
                    List.of()))
            .status();
    GhostHunt going = hunt(SCHEDULED, 1, running);
    Instant overlap = Instant.parse("2026-12-06T12:10:01Z");
    HuntPlan skipped =
        HuntPlanner.plan(
            picture(
                going,
                overlap,
                List.of(node("a", "True")),
                List.of(probe(going, "a", "Running", 1)),
                List.of()));
    assertTrue(reasons(skipped).contains(HuntEventReason.RunSkipped));
    assertEquals(1, skipped.status().getSkippedRuns());
    assertEquals(1, skipped.status().getRun(), "the run going goes on");

    HuntPlan done =
        HuntPlanner.plan(
            picture(
                going,
                Instant.parse("2026-12-06T12:06:00Z"),
                List.of(node("a", "True")),
                List.of(probe(going, "a", "Succeeded", 1)),
                List.of(report(going, "a", true, 1))));
    assertEquals(HuntPhase.Complete, done.status().getPhase());
    assertEquals("2026-12-06T12:05:01Z", done.status().getTimeline().getSeenAt());
    assertEquals("2026-12-06T12:06:00Z", done.status().getTimeline().getCompletedAt());
    assertEquals(1, done.status().getRuns().size(), "the run joins the history");
    assertEquals(Duration.ofSeconds(240).plusMillis(200), done.lookAgain(), "until the next run");
    assertTrue(done.revoke());
    assertEquals("1/1", done.finished().round());
  }

  @Test
  void findingsAHuntDidNotAskForAreDroppedWithAnEvent() {
    GhostHunt h =
        hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [8080]}}}", 1, started(1));
    GhostHuntReport r = report(h, "a", false, 0);
    List<Finding> findings = new ArrayList<>(r.getStatus().getFindings());
    findings.add(new Finding(CheckKey.DNS, "example.com", FindingVerdict.Clear));
    r.getStatus().setFindings(findings);
    HuntPlan plan =
        HuntPlanner.plan(
            picture(h, T0.plusSeconds(3), List.of(node("a", "True")), List.of(), List.of(r)));
    assertTrue(reasons(plan).contains(HuntEventReason.FindingsDropped));
    assertEquals(1, plan.status().getChecks().size(), "only portOwner counted");
  }

  /** {@code r} as its probe wrote it: its process started and its report written at these times. */
  static GhostHuntReport timed(GhostHuntReport r, Instant processStarted, Instant written) {
    r.getStatus().setFinishedAt(written.toString());
    r.getStatus()
        .setTimeline(
            new ProbeTimeline(
                processStarted, processStarted.plusMillis(300), written.minusMillis(20)));
    return r;
  }

  @Test
  void aRoundsTimelineIsWrittenStepByStepAndATimeOnRecordNeverMoves() {
    List<Node> nodes = List.of(node("a", "True"), node("b", "True"));
    GhostHuntStatus clock =
        HuntPlanner.plan(
                picture(hunt(NODE_HUNT, 1, null), T0.plusMillis(250), nodes, List.of(), List.of()))
            .status();
    assertEquals("2026-12-06T12:00:00.250Z", clock.getTimeline().getSeenAt());
    assertNull(clock.getTimeline().getProbesCreatedAt());

    GhostHunt started = hunt(NODE_HUNT, 1, clock);
    HuntPlan plan =
        HuntPlanner.plan(picture(started, T0.plusSeconds(1), nodes, List.of(), List.of()));
    Pod a = probe(started, "a", "Pending", 0);
    Pod b = probe(started, "b", "Pending", 0);
    GhostHuntStatus probing =
        plan.afterStart()
            .apply(
                new Started(Map.of("a", a, "b", b), Map.of(), Optional.empty())
                    .answeredAt(T0.plusMillis(1400)))
            .status();
    HuntTimeline t = probing.getTimeline();
    assertEquals("2026-12-06T12:00:00.250Z", t.getSeenAt(), "seen stays");
    assertEquals("2026-12-06T12:00:01.400Z", t.getProbesCreatedAt());
    assertNull(t.getLastReportAt());

    GhostHunt probed = hunt(NODE_HUNT, 1, probing);
    GhostHuntReport fromA =
        timed(report(probed, "a", false, 0), T0.plusMillis(2100), T0.plusMillis(2700));
    List<Pod> probes =
        List.of(probe(probed, "a", "Succeeded", 0), probe(probed, "b", "Running", 0));
    GhostHuntStatus halfway =
        HuntPlanner.plan(picture(probed, T0.plusSeconds(3), nodes, probes, List.of(fromA)))
            .status();
    t = halfway.getTimeline();
    assertEquals("2026-12-06T12:00:01.400Z", t.getProbesCreatedAt(), "carried over");
    assertEquals("2026-12-06T12:00:02.100Z", t.getLastProcessStartedAt());
    assertEquals("2026-12-06T12:00:02.700Z", t.getLastReportAt());
    assertNull(t.getCompletedAt());
    assertNull(
        HuntPlanner.plan(
                picture(
                    hunt(NODE_HUNT, 1, halfway), T0.plusSeconds(4), nodes, probes, List.of(fromA)))
            .status(),
        "a later look at the same reports moves nothing, so writes nothing");

    GhostHuntReport fromB =
        timed(report(probed, "b", false, 0), T0.plusMillis(2300), T0.plusMillis(4800));
    HuntPlan done =
        HuntPlanner.plan(
            picture(
                hunt(NODE_HUNT, 1, halfway),
                T0.plusMillis(5050),
                nodes,
                probes,
                List.of(fromA, fromB)));
    t = done.status().getTimeline();
    assertEquals(HuntPhase.Complete, done.status().getPhase());
    assertEquals("2026-12-06T12:00:00.250Z", t.getSeenAt());
    assertEquals("2026-12-06T12:00:01.400Z", t.getProbesCreatedAt());
    assertEquals("2026-12-06T12:00:02.300Z", t.getLastProcessStartedAt());
    assertEquals("2026-12-06T12:00:04.800Z", t.getLastReportAt());
    assertEquals("2026-12-06T12:00:05.050Z", t.getCompletedAt());
    assertNull(
        HuntPlanner.plan(
                picture(
                    hunt(NODE_HUNT, 1, done.status()),
                    T0.plusSeconds(30),
                    nodes,
                    List.of(),
                    List.of(fromA, fromB)))
            .status(),
        "complete: written once");
  }

  @Test
  void probesAnEarlierReconcileMadeCountFromTheirCreation() {
    GhostHunt h =
        hunt("{nodes: {names: [a]}, checks: {portOwner: {ports: [8080]}}}", 1, started(1));
    Pod made =
        new PodBuilder(probe(h, "a", "Running", 0))
            .editMetadata()
            .withCreationTimestamp("2026-12-06T12:00:01Z")
            .endMetadata()
            .build();
    HuntPlan plan =
        HuntPlanner.plan(
            picture(h, T0.plusSeconds(2), List.of(node("a", "True")), List.of(made), List.of()));
    assertTrue(plan.start().isEmpty());
    assertEquals("2026-12-06T12:00:01Z", plan.status().getTimeline().getProbesCreatedAt());
  }
}
