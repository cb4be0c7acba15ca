package io.ghosthunt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.ghosthunt.agent.cli.AgentCommand;
import io.ghosthunt.agent.cli.HuntCommand;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against a real API server and real nodes (kubelet and containerd in lab network
 * namespaces) that run the probe-agent image this build made, each probe with its own
 * service-account token, RBAC on. Nodes that fail do so for real: one without a CNI configuration
 * stays NotReady, one's kubelet is killed after registering, one's pods may start only a dozen
 * threads.
 */
@ExtendWith(ControlPlaneExtension.class)
class GhostHuntOperatorIT {

  static final String PROBES = "ghosthunt-system";
  static final String NS = "hunts";

  static ControlPlane cp;
  static KubernetesClient client;
  static Lab lab;
  static int squatter;
  static final List<LabNode> nodes = new java.util.ArrayList<>();
  static GhostHuntOperator operator;
  static LabNode dead;
  static LabHost clean;

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    cp = controlPlane;
    Fixtures.installCrd(cp);
    client = cp.admin();
    cp.probeNamespace(PROBES);
    cp.namespace(NS);
    lab = new Lab();
    LabHost haunted = lab.host("haunted");
    squatter = haunted.orphanedListener("0.0.0.0", 8080);
    List<Path> images = Images.forNodes();
    LabNode a = node(haunted, "node-a", LabNode.Setup.READY, images);
    LabNode b = node(lab.host("clean"), "node-b", LabNode.Setup.READY, images);
    clean = b.host();
    // No CNI configuration: the runtime's network never turns ready, nor does the node.
    LabNode c = node(lab.host("no-cni"), "node-c", LabNode.Setup.NO_CNI, images);
    // Ready, but without the probe image and no registry to pull it from (the first install's
    // classic): its probes stay waiting in ErrImagePull / ImagePullBackOff.
    LabNode d = node(lab.host("no-image"), "node-d", LabNode.Setup.READY, Images.pauseOnly());
    // The JVM cannot start its threads under a pods limit of 12: the probe crashes at start.
    LabNode e = node(lab.host("crash"), "node-e", LabNode.Setup.pidsLimit(12), images);
    // Its pods' packets to the API server are dropped: a probe there waits until its deadline.
    LabNode f = node(lab.host("cut-off"), "node-f", LabNode.Setup.API_DROPPED, images);
    LabNode g = node(lab.host("dead"), "node-g", LabNode.Setup.READY, images);
    for (LabNode n : List.of(a, b, d, e, f, g)) {
      n.awaitReady(client, true, Duration.ofMinutes(2));
    }
    c.awaitReady(client, false, Duration.ofMinutes(2));
    // A kubelet that dies after registering: the controller-manager marks its Node Unknown once it
    // stops posting status (node-monitor-grace-period, 50 s).
    g.killKubelet();
    dead = g;
    operator = startOperator();
  }

  static LabNode node(LabHost host, String name, LabNode.Setup setup, List<Path> images) {
    LabNode n = LabNode.start(cp, host, name, setup, images);
    nodes.add(n);
    return n;
  }

  /** The operator's metrics across restarts, as one registry per process would be. */
  static final OperatorMetrics metrics = new OperatorMetrics();

  static GhostHuntOperator startOperator() {
    return Fixtures.startOperator(client, PROBES, NS, metrics);
  }

  static double counter(String name, String tag, String value) {
    var c = metrics.registry().find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    nodes.forEach(LabNode::close);
    if (lab != null) {
      lab.close();
    }
  }

  static GhostHunt apply(String name, String spec) {
    return Fixtures.applyHunt(client, NS, name, spec);
  }

  static GhostHunt waitFor(String name, Predicate<GhostHunt> condition) {
    return client
        .resources(GhostHunt.class)
        .inNamespace(NS)
        .withName(name)
        .waitUntilCondition(h -> h != null && condition.test(h), 90, TimeUnit.SECONDS);
  }

  static boolean complete(GhostHunt h) {
    return h.getStatus() != null
        && h.getStatus().getPhase() == HuntPhase.Complete
        && h.getStatus().getObservedGeneration() != null
        && h.getStatus().getObservedGeneration().equals(h.getMetadata().getGeneration());
  }

  /** Every node's entry: the reports' (what the probes wrote) and the ones the operator decided. */
  static Map<String, NodeStatus> byNode(GhostHunt h) {
    return HuntCommand.withReports(client, h).getNodes().stream()
        .collect(Collectors.toMap(NodeStatus::getNode, n -> n));
  }

  static List<Pod> pods(GhostHunt h) {
    return client
        .pods()
        .inNamespace(PROBES)
        .withLabel(Labels.HUNT_UID, h.getMetadata().getUid())
        .list()
        .getItems();
  }

  static String kubectl(String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                cp.kubectl().toString(),
                "--kubeconfig",
                cp.kubeconfigFile(java.nio.file.Files.createTempDirectory("kc")).toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void huntAcrossNodesNamesTheGhostAndTheUnreachableNode() throws Exception {
    double orphansBefore = counter("ghosthunt.ghosts.found", "ghost", "OrphanedPort");
    long portChecksBefore =
        metrics
            .registry()
            .find("ghosthunt.check.duration")
            .tag("check", "portOwner")
            .timers()
            .stream()
            .mapToLong(t -> t.count())
            .sum();
    GhostHunt hunt =
        apply(
            "tuesday",
            "{nodes: {names: [node-a, node-b, node-c]}, checks: {portOwner: {ports: [8080],"
                + " expectedProcess: java}}, timeoutSeconds: 60}");

    // What a pipeline does: kubectl wait on the Complete condition.
    kubectl("wait", "--for=condition=Complete", "ghosthunt/tuesday", "-n", NS, "--timeout=90s");
    GhostHunt done = waitFor("tuesday", GhostHuntOperatorIT::complete);

    assertEquals(HuntVerdict.Haunted, done.getStatus().getVerdict());
    assertEquals(1, done.getStatus().getGhosts());
    assertEquals("3/3", done.getStatus().getProgress());
    assertTrue(
        done.getStatus().getSummary().startsWith("node-a: port 8080 is held by PID " + squatter),
        done.getStatus().getSummary());
    assertTrue(
        done.getStatus().getSummary().contains("1 node not hunted (node-c: Unreachable)"),
        done.getStatus().getSummary());

    Map<String, NodeStatus> nodes = byNode(done);
    Finding ghost = nodes.get("node-a").getFindings().get(0);
    assertEquals(GhostName.OrphanedPort, ghost.getGhost());
    assertEquals(Integer.toString(squatter), ghost.getEvidence().get("pid"));
    assertEquals(NodePhase.Done, nodes.get("node-b").getPhase());
    assertEquals(
        io.ghosthunt.api.status.FindingVerdict.Clear,
        nodes.get("node-b").getFindings().get(0).getVerdict());
    assertEquals("tcp/8080", nodes.get("node-b").getFindings().get(0).getTarget());
    assertNull(
        nodes.get("node-b").getFindings().get(0).getSummary(),
        "a Clear finding is compacted in the cluster");
    assertEquals(NodePhase.Unreachable, nodes.get("node-c").getPhase());
    // The kubelet's own words for a node without a pod network (bracketed when it had more to
    // say at that moment).
    String noCni = nodes.get("node-c").getMessage();
    assertTrue(
        noCni.startsWith("NotReady (False): KubeletNotReady - ")
            && noCni.contains("container runtime network not ready: NetworkReady=false"),
        noCni);

    // The metrics count what the probes found, through the reconciler: one ghost, two nodes'
    // portOwner timings.
    assertEquals(
        orphansBefore + 1,
        counter("ghosthunt.ghosts.found", "ghost", "OrphanedPort"),
        metrics.render());
    assertEquals(
        portChecksBefore + 2,
        metrics
            .registry()
            .find("ghosthunt.check.duration")
            .tag("check", "portOwner")
            .timers()
            .stream()
            .mapToLong(t -> t.count())
            .sum(),
        metrics.render());
    String scraped = metrics.render();
    assertTrue(scraped.contains("ghosthunt_ghosts_found_total{ghost=\"OrphanedPort\"}"), scraped);
    assertTrue(
        scraped.contains("operator_sdk_"),
        "JOSDK's reconcile meters in the same registry:\n" + scraped);
    assertTrue(scraped.contains("jvm_memory_used_bytes"), scraped);

    var conditions =
        done.getStatus().getConditions().stream()
            .collect(Collectors.toMap(c -> c.getType(), c -> c));
    assertEquals("True", conditions.get("Complete").getStatus());
    assertEquals(1L, conditions.get("Complete").getObservedGeneration());
    assertEquals("True", conditions.get("GhostFound").getStatus());
    assertEquals("OrphanedPort", conditions.get("GhostFound").getReason());

    // Privilege is short-lived: probes and their identity are gone once the hunt is complete.
    String uid = done.getMetadata().getUid();
    gone(client.pods().inNamespace(PROBES).withLabel(Labels.HUNT_UID, uid));
    gone(client.serviceAccounts().inNamespace(PROBES).withLabel(Labels.HUNT_UID, uid));
    gone(client.rbac().roles().inNamespace(NS).withLabel(Labels.HUNT_UID, uid));
    gone(client.rbac().roleBindings().inNamespace(NS).withLabel(Labels.HUNT_UID, uid));

    List<String> reasons =
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> "tuesday".equals(e.getInvolvedObject().getName()))
            .map(Event::getReason)
            .toList();
    assertTrue(
        reasons.containsAll(List.of("HuntStarted", "NodeUnreachable", "GhostFound")),
        reasons.toString());
    assertEquals(1, reasons.stream().filter("GhostFound"::equals).count(), reasons.toString());

    // A status that no longer changes keeps its transition times.
    String since = conditions.get("Complete").getLastTransitionTime();
    GhostHunt again = client.resources(GhostHunt.class).inNamespace(NS).withName("tuesday").get();
    assertEquals(
        since,
        again.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Complete"))
            .findFirst()
            .orElseThrow()
            .getLastTransitionTime());
    assertNull(hunt.getStatus());
  }

  @Test
  void aListenerWithSecretsOnItsCommandLineIsNamedByPidAndNoSecretLeavesTheProbe()
      throws Exception {
    List<String> secrets = List.of("hunter2", "s3cr3t-abc", "p4ss");
    int pid =
        clean.listenWithArgs(
            "0.0.0.0",
            9443,
            "--db-password=hunter2",
            "--token",
            "s3cr3t-abc",
            "postgres://u:p4ss@h/db");
    try {
      apply(
          "secrets",
          "{nodes: {names: [node-b]}, checks: {portOwner: {ports: [9443], expectedProcess:"
              + " nobody}}, timeoutSeconds: 60}");
      GhostHunt done = waitFor("secrets", GhostHuntOperatorIT::complete);
      Finding ghost = byNode(done).get("node-b").getFindings().get(0);
      assertEquals(GhostName.OrphanedPort, ghost.getGhost(), ghost.getSummary());
      assertEquals(Integer.toString(pid), ghost.getEvidence().get("pid"));
      // The program and the rest of its command line stay; the secrets are masked.
      String command = ghost.getEvidence().get("command");
      assertTrue(command.contains("--db-password=*** --token *** postgres://***@h/db"), command);
      // Nowhere in what the cluster keeps: the hunt, its reports, its events.
      for (String kept :
          List.of(
              kubectl("get", "ghosthunt", "secrets", "-n", NS, "-o", "yaml"),
              kubectl("get", "ghr", "-n", NS, "-l", "ghosthunt.io/hunt=secrets", "-o", "yaml"),
              kubectl("get", "events", "-n", NS, "-o", "yaml"))) {
        for (String secret : secrets) {
          assertFalse(kept.contains(secret), secret + " in:\n" + kept);
        }
      }
      assertTrue(
          done.getStatus().getSummary().contains("PID " + pid), done.getStatus().getSummary());
      client.resource(done).delete();
    } finally {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aProbeTokenWritesItsOwnNodesReportReadsItsCaBundleAndIsForbiddenEverythingElse()
      throws Exception {
    // node-d's probe waits for its image and node-f's for its deadline: both hunts stay Running.
    GhostHunt a =
        apply(
            "rbac-a",
            "{nodes: {names: [node-d, node-f]}, checks: {loopback: {ports: [80]},"
                + " http2: {urls: [\"https://192.0.2.80/\"], caBundleConfigMap: {name: ca-a}}}, timeoutSeconds: 300}");
    for (String ns : List.of(NS, PROBES)) {
      for (String name : List.of("ca-a", "other-ca")) {
        client
            .resource(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .endMetadata()
                    .addToData("ca.crt", "-----BEGIN CERTIFICATE-----")
                    .build())
            .create();
      }
    }
    GhostHunt b =
        apply(
            "rbac-b",
            "{nodes: {names: [node-d]}, checks: {loopback: {ports: [80]}}, timeoutSeconds: 300}");
    GhostHunt huntA =
        waitFor("rbac-a", h -> h.getStatus() != null && h.getStatus().getStartedAt() != null);
    GhostHunt huntB =
        waitFor("rbac-b", h -> h.getStatus() != null && h.getStatus().getStartedAt() != null);
    List<GhostHuntReport> reportsA = reports(huntA, 2);
    List<GhostHuntReport> reportsB = reports(huntB, 1);
    Pod podA =
        client
            .pods()
            .inNamespace(PROBES)
            .withName(Labels.podName(huntA, "node-d", 0))
            .waitUntilCondition(java.util.Objects::nonNull, 30, TimeUnit.SECONDS);
    // The token a kubelet mounts into the node-d probe of rbac-a: bound to the pod, and so to
    // node-d.
    String token =
        client
            .serviceAccounts()
            .inNamespace(PROBES)
            .withName(Labels.agentName(huntA))
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .withNewBoundObjectRef()
                    .withApiVersion("v1")
                    .withKind("Pod")
                    .withName(podA.getMetadata().getName())
                    .withUid(podA.getMetadata().getUid())
                    .endBoundObjectRef()
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    String unbound =
        client
            .serviceAccounts()
            .inNamespace(PROBES)
            .withName(Labels.agentName(huntA))
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    GhostHuntReport ownReport = report(reportsA, "node-d");
    try (KubernetesClient agentA = ControlPlane.clientFor(tokenConfig(token));
        KubernetesClient notOnANode = ControlPlane.clientFor(tokenConfig(unbound))) {
      // Its own node's report of its own hunt: the agent's real write.
      AgentCommand.writeReport(
          agentA, NS, ownReport.getMetadata().getName(), entry("node-d"), java.time.Instant.now());
      assertEquals(NodePhase.Done, client.resource(ownReport).get().getStatus().getPhase());

      // A report past its schema's bounds is refused by the API server (a 900 KB evidence value).
      // Written raw, past the agent's own cutting, as a forged client would.
      var raw = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
      raw.setApiVersion("ghosthunt.io/v1alpha1");
      raw.setKind("GhostHuntReport");
      raw.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName(ownReport.getMetadata().getName())
              .withNamespace(NS)
              .build());
      raw.setAdditionalProperty(
          "status",
          Map.of(
              "phase",
              "Done",
              "findings",
              List.of(
                  Map.of(
                      "check",
                      "loopback",
                      "target",
                      "localhost:80",
                      "verdict",
                      "Inconclusive",
                      "evidence",
                      Map.of("x", "a".repeat(900_000))))));
      KubernetesClientException tooBig =
          org.junit.jupiter.api.Assertions.assertThrows(
              KubernetesClientException.class,
              () ->
                  agentA
                      .resource(raw)
                      .subresource("status")
                      .patch(
                          new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
                              .withPatchType(
                                  io.fabric8.kubernetes.client.dsl.base.PatchType.SERVER_SIDE_APPLY)
                              .withFieldManager("forger")
                              .withForce(true)
                              .build()));
      assertEquals(422, tooBig.getCode(), tooBig.getMessage().substring(0, 300));
      // A finding its hunt never asked for (dns, while rbac-a asked loopback and http2) is written,
      // and the operator drops it with a Warning naming the node; the hunt stays without a ghost.
      NodeStatus forged = entry("node-d");
      Finding dns =
          io.ghosthunt.agent.check.Findings.ghost(
              io.ghosthunt.api.CheckKey.DNS,
              "app.example.com",
              GhostName.StaleDns,
              "forged",
              "none");
      forged.addFinding(dns);
      AgentCommand.writeReport(
          agentA, NS, ownReport.getMetadata().getName(), forged, java.time.Instant.now());
      client
          .v1()
          .events()
          .inNamespace(NS)
          .withField("involvedObject.name", "rbac-a")
          .informOnCondition(l -> l.stream().anyMatch(e -> "FindingsDropped".equals(e.getReason())))
          .get(60, TimeUnit.SECONDS);
      var dropped =
          client
              .v1()
              .events()
              .inNamespace(NS)
              .withField("involvedObject.name", "rbac-a")
              .list()
              .getItems()
              .stream()
              .filter(e -> "FindingsDropped".equals(e.getReason()))
              .findFirst()
              .orElseThrow();
      assertTrue(
          dropped.getMessage().startsWith("node-d: dropped 1 of 2 reported findings"),
          dropped.getMessage());
      // Once node-d counts as decided, its forged ghost is nowhere in the hunt.
      GhostHunt afterForgery =
          waitFor(
              "rbac-a", h -> h.getStatus() != null && "1/2".equals(h.getStatus().getProgress()));
      assertTrue(
          afterForgery.getStatus().getGhosts() == null || afterForgery.getStatus().getGhosts() == 0,
          afterForgery.getStatus().getSummary());
      assertFalse(
          client.getKubernetesSerialization().asYaml(afterForgery.getStatus()).contains("forged"));

      forbidden(
          () ->
              AgentCommand.writeReport(
                  agentA,
                  NS,
                  report(reportsA, "node-f").getMetadata().getName(),
                  entry("node-f"),
                  java.time.Instant.now()),
          "the report of the node its pod runs on");
      forbidden(
          () ->
              AgentCommand.writeReport(
                  agentA,
                  NS,
                  report(reportsB, "node-d").getMetadata().getName(),
                  entry("node-d"),
                  java.time.Instant.now()),
          "the reports of its own hunt");
      forbidden(
          () ->
              AgentCommand.writeReport(
                  notOnANode,
                  NS,
                  ownReport.getMetadata().getName(),
                  entry("node-d"),
                  java.time.Instant.now()),
          "the report of the node its pod runs on");
      // The same node's report of another round of the same hunt (the next generation's, made
      // before this probe ends): its token is bound to this round's pod only.
      GhostHunt nextRound = client.getKubernetesSerialization().clone(huntA);
      nextRound.getMetadata().setGeneration(huntA.getMetadata().getGeneration() + 1);
      GhostHuntReport otherRound =
          client
              .resource(
                  io.ghosthunt.operator.probes.ReportFactory.build(
                      nextRound, io.ghosthunt.operator.observer.HuntTarget.node("node-d", null), 0))
              .create();
      forbidden(
          () ->
              AgentCommand.writeReport(
                  agentA,
                  NS,
                  otherRound.getMetadata().getName(),
                  entry("node-d"),
                  java.time.Instant.now()),
          "the reports of its own round");
      client.resource(otherRound).delete();
      forbidden(
          () ->
              agentA
                  .resource(ownReport)
                  .edit(
                      r -> {
                        r.getMetadata().getLabels().put("tampered", "yes");
                        return r;
                      }),
          null);
      forbidden(
          () ->
              agentA
                  .resources(GhostHunt.class)
                  .inNamespace(NS)
                  .withName("rbac-a")
                  .subresource("status")
                  .patch(
                      io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                          io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                      "{\"status\":{\"verdict\":\"Clear\"}}"),
          null);

      assertEquals(
          "rbac-a",
          agentA
              .resources(GhostHunt.class)
              .inNamespace(NS)
              .withName("rbac-a")
              .get()
              .getMetadata()
              .getName());
      forbidden(
          () -> agentA.resources(GhostHunt.class).inNamespace(NS).withName("rbac-b").get(), null);
      forbidden(() -> agentA.pods().inNamespace(PROBES).list(), null);
      // The CA bundle its spec names it may read, in its hunt's namespace only; no other ConfigMap,
      // and no Secret at all.
      assertEquals(
          "ca-a",
          agentA.configMaps().inNamespace(NS).withName("ca-a").get().getMetadata().getName());
      forbidden(() -> agentA.configMaps().inNamespace(PROBES).withName("ca-a").get(), null);
      forbidden(() -> agentA.configMaps().inNamespace(NS).withName("other-ca").get(), null);
      forbidden(() -> agentA.configMaps().inNamespace(NS).list(), null);
      forbidden(() -> agentA.secrets().inNamespace(NS).list(), null);
    }
    client.resource(a).delete();
    client.resource(b).delete();
  }

  static void forbidden(org.junit.jupiter.api.function.Executable call, String because) {
    KubernetesClientException e =
        org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class, call);
    assertEquals(403, e.getCode(), e.getMessage());
    if (because != null) {
      assertTrue(e.getMessage().contains("a probe may only write " + because), e.getMessage());
    }
  }

  static NodeStatus entry(String node) {
    NodeStatus n = new NodeStatus(node, NodePhase.Done);
    n.addFinding(
        new io.ghosthunt.api.status.Finding(
            io.ghosthunt.api.CheckKey.LOOPBACK,
            "localhost:80",
            io.ghosthunt.api.status.FindingVerdict.Clear));
    return n;
  }

  /** The hunt's reports of its current generation, once there are {@code count}. */
  static List<GhostHuntReport> reports(GhostHunt hunt, int count) {
    return client
        .resources(GhostHuntReport.class)
        .inNamespace(NS)
        .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
        .informOnCondition(l -> l.size() == count)
        .join();
  }

  static GhostHuntReport report(List<GhostHuntReport> reports, String node) {
    return reports.stream()
        .filter(r -> r.getSpec().getNode().equals(node))
        .findFirst()
        .orElseThrow();
  }

  private static String tokenConfig(String token) {
    Path file = null;
    try {
      file = java.nio.file.Files.createTempFile("agent", ".kubeconfig");
      return java.nio.file.Files.readString(ControlPlane.tokenKubeconfig(client, token, file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      ControlPlane.deleteQuietly(file);
    }
  }

  @Test
  void crashedAndNeverStartedProbesStillLetTheHuntComplete() {
    apply(
        "lost-probes",
        "{nodes: {names: [node-b, node-d, node-e]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 8}");

    GhostHunt done = waitFor("lost-probes", GhostHuntOperatorIT::complete);

    Map<String, NodeStatus> nodes = byNode(done);
    assertEquals(
        Set.of("node-b", "node-d", "node-e"),
        nodes.keySet(),
        () -> client.getKubernetesSerialization().asYaml(done));
    assertEquals(NodePhase.Done, nodes.get("node-b").getPhase());
    assertEquals(NodePhase.Failed, nodes.get("node-e").getPhase());
    // The JVM's last words reach the node's entry through the pod's termination message.
    assertTrue(
        nodes.get("node-e").getMessage().startsWith("the probe pod failed: exit code 1 (Error): "),
        nodes.get("node-e").getMessage());
    // Where the JVM runs out of threads varies (VM start, or the first jar it opens); why does not.
    assertTrue(
        nodes
            .get("node-e")
            .getMessage()
            .contains("java.lang.OutOfMemoryError: unable to create native thread"),
        nodes.get("node-e").getMessage());
    assertEquals(NodePhase.Unreachable, nodes.get("node-d").getPhase());
    // The kubelet's reason it is still waiting, with the image it cannot get (or, should the
    // kubelet
    // end the pod at its activeDeadlineSeconds first, that).
    assertTrue(
        nodes
            .get("node-d")
            .getMessage()
            .matches(
                "the probe pod did not start within timeoutSeconds \\(8 s\\): ("
                    + "(ErrImagePull|ImagePullBackOff): .*"
                    + java.util.regex.Pattern.quote(Images.probeAgent())
                    + ".*"
                    + "|it passed its deadline \\(activeDeadlineSeconds\\))"),
        nodes.get("node-d").getMessage());
    assertEquals(
        HuntVerdict.Inconclusive,
        done.getStatus().getVerdict(),
        "no ghost, but two nodes were not hunted");
    assertEquals("3/3", done.getStatus().getProgress());
  }

  @Test
  void aNodeWhoseKubeletDiedIsUnreachableInTheControllerManagersWords() {
    dead.awaitReady(client, null, Duration.ofMinutes(2));
    apply(
        "dead-node",
        "{nodes: {names: [node-g]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 30}");

    GhostHunt done = waitFor("dead-node", GhostHuntOperatorIT::complete);

    NodeStatus g = byNode(done).get("node-g");
    assertEquals(NodePhase.Unreachable, g.getPhase());
    assertEquals(
        "NotReady (Unknown): NodeStatusUnknown - Kubelet stopped posting node status.",
        g.getMessage());
    assertTrue(
        client
            .pods()
            .inNamespace(PROBES)
            .withLabel(Labels.HUNT_UID, done.getMetadata().getUid())
            .list()
            .getItems()
            .isEmpty(),
        "no probe is sent to a node that cannot run it");
  }

  @Test
  void aProbeStoppedAtItsDeadlineSaysWhatItWasWaitingFor() {
    apply(
        "cut-off",
        "{nodes: {names: [node-f]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 12}");

    GhostHunt done = waitFor("cut-off", GhostHuntOperatorIT::complete);

    NodeStatus f = byNode(done).get("node-f");
    assertEquals(NodePhase.Failed, f.getPhase(), f.getMessage());
    // The kubelet's SIGTERM at activeDeadlineSeconds, the agent's last words, the termination
    // message.
    assertTrue(
        f.getMessage()
            .startsWith(
                "the probe pod failed: it passed its deadline (activeDeadlineSeconds);"
                    + " its last words: ghosthunt agent: stopped after "),
        f.getMessage());
    assertTrue(
        f.getMessage()
            .contains(
                " while reading GhostHunt hunts/cut-off from https://"
                    + ControlPlane.KUBERNETES_SERVICE_IP
                    + ":443"),
        f.getMessage());
  }

  @Test
  void aMissingProbeNamespaceBlocksTheHuntWithWhatToRunOnceAndTheHuntGoesOnWhenItExists() {
    String team = "hunts-elsewhere";
    String missing = "probes-not-yet";
    cp.namespace(team);
    // An operator identity with every right a hunt needs but none on namespaces, as the chart's is.
    client
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
                .withNewMetadata()
                .withName("limited-operator")
                .endMetadata()
                .addNewRule()
                .withApiGroups("", "ghosthunt.io", "rbac.authorization.k8s.io")
                .withResources(
                    "nodes",
                    "pods",
                    "serviceaccounts",
                    "events",
                    "ghosthunts",
                    "ghosthunts/status",
                    "ghosthuntreports",
                    "ghosthuntreports/status",
                    "roles",
                    "rolebindings",
                    "clusterroles")
                .withVerbs("*")
                .endRule()
                // It checks that the admission policies exist before it starts any probe.
                .addNewRule()
                .withApiGroups("admissionregistration.k8s.io")
                .withResources("validatingadmissionpolicies", "validatingadmissionpolicybindings")
                .withVerbs("get")
                .endRule()
                .build())
        .serverSideApply();
    client
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("limited-operator")
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("limited-operator")
                .endRoleRef()
                .addNewSubject()
                .withKind("User")
                .withName("limited-operator")
                .endSubject()
                .build())
        .serverSideApply();
    try (KubernetesClient limited =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(
                        io.fabric8.kubernetes.client.Config.fromKubeconfig(cp.kubeconfigYaml()))
                    .withImpersonateUsername("limited-operator")
                    .build())
            .build()) {
      GhostHuntOperator op =
          new GhostHuntOperator(
              limited,
              new OperatorConfig(
                  missing,
                  Images.probeAgent(),
                  false,
                  Set.of(team),
                  OperatorConfig.ProbeResources.DEFAULT,
                  List.of()),
              new OperatorMetrics(),
              null);
      op.start();
      try {
        client
            .resource(
                client
                    .getKubernetesSerialization()
                    .unmarshal(
                        """
            apiVersion: ghosthunt.io/v1alpha1
            kind: GhostHunt
            metadata: {name: blocked, namespace: %s}
            spec: {nodes: {names: [node-d]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 75}
            """
                            .formatted(team),
                        GhostHunt.class))
            .serverSideApply();
        // Its twin with less time: blocked past its deadline, it ends with the reason.
        Fixtures.applyHunt(
            client,
            team,
            "blocked-short",
            "{nodes: {names: [node-d]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 10}");
        var hunt = client.resources(GhostHunt.class).inNamespace(team).withName("blocked");
        GhostHunt blocked =
            hunt.waitUntilCondition(
                h ->
                    h != null
                        && h.getStatus() != null
                        && h.getStatus().getConditions() != null
                        && h.getStatus().getConditions().stream()
                            .anyMatch(c -> "ProbeNamespaceMissing".equals(c.getReason())),
                60,
                TimeUnit.SECONDS);
        assertEquals(HuntPhase.Pending, blocked.getStatus().getPhase());
        var complete =
            blocked.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Complete"))
                .findFirst()
                .orElseThrow();
        assertEquals("False", complete.getStatus());
        assertTrue(
            complete
                .getMessage()
                .contains(
                    "run `kubectl create namespace "
                        + missing
                        + " && kubectl label namespace "
                        + missing
                        + " pod-security.kubernetes.io/enforce=privileged`"),
            complete.getMessage());
        // Told once, not at every retry: through the next retries (every 15 s) no second Event
        // comes.
        java.util.function.Predicate<List<Event>> twice =
            l ->
                l.stream()
                        .filter(
                            e ->
                                "blocked".equals(e.getInvolvedObject().getName())
                                    && "ProbeNamespaceMissing".equals(e.getReason()))
                        .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
                        .sum()
                    > 1;
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.TimeoutException.class,
            () ->
                client
                    .v1()
                    .events()
                    .inNamespace(team)
                    .informOnCondition(twice)
                    .get(35, TimeUnit.SECONDS));

        // The twin's clock ran out while it was blocked: Failed, with the reason it could not
        // start,
        // its clock the one it was given at the start.
        GhostHunt ended = Fixtures.awaitPhase(client, team, "blocked-short", HuntPhase.Failed, 30);
        var endedComplete =
            ended.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Complete"))
                .findFirst()
                .orElseThrow();
        assertEquals("True", endedComplete.getStatus());
        assertEquals("ProbeNamespaceMissing", endedComplete.getReason());
        assertTrue(
            endedComplete
                .getMessage()
                .startsWith("the hunt ran out of time (timeoutSeconds) while blocked: "),
            endedComplete.getMessage());
        assertTrue(
            java.time.Duration.between(
                        Instant.parse(ended.getStatus().getStartedAt()),
                        Instant.parse(ended.getMetadata().getCreationTimestamp()))
                    .abs()
                    .toSeconds()
                < 5,
            "the clock started when the hunt did: " + ended.getStatus().getStartedAt());

        // Done as it says: the hunt goes on by itself.
        cp.probeNamespace(missing);
        GhostHunt done =
            hunt.waitUntilCondition(
                h ->
                    h != null
                        && h.getStatus() != null
                        && h.getStatus().getPhase() == HuntPhase.Complete,
                90,
                TimeUnit.SECONDS);
        assertEquals("1/1", done.getStatus().getProgress());
        assertEquals(
            NodePhase.Unreachable,
            done.getStatus().getNodes().get(0).getPhase(),
            "node-d has no probe image");
      } finally {
        op.close();
      }
    }
  }

  @Test
  void aNewSpecHuntsAgainAndDeletingTheHuntRemovesItsProbes() {
    apply(
        "regen",
        "{nodes: {names: [node-b]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 60}");
    GhostHunt first = waitFor("regen", GhostHuntOperatorIT::complete);
    assertEquals(1L, first.getStatus().getObservedGeneration());

    apply(
        "regen",
        "{nodes: {names: [node-a]}, checks: {portOwner: {ports: [8080], expectedProcess: java}}, timeoutSeconds: 60}");
    GhostHunt second = waitFor("regen", h -> h.getMetadata().getGeneration() == 2 && complete(h));
    assertEquals(2L, second.getStatus().getObservedGeneration());
    assertEquals(
        Set.of("node-a"), byNode(second).keySet(), "the first generation's entries are gone");
    assertEquals(HuntVerdict.Haunted, second.getStatus().getVerdict());
    assertEquals(2L, byNode(second).get("node-a").getGeneration());
    assertNotEquals(first.getStatus().getStartedAt(), second.getStatus().getStartedAt());
    // The first generation's report is gone; the second's is there, owned by the hunt.
    List<GhostHuntReport> reports =
        client
            .resources(GhostHuntReport.class)
            .inNamespace(NS)
            .withLabel(Labels.HUNT_UID, second.getMetadata().getUid())
            .list()
            .getItems();
    assertEquals(
        List.of("node-a/2"),
        reports.stream()
            .map(r -> r.getSpec().getNode() + "/" + r.getSpec().getGeneration())
            .toList());
    assertEquals("regen", reports.get(0).getMetadata().getOwnerReferences().get(0).getName());

    // A hunt deleted mid-way takes its probes and its agent identity with it.
    GhostHunt pending =
        apply(
            "doomed",
            "{nodes: {names: [node-d]}, checks: {loopback: {ports: [80]}}, timeoutSeconds: 300}");
    GhostHunt running =
        waitFor(
            "doomed", h -> h.getStatus() != null && h.getStatus().getPhase() == HuntPhase.Pending);
    client
        .pods()
        .inNamespace(PROBES)
        .withLabel(Labels.HUNT_UID, running.getMetadata().getUid())
        .informOnCondition(l -> l.size() == 1)
        .join();
    client.resource(pending).delete();
    client
        .resources(GhostHunt.class)
        .inNamespace(NS)
        .withName("doomed")
        .waitUntilCondition(java.util.Objects::isNull, 30, TimeUnit.SECONDS);
    assertTrue(
        pods(running).isEmpty()
            || pods(running).stream()
                .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
    assertTrue(
        client
            .serviceAccounts()
            .inNamespace(PROBES)
            .withLabel(Labels.HUNT_UID, running.getMetadata().getUid())
            .list()
            .getItems()
            .isEmpty());
    assertTrue(
        client
            .rbac()
            .roleBindings()
            .inNamespace(NS)
            .withLabel(Labels.HUNT_UID, running.getMetadata().getUid())
            .list()
            .getItems()
            .isEmpty());
    assertTrue(
        client
            .resources(GhostHuntReport.class)
            .inNamespace(NS)
            .withLabel(Labels.HUNT_UID, running.getMetadata().getUid())
            .list()
            .getItems()
            .isEmpty(),
        "a deleted hunt's reports go with it");
  }

  @Test
  void theNextOperatorRemovesWhatAReplicaThatDiedAfterCompletingAHuntLeftBehind() {
    operator.close();
    try {
      GhostHunt hunt =
          apply("left-behind", "{nodes: {names: [node-b]}, checks: {loopback: {ports: [80]}}}");
      // What the dead replica wrote and left: the Complete status, the agent's identity and a
      // probe.
      GhostHuntStatus complete = new GhostHuntStatus();
      complete.setObservedGeneration(hunt.getMetadata().getGeneration());
      complete.setPhase(HuntPhase.Complete);
      complete.setStartedAt(java.time.Instant.now().toString());
      GhostHunt status = new GhostHunt();
      status.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName("left-behind")
              .withNamespace(NS)
              .build());
      status.setStatus(complete);
      client
          .resource(status)
          .subresource("status")
          .patch(
              new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
                  .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager("dead-replica")
                  .withForce(true)
                  .build());
      new io.ghosthunt.operator.probes.AgentRbac(
              client,
              new OperatorConfig(
                  PROBES,
                  Images.probeAgent(),
                  false,
                  Set.of(),
                  OperatorConfig.ProbeResources.DEFAULT,
                  List.of()))
          .apply(hunt);
      assertEquals(
          1,
          client
              .rbac()
              .roles()
              .inNamespace(NS)
              .withLabel(Labels.HUNT_UID, hunt.getMetadata().getUid())
              .list()
              .getItems()
              .size());
    } finally {
      operator = startOperator();
    }
    String uid =
        client
            .resources(GhostHunt.class)
            .inNamespace(NS)
            .withName("left-behind")
            .get()
            .getMetadata()
            .getUid();
    client
        .rbac()
        .roles()
        .inNamespace(NS)
        .withLabel(Labels.HUNT_UID, uid)
        .informOnCondition(List::isEmpty)
        .join();
    assertTrue(
        client
            .rbac()
            .roleBindings()
            .inNamespace(NS)
            .withLabel(Labels.HUNT_UID, uid)
            .list()
            .getItems()
            .isEmpty());
    assertTrue(
        client
            .serviceAccounts()
            .inNamespace(PROBES)
            .withLabel(Labels.HUNT_UID, uid)
            .list()
            .getItems()
            .isEmpty());
    assertEquals(
        HuntPhase.Complete,
        client
            .resources(GhostHunt.class)
            .inNamespace(NS)
            .withName("left-behind")
            .get()
            .getStatus()
            .getPhase(),
        "the hunt is not hunted again");
  }

  @Test
  void anOperatorRestartMidHuntResumesWithoutDuplicatePods() throws Exception {
    apply(
        "restart",
        "{nodes: {names: [node-d, node-b]}, checks: {portOwner: {ports: [8080]}}, timeoutSeconds: 10}");
    GhostHunt running =
        waitFor("restart", h -> h.getStatus() != null && "1/2".equals(h.getStatus().getProgress()));
    List<String> before =
        pods(running).stream().map(p -> p.getMetadata().getName()).sorted().toList();

    operator.close();
    operator = startOperator();

    GhostHunt done = waitFor("restart", GhostHuntOperatorIT::complete);
    assertEquals("2/2", done.getStatus().getProgress());
    assertEquals(
        running.getStatus().getStartedAt(),
        done.getStatus().getStartedAt(),
        "the deadline survived the restart");
    assertEquals(NodePhase.Unreachable, byNode(done).get("node-d").getPhase());
    assertTrue(before.size() <= 2, before.toString());
  }

  /** Waits (watching, up to 30 s) until no object is left that {@code objects} lists. */
  private static void gone(FilterWatchListDeletable<?, ?, ?> objects) throws Exception {
    objects.informOnCondition(List::isEmpty).get(30, TimeUnit.SECONDS);
  }
}
