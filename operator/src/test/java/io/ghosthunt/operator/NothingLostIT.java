package io.ghosthunt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.lab.cluster.Images;
import io.ghosthunt.lab.cluster.LabNode;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.testing.ControlPlaneExtension;
import io.ghosthunt.operator.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults after a probe reported, for real: its probe pod deleted, its kubelet killed until the
 * controller-manager calls the node NotReady, the Node deleted; and the operator stopped right
 * after it created a hunt's probe. Whatever a report said stands, and the hunt's clock never moves.
 */
@ExtendWith(ControlPlaneExtension.class)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class NothingLostIT {

  static final String NS = "lost";
  static final String PROBES = "lost-probes";

  static ControlPlane cp;
  static KubernetesClient client;
  static Lab lab;
  static LabNode doomed;
  static LabNode cutOff;
  static int squatter;
  static GhostHuntOperator operator;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    cp = controlPlane;
    client = cp.admin();
    Fixtures.installCrd(cp);
    cp.probeNamespace(PROBES);
    cp.namespace(NS);
    lab = new Lab();
    LabHost haunted = lab.host("doomed");
    squatter = haunted.orphanedListener("0.0.0.0", 8080);
    List<Path> images = Images.forNodes();
    doomed = LabNode.start(cp, haunted, "node-x", LabNode.Setup.READY, images);
    // Its probe never reaches the API server: it keeps a hunt open until its deadline.
    cutOff = LabNode.start(cp, lab.host("cut-off"), "node-y", LabNode.Setup.API_DROPPED, images);
    for (LabNode n : List.of(doomed, cutOff)) {
      n.awaitReady(client, true, Duration.ofMinutes(2));
    }
    operator = startOperator();
  }

  static GhostHuntOperator startOperator() {
    return Fixtures.startOperator(client, PROBES, NS, new OperatorMetrics());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    for (LabNode n : new LabNode[] {doomed, cutOff}) {
      if (n != null) {
        n.close();
      }
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void etcdAndTheApiServerRestartedMidHuntLoseNoReport() throws Exception {
    GhostHunt hunt =
        Fixtures.applyHunt(
            client,
            NS,
            "restarts",
            "{nodes: {names: [node-x, node-y]}, checks: {portOwner: {ports: [8080],"
                + " expectedProcess: java}}, timeoutSeconds: 60}");
    reportDone(hunt, "node-x");
    // The processes, not a pause: etcd first, then the API server, each stopped and started again.
    cp.restart("etcd");
    cp.restart("apiserver");
    GhostHunt done = awaitComplete("restarts", 150);
    assertEquals(HuntVerdict.Haunted, done.getStatus().getVerdict(), done.getStatus().getSummary());
    assertEquals(1, done.getStatus().getGhosts());
    assertTrue(
        done.getStatus().getSummary().startsWith("node-x: port 8080 is held by PID " + squatter),
        done.getStatus().getSummary());
    assertEquals(
        List.of(),
        client
            .pods()
            .inNamespace(PROBES)
            .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
            .list()
            .getItems());
  }

  static GhostHuntReport reportDone(GhostHunt hunt, String node) throws Exception {
    return client
        .resources(GhostHuntReport.class)
        .inNamespace(NS)
        .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
        .informOnCondition(
            l ->
                l.stream()
                    .anyMatch(
                        r ->
                            node.equals(r.getSpec().getNode())
                                && r.getStatus() != null
                                && r.getStatus().getPhase() == NodePhase.Done))
        .get(90, TimeUnit.SECONDS)
        .stream()
        .filter(r -> node.equals(r.getSpec().getNode()))
        .findFirst()
        .orElseThrow();
  }

  static GhostHunt awaitComplete(String name, int seconds) {
    return Fixtures.awaitPhase(client, NS, name, HuntPhase.Complete, seconds);
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  void aGhostReportedBeforeItsPodItsKubeletAndItsNodeWentStaysInTheHunt() throws Exception {
    GhostHunt hunt =
        Fixtures.applyHunt(
            client,
            NS,
            "doomed",
            "{nodes: {names: [node-x, node-y]}, checks: {portOwner: {ports: [8080],"
                + " expectedProcess: java}}, timeoutSeconds: 120}");
    GhostHuntReport reported = reportDone(hunt, "node-x");
    assertEquals(HuntVerdict.Haunted, reported.getStatus().getVerdict());

    // The faults, one after the other, each after the report: the probe pod deleted, the kubelet
    // killed (NotReady once the controller-manager notices), the Node deleted.
    client
        .pods()
        .inNamespace(PROBES)
        .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
        .list()
        .getItems()
        .stream()
        .filter(p -> "node-x".equals(p.getSpec().getNodeName()))
        .forEach(p -> client.resource(p).withGracePeriod(0).delete());
    doomed.killKubelet();
    // The controller-manager's words for a kubelet that stopped posting: Ready Unknown.
    client
        .nodes()
        .withName("node-x")
        .waitUntilCondition(
            n ->
                n != null
                    && n.getStatus().getConditions().stream()
                        .anyMatch(
                            c -> "Ready".equals(c.getType()) && "Unknown".equals(c.getStatus())),
            120,
            TimeUnit.SECONDS);
    client.nodes().withName("node-x").delete();

    GhostHunt done = awaitComplete("doomed", 200);
    assertEquals(HuntVerdict.Haunted, done.getStatus().getVerdict(), done.getStatus().getSummary());
    assertEquals(1, done.getStatus().getGhosts());
    assertEquals("2/2", done.getStatus().getProgress());
    NodeStatus x =
        done.getStatus().getNodes().stream()
            .filter(n -> n.getNode().equals("node-x"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(done.getStatus().getSummary()));
    assertEquals(NodePhase.Done, x.getPhase());
    assertEquals(Integer.toString(squatter), x.getFindings().get(0).getEvidence().get("pid"));
    assertTrue(
        x.getMessage().startsWith("reported before its node became unreachable ("), x.getMessage());
    assertTrue(
        done.getStatus().getSummary().startsWith("node-x: port 8080 is held by PID " + squatter),
        done.getStatus().getSummary());
    // Nothing of its probes is left, and nothing counted twice.
    String uid = Labels.HUNT_UID + "=" + hunt.getMetadata().getUid();
    assertEquals(
        List.of(), client.pods().inNamespace(PROBES).withLabelSelector(uid).list().getItems());
    assertEquals(
        List.of(),
        client.rbac().roleBindings().inNamespace(NS).withLabelSelector(uid).list().getItems());
    assertEquals(
        List.of(),
        client.serviceAccounts().inNamespace(PROBES).withLabelSelector(uid).list().getItems());
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void anOperatorStoppedRightAfterItMadeAProbeLeavesTheClockWhereItWas() throws Exception {
    // Every probe pod of this hunt that ever exists, however briefly.
    Set<String> probeUids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    var probes =
        client
            .pods()
            .inNamespace(PROBES)
            .inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Pod>() {
                  @Override
                  public void onAdd(Pod pod) {
                    var a = pod.getMetadata().getAnnotations();
                    if (a != null && "clock".equals(a.get(Labels.HUNT_NAME))) {
                      probeUids.add(pod.getMetadata().getUid());
                    }
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    onAdd(after);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {}
                });
    GhostHunt hunt =
        Fixtures.applyHunt(
            client,
            NS,
            "clock",
            "{nodes: {names: [node-y]}, checks: {loopback: {ports: [80]}}, timeoutSeconds: 60}");
    Pod probe =
        client
            .pods()
            .inNamespace(PROBES)
            .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
            .informOnCondition(l -> !l.isEmpty())
            .get(60, TimeUnit.SECONDS)
            .get(0);
    operator.close();
    operator = null;
    GhostHunt seen = client.resource(hunt).get();
    // The clock was written before the probe existed.
    assertFalse(seen.getStatus() == null || seen.getStatus().getStartedAt() == null);
    String startedAt = seen.getStatus().getStartedAt();
    assertFalse(
        Instant.parse(startedAt)
            .isAfter(Instant.parse(probe.getMetadata().getCreationTimestamp()).plusSeconds(1)),
        startedAt + " is after the probe's creation " + probe.getMetadata().getCreationTimestamp());

    operator = startOperator();
    GhostHunt done = awaitComplete("clock", 150);
    assertEquals(startedAt, done.getStatus().getStartedAt(), "the deadline did not move");
    // One probe, never a second: the restarted operator found the first by its name.
    assertEquals(Set.of(probe.getMetadata().getUid()), probeUids, "probe pods of the hunt");
    probes.close();
  }
}
