package io.ghosthunt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostChange;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.RunSummary;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.lab.cluster.Images;
import io.ghosthunt.lab.cluster.LabNode;
import io.ghosthunt.lab.cluster.OpenReportsCrd;
import io.ghosthunt.operator.metrics.HealthServer;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.status.OpenReport;
import io.ghosthunt.operator.testing.ControlPlaneExtension;
import io.ghosthunt.operator.testing.Dashboard;
import io.ghosthunt.operator.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hunt on a one-minute schedule against a real API server and a real node: a ghost that appears
 * between two runs is named as appeared with its evidence, then as gone once it left, with an
 * operator restart between those runs that neither skips a run nor runs one twice; a suspended hunt
 * never runs. Real minutes pass: the schedule is CronJob's, to the minute.
 */
@ExtendWith(ControlPlaneExtension.class)
class ScheduledHuntIT {

  static final String PROBES = "ghosthunt-system";
  static final String NS = "schedules";
  static final int PORT = 8181;

  static ControlPlane cp;
  static KubernetesClient client;
  static Lab lab;
  static LabHost host;
  static LabNode node;
  static GhostHuntOperator operator;
  static final OperatorMetrics metrics = new OperatorMetrics();

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    cp = controlPlane;
    Fixtures.installCrd(cp);
    client = cp.admin();
    cp.probeNamespace(PROBES);
    cp.namespace(NS);
    lab = new Lab();
    host = lab.host("weekly");
    node = LabNode.start(cp, host, "node-a", LabNode.Setup.READY, Images.forNodes());
    node.awaitReady(client, true, Duration.ofMinutes(2));
    // The OpenReports API's own CRD, from its Go module: the operator writes each run's Report.
    OpenReportsCrd.install(client);
    operator = startOperator();
  }

  static GhostHuntOperator startOperator() {
    return Fixtures.startOperator(client, PROBES, NS, metrics, true);
  }

  /**
   * GET /metrics as Prometheus scrapes it: the operator's HealthServer over this operator's
   * registry, as its Main serves it in the pod (here on a port of its own).
   */
  static String scrape() {
    try (HealthServer server = new HealthServer(0, metrics, () -> null)) {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      return r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The hunt's OpenReports Report as the API server holds it; null when there is none. */
  static GenericKubernetesResource openReport(String name) {
    return client
        .genericKubernetesResources(OpenReport.API_VERSION, OpenReport.KIND)
        .inNamespace(NS)
        .withName(name)
        .get();
  }

  /**
   * The results of a Report, and its line in {@code kubectl get reports} (PASS FAIL ... columns).
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> results(GenericKubernetesResource report) {
    return (List<Map<String, Object>>) report.getAdditionalProperties().get("results");
  }

  static String listed(String name) {
    String out = Fixtures.kubectl(cp, "get", "reports", "-n", NS);
    return out.lines()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("kubectl get reports lists no " + name + ":\n" + out))
        .replaceAll("\\s+", " ");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (node != null) {
      node.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  static GhostHunt apply(String name, String spec) {
    return Fixtures.applyHunt(client, NS, name, spec);
  }

  /** The hunt once its run {@code run} completed: a minute and its run, at most. */
  static GhostHunt runCompleted(String name, int run) {
    return client
        .resources(GhostHunt.class)
        .inNamespace(NS)
        .withName(name)
        .waitUntilCondition(
            h ->
                h != null
                    && h.getStatus() != null
                    && h.getStatus().getRun() != null
                    && h.getStatus().getRun() >= run
                    && h.getStatus().getPhase() == HuntPhase.Complete,
            150,
            TimeUnit.SECONDS);
  }

  static List<Event> events(String name, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  @Test
  void aGhostThatAppearsBetweenRunsIsNamedWithItsEvidenceThenGoneAndARestartKeepsTheSchedule() {
    String spec =
        "{schedule: '* * * * *', historyLimit: 2, nodes: {names: [node-a]}, timeoutSeconds: 40,"
            + " checks: {portOwner: {ports: ["
            + PORT
            + "], expectedProcess: java}}}";
    apply("every-minute", spec);
    apply("suspended", spec.replace("historyLimit: 2", "suspend: true"));

    GhostHunt first = runCompleted("every-minute", 1);
    assertEquals(1, first.getStatus().getRun());
    assertEquals(HuntVerdict.Clear, first.getStatus().getVerdict(), first.getStatus().getSummary());
    assertNull(first.getStatus().getChanges(), "a first run has nothing to compare with");
    Instant firstAt = Instant.parse(first.getStatus().getLastRunAt());
    assertEquals(0, firstAt.getEpochSecond() % 60, "runs start at the minute: " + firstAt);
    assertEquals(firstAt.plusSeconds(60), Instant.parse(first.getStatus().getNextRunAt()));

    // Tuesday comes: a crashed worker's child keeps the port.
    int orphan = host.orphanedListener("0.0.0.0", PORT);
    GhostHunt second = runCompleted("every-minute", 2);
    assertEquals(2, second.getStatus().getRun());
    assertEquals(HuntVerdict.Haunted, second.getStatus().getVerdict());
    assertEquals(firstAt.plusSeconds(60), Instant.parse(second.getStatus().getLastRunAt()));
    GhostChange appeared = second.getStatus().getChanges().getAppeared().get(0);
    assertEquals(1, second.getStatus().getChanges().getSince());
    assertEquals(GhostName.OrphanedPort, appeared.getGhost());
    assertEquals("node-a", appeared.getNode());
    assertEquals(
        Integer.toString(orphan),
        appeared.getEvidence().get("pid"),
        appeared.getEvidence().toString());
    assertNull(second.getStatus().getChanges().getGone());
    List<Event> appearedEvents = events("every-minute", "GhostAppeared");
    assertEquals(1, appearedEvents.size(), appearedEvents.toString());
    assertTrue(
        appearedEvents
            .get(0)
            .getMessage()
            .startsWith(
                "node-a portOwner tcp/"
                    + PORT
                    + " OrphanedPort (not in run 1): port "
                    + PORT
                    + " is held by PID "
                    + orphan),
        appearedEvents.get(0).getMessage());
    assertEquals(
        1.0,
        metrics
            .registry()
            .find("ghosthunt.ghost.appearances")
            .tag("hunt", NS + "/every-minute")
            .tag("ghost", "OrphanedPort")
            .counter()
            .count());
    assertEquals(
        1.0,
        metrics
            .registry()
            .find("ghosthunt.ghosts")
            .tag("hunt", NS + "/every-minute")
            .tag("node", "node-a")
            .tag("ghost", "OrphanedPort")
            .gauge()
            .value());
    // The chart's dashboard reads only what /metrics serves: every metric its panels name has a
    // series now that a run found a ghost the run before did not. Scraped as Prometheus does.
    var wanted = Dashboard.metrics(Dashboard.json());
    assertTrue(wanted.size() >= 7, wanted.toString());
    assertEquals(
        List.of(),
        Dashboard.missing(wanted, scrape()),
        "metrics the Grafana dashboard names and /metrics does not serve");

    // kubectl get reports lists the run's results; the Report holds the ghost and its evidence.
    assertTrue(
        listed("ghosthunt-every-minute").startsWith("ghosthunt-every-minute 0 1 0 0 0 "),
        listed("ghosthunt-every-minute"));
    Map<String, Object> failed = results(openReport("ghosthunt-every-minute")).get(0);
    assertEquals("portOwner", failed.get("policy"));
    assertEquals("fail", failed.get("result"));
    @SuppressWarnings("unchecked")
    Map<String, String> found = (Map<String, String>) failed.get("properties");
    assertEquals("OrphanedPort", found.get("ghost"));
    assertEquals(Integer.toString(orphan), found.get("evidence.pid"), found.toString());
    assertEquals("2", found.get("run"));
    assertEquals(
        "True",
        second.getStatus().getConditions().stream()
            .filter(c -> OpenReport.CONDITION.equals(c.getType()))
            .findFirst()
            .orElseThrow()
            .getStatus());

    // The operator restarts between runs, and the ghost leaves meanwhile.
    operator.close();
    ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
    operator = startOperator();
    GhostHunt third = runCompleted("every-minute", 3);
    assertEquals(3, third.getStatus().getRun(), "run 3, neither skipped nor run twice");
    assertEquals(firstAt.plusSeconds(120), Instant.parse(third.getStatus().getLastRunAt()));
    assertEquals(HuntVerdict.Clear, third.getStatus().getVerdict(), third.getStatus().getSummary());
    GhostChange gone = third.getStatus().getChanges().getGone().get(0);
    assertEquals(GhostName.OrphanedPort, gone.getGhost());
    assertEquals(2, third.getStatus().getChanges().getSince());
    assertNull(third.getStatus().getChanges().getAppeared());
    assertEquals(1, events("every-minute", "GhostGone").size());
    assertEquals(1, events("every-minute", "GhostAppeared").size(), "once each");
    // historyLimit 2: runs 3 and 2, newest first, each with its schedule time and verdict.
    List<RunSummary> runs = third.getStatus().getRuns();
    assertEquals(List.of(3, 2), runs.stream().map(RunSummary::getRun).toList());
    assertEquals(
        List.of(HuntVerdict.Clear, HuntVerdict.Haunted),
        runs.stream().map(RunSummary::getVerdict).toList());
    assertEquals(firstAt.plusSeconds(60).toString(), runs.get(1).getScheduledAt());
    assertEquals(
        0, third.getStatus().getSkippedRuns() == null ? 0 : third.getStatus().getSkippedRuns());
    assertTrue(
        metrics
            .registry()
            .find("ghosthunt.ghosts")
            .tag("hunt", NS + "/every-minute")
            .gauges()
            .isEmpty(),
        "no current ghost once it is gone");
    // Only this run's reports are left.
    assertEquals(
        1,
        client
            .resources(io.ghosthunt.api.GhostHuntReport.class)
            .inNamespace(NS)
            .withLabel(io.ghosthunt.operator.probes.Labels.HUNT_UID, third.getMetadata().getUid())
            .list()
            .getItems()
            .size());

    // The next run replaced the Report: the ghost is gone from it too.
    assertTrue(
        listed("ghosthunt-every-minute").startsWith("ghosthunt-every-minute 1 0 0 0 0 "),
        listed("ghosthunt-every-minute"));
    assertEquals(
        "3",
        ((Map<?, ?>) results(openReport("ghosthunt-every-minute")).get(0).get("properties"))
            .get("run"));

    GhostHunt suspended =
        client.resources(GhostHunt.class).inNamespace(NS).withName("suspended").get();
    assertNull(suspended.getStatus().getRun(), "a suspended hunt never ran");
    assertNull(suspended.getStatus().getNextRunAt());
    assertEquals(HuntPhase.Pending, suspended.getStatus().getPhase());
    assertTrue(
        suspended.getStatus().getSummary().startsWith("suspended"),
        suspended.getStatus().getSummary());
    assertTrue(events("suspended", "RunStarted").isEmpty());
    assertNull(openReport("ghosthunt-suspended"), "a hunt that never ran has no Report");

    // Gone with the hunt: the garbage collector follows the Report's owner reference.
    client.resources(GhostHunt.class).inNamespace(NS).withName("every-minute").delete();
    client
        .genericKubernetesResources(OpenReport.API_VERSION, OpenReport.KIND)
        .inNamespace(NS)
        .withName("ghosthunt-every-minute")
        .waitUntilCondition(java.util.Objects::isNull, 90, TimeUnit.SECONDS);
  }

  @Test
  void aYearlyHuntRunsNowWhenAskedOncePerValue() {
    apply(
        "yearly",
        "{schedule: '0 0 1 1 *', nodes: {names: [node-a]}, timeoutSeconds: 40,"
            + " checks: {portOwner: {ports: [8182]}}}");
    Fixtures.awaitPhase(client, NS, "yearly", HuntPhase.Pending, 30);
    Fixtures.runNow(client, NS, "yearly", "first");
    // Within the lost-event sweep's 20 s: the annotation's own event woke the hunt (it changes no
    // generation, and generation-aware processing would have dropped it).
    client
        .resources(GhostHunt.class)
        .inNamespace(NS)
        .withName("yearly")
        .waitUntilCondition(
            h -> h.getStatus() != null && "first".equals(h.getStatus().getLastHandledRunNow()),
            15,
            TimeUnit.SECONDS);
    GhostHunt first = runCompleted("yearly", 1);
    assertEquals(1, first.getStatus().getRun());
    assertEquals(HuntVerdict.Clear, first.getStatus().getVerdict(), first.getStatus().getSummary());
    assertTrue(
        first.getStatus().getNextRunAt().endsWith("-01-01T00:00:00Z"),
        "the schedule is untouched: " + first.getStatus().getNextRunAt());

    Fixtures.runNow(client, NS, "yearly", "second");
    GhostHunt second = runCompleted("yearly", 2);
    assertEquals("second", second.getStatus().getLastHandledRunNow());
    List<Event> started = events("yearly", "RunStarted");
    assertEquals(2, started.stream().mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum());
    assertTrue(
        started.stream()
            .anyMatch(
                e -> e.getMessage().startsWith("run 2 asked for by ghosthunt.io/run-now=second")),
        started.toString());
  }

  @Test
  void aScheduleThatIsNoCronScheduleIsAnInvalidSpecWithTheReason() {
    apply("bad-schedule", "{schedule: '61 * * * *', checks: {portOwner: {ports: [" + PORT + "]}}}");
    GhostHunt bad = Fixtures.awaitPhase(client, NS, "bad-schedule", HuntPhase.Failed, 30);
    assertTrue(
        bad.getStatus().getSummary().contains("spec.schedule '61 * * * *' is not a cron schedule"),
        bad.getStatus().getSummary());
    assertEquals("InvalidSpec", bad.getStatus().getConditions().get(0).getReason());
  }
}
