package io.ghosthunt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ghosthunt.agent.cli.HuntCommand;
import io.ghosthunt.agent.host.PodProcesses;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.lab.DnsLab;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.MtuLab;
import io.ghosthunt.lab.ResolvedLab;
import io.ghosthunt.lab.cluster.ClusterDns;
import io.ghosthunt.lab.cluster.HauntedCluster;
import io.ghosthunt.lab.cluster.HauntedPods;
import io.ghosthunt.lab.cluster.LabNode;
import io.ghosthunt.lab.cluster.NodeLocalCache;
import io.ghosthunt.operator.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hunts inside pods ({@code spec.pods}) in the whole cluster, GhostHunt installed with its chart:
 * the user's pods are plain pods that sleep; each pod-level ghost lives in one pod's own network
 * namespace, with a clean twin beside it, and no pod is touched by the hunt.
 *
 * <ul>
 *   <li>MTU: three pods on node-c, whose path to {@link MtuLab#FAR} carries 1400 bytes and hides
 *       its frag-needed errors; one pod's interface says 1500 (the overlay black hole), the other
 *       two say 1400, as a CNI that subtracts its overhead sets it;
 *   <li>DNS: two pods on node-a with a {@code hostAliases} line for app.example.test, one with the
 *       address from before the migration, one with the current one;
 *   <li>loopback: two pods on node-e with a service on 127.0.0.1:9091, one with a firewall rule in
 *       its own namespace that drops its loopback traffic to the port.
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodHuntE2E {

  static final String NS = "shop";
  static final String OTHER_NS = "elsewhere";
  static final int SERVICE_PORT = 9091;
  static HauntedCluster cluster;
  static Path dir;

  /** Listeners started inside pods' namespaces: they would keep those namespaces alive. */
  static final List<Integer> listeners = new ArrayList<>();

  static int blockedListener;

  @BeforeAll
  static void start() throws Exception {
    dir = Path.of("target", "e2e-pods");
    cluster = HauntedCluster.start(dir, s -> System.out.println("[e2e] " + s), 1);
    for (String ns : List.of(NS, OTHER_NS)) {
      cluster
          .client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    editor();
    pod(NS, "mtu-1500", "node-c", "mtu", null);
    pod(NS, "mtu-1400-a", "node-c", "mtu", null);
    pod(NS, "mtu-1400-b", "node-c", "mtu", null);
    pod(NS, "hosts-stale", "node-a", "dns", DnsLab.OLD);
    pod(NS, "hosts-fresh", "node-a", "dns", DnsLab.NEW);
    pod(NS, "lo-blocked", "node-e", "loopback", null);
    pod(NS, "lo-open", "node-e", "loopback", null);
    // Same labels in another namespace: a hunt in NS must never reach it.
    pod(OTHER_NS, "mtu-elsewhere", "node-b", "mtu", null);
    for (Pod p : cluster.client.pods().inAnyNamespace().withLabel("ghost").list().getItems()) {
      cluster
          .client
          .pods()
          .inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName())
          .waitUntilCondition(
              x -> x != null && "Running".equals(x.getStatus().getPhase()), 2, TimeUnit.MINUTES);
    }
    // What a CNI that knows its overlay's overhead does for the two clean pods.
    for (String name : List.of("mtu-1400-a", "mtu-1400-b")) {
      inPod(name, "ip", "link", "set", "eth0", "mtu", Integer.toString(MtuLab.LINK_MTU));
    }
    for (String name : List.of("lo-blocked", "lo-open")) {
      int pid =
          LabHost.listenIn(
              List.of("nsenter", "--net=/proc/" + pid(name) + "/ns/net"),
              "127.0.0.1",
              SERVICE_PORT);
      listeners.add(pid);
      if (name.equals("lo-blocked")) {
        blockedListener = pid;
      }
    }
    inPod(
        "lo-blocked",
        "sh",
        "-c",
        "nft add table inet ghlo && nft add chain inet ghlo input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghlo input iifname lo tcp dport "
            + SERVICE_PORT
            + " counter drop");
  }

  @AfterAll
  static void stop() {
    for (int pid : listeners) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(0)
  void theOverlayBlackHoleIsFoundInThePodWhoseInterfaceIsLargerThanThePathAndItsTwinsAreClear() {
    GhostHunt hunt = applyAndWait("mtu-in-pods", "mtu", "mtu: {targets: [\"" + MtuLab.FAR + "\"]}");
    Map<String, NodeStatus> pods = byPod(hunt);
    assertEquals(
        List.of("mtu-1400-a", "mtu-1400-b", "mtu-1500"),
        List.copyOf(pods.keySet()),
        "the pods of " + NS + " with the label, never " + OTHER_NS + "'s");
    pods.values().forEach(p -> assertEquals("node-c", p.getNode(), p.getPod()));

    Finding ghost = only(pods.get("mtu-1500"));
    assertEquals(GhostName.MtuBlackhole, ghost.getGhost(), ghost.getSummary());
    assertEquals("1400", ghost.getEvidence().get("pathMtu"), ghost.getEvidence().toString());
    assertEquals(
        "eth0 mtu 1500", ghost.getEvidence().get("interface"), ghost.getEvidence().toString());
    assertTrue(
        ghost.getRemediation().contains("the CNI sets the interface MTU"), ghost.getRemediation());
    for (String clean : List.of("mtu-1400-a", "mtu-1400-b")) {
      assertEquals(
          FindingVerdict.Clear,
          only(pods.get(clean)).getVerdict(),
          clean + ": " + only(pods.get(clean)).getSummary());
    }
    assertEquals(HuntVerdict.Haunted, hunt.getStatus().getVerdict());
    assertTrue(
        hunt.getStatus().getSummary().startsWith("pod/mtu-1500 on node-c: "),
        hunt.getStatus().getSummary());
    assertTrue(
        hunt.getStatus()
            .getSummary()
            .contains("odd pod out: pod/mtu-1500 on node-c (Ghost on mtu " + MtuLab.FAR),
        hunt.getStatus().getSummary());
    assertEquals(List.of("pod/mtu-1500"), hunt.getStatus().getHauntedNodes());

    String described = kubectl("-n", NS, "describe", "ghosthunt", "mtu-in-pods");
    for (String expected :
        List.of(
            "pod/mtu-1500 on node-c",
            "Pod:",
            "mtu-1500",
            "MtuBlackhole",
            "path MTU 1400",
            "AllPodsReported")) {
      assertTrue(
          described.contains(expected), "kubectl describe lacks '" + expected + "':\n" + described);
    }
    String reports =
        kubectl("-n", NS, "get", "ghr", "-o", "wide", "-l", "ghosthunt.io/hunt=mtu-in-pods");
    assertTrue(
        reports
            .lines()
            .findFirst()
            .orElse("")
            .matches("NAME\\s+HUNT\\s+NODE\\s+POD\\s+VERDICT\\s+GHOSTS\\s+AGE"),
        reports);
    assertTrue(
        reports
            .lines()
            .anyMatch(r -> r.matches(".*mtu-in-pods\\s+node-c\\s+mtu-1500\\s+Haunted\\s+1\\s+.*")),
        reports);
    assertEquals(4, reports.lines().count(), reports);
    write("mtu-in-pods.describe.txt", described);
  }

  @Test
  @Order(1)
  void aStaleHostAliasesLineIsFoundInItsPodAndTheCurrentOneIsClear() {
    GhostHunt hunt =
        applyAndWait(
            "dns-in-pods",
            "dns",
            "dns: {names: [app.example.test], expectedAddresses: [\"" + DnsLab.NEW + "\"]}");
    Map<String, NodeStatus> pods = byPod(hunt);
    assertEquals(List.of("hosts-fresh", "hosts-stale"), List.copyOf(pods.keySet()));
    Finding stale = only(pods.get("hosts-stale"));
    assertEquals(GhostName.StaleDns, stale.getGhost(), stale.getSummary());
    assertTrue(
        stale.getEvidence().get("hosts").contains(DnsLab.OLD + "\tapp.example.test"),
        stale.getEvidence().toString());
    // The pod's file as the pod knows it, not the probe's way to it.
    assertTrue(stale.getRemediation().contains("of /etc/hosts"), stale.getRemediation());
    assertTrue(stale.getRemediation().contains("from spec.hostAliases"), stale.getRemediation());
    assertFalse(
        (stale.getSummary() + stale.getRemediation() + stale.getEvidence()).contains("/proc/"),
        stale.toString());
    assertEquals(
        FindingVerdict.Clear,
        only(pods.get("hosts-fresh")).getVerdict(),
        only(pods.get("hosts-fresh")).getSummary());
    assertEquals("node-a", pods.get("hosts-stale").getNode());
  }

  @Test
  @Order(2)
  void aLoopbackBlockedInsideOnePodIsFoundWithItsRuleAndListenerAndTheOtherPodIsClear() {
    GhostHunt hunt =
        applyAndWait("loopback-in-pods", "loopback", "loopback: {ports: [" + SERVICE_PORT + "]}");
    assertLoopback(hunt);
  }

  @Test
  @Order(3)
  void aSelectorThatMatchesNoPodSaysSoInsteadOfAnEmptyClear() {
    GhostHunt hunt =
        applyAndWait("nobody-home", "nobody", "loopback: {ports: [" + SERVICE_PORT + "]}");
    assertEquals(HuntPhase.Failed, hunt.getStatus().getPhase());
    assertEquals(HuntVerdict.Inconclusive, hunt.getStatus().getVerdict());
    Condition complete =
        hunt.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Complete"))
            .findFirst()
            .orElseThrow();
    assertEquals("NoPods", complete.getReason());
    assertTrue(
        complete.getMessage().contains("no pod of this namespace matches spec.pods.selector"),
        complete.getMessage());
  }

  @Test
  @Order(4)
  void theExampleIsAManifestTheApiServerAcceptsAsItIs() {
    kubectl(
        "-n",
        NS,
        "apply",
        "--dry-run=server",
        "-f",
        LabHost.repo().resolve("examples/pod-hunt.yaml").toString());
    // spec.nodes and spec.pods exclude each other, said at apply.
    write(
        "both.yaml",
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: both, namespace: %s}
        spec:
          nodes: {names: [node-a]}
          pods: {selector: {matchLabels: {ghost: mtu}}}
          target: http://127.0.0.1:8080/
        """
            .formatted(NS));
    Lab.Exec both =
        cluster.kubectl("apply", "--dry-run=server", "-f", dir.resolve("both.yaml").toString());
    assertEquals(1, both.exitCode(), both.output());
    assertTrue(
        both.output().contains("spec.nodes and spec.pods exclude each other"), both.output());
  }

  @Test
  @Order(5)
  void theSameEditorsNodeHuntIsRefusedAtApplyNamingThePermissionItLacks() {
    write(
        "editor-nodes.yaml",
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: editor-nodes, namespace: %s}
        spec: {nodes: {names: [node-a]}, checks: {portOwner: {ports: [8080]}}}
        """
            .formatted(NS));
    Lab.Exec refused =
        cluster.kubectl(
            "apply", "--as=" + EDITOR, "-f", dir.resolve("editor-nodes.yaml").toString());
    assertEquals(1, refused.exitCode(), refused.output());
    assertTrue(
        refused
            .output()
            .contains(
                EDITOR
                    + " may not hunt nodes: a node hunt needs verb hunt on nodes.ghosthunt.io in"
                    + " namespace shop (ClusterRole ghosthunt-node-hunter"),
        refused.output());
    // kubectl warns that no such resource is served (the permission is a virtual one), then
    // answers.
    String canI =
        cluster
            .kubectl("auth", "can-i", "hunt", "nodes.ghosthunt.io", "-n", NS, "--as=" + EDITOR)
            .output()
            .trim();
    assertTrue(canI.endsWith("no"), canI);
  }

  /**
   * http2 goes where the pod would: a name from its hosts file (hostAliases) to that line's
   * address, a Service's short name through its search list to the cluster DNS, each said in the
   * evidence; never the probe image's own files. Port 9 answers nowhere, so that the findings are
   * unsure and keep their evidence in the cluster (a Clear one keeps it in the probe's log only).
   */
  @Test
  @Order(6)
  void http2ResolvesUrlsThroughThePodsHostsFileAndItsClusterDns() {
    String kubernetes = cluster.clusterIp("default", "kubernetes");
    GhostHunt hunt =
        applyAndWait(
            "names-in-pods",
            "dns",
            "http2: {urls: [\"http://app.example.test:9/\", \"http://kubernetes.default:9/\"]}");
    Map<String, NodeStatus> pods = byPod(hunt);
    assertEquals(List.of("hosts-fresh", "hosts-stale"), List.copyOf(pods.keySet()));
    for (Map.Entry<String, String> pod :
        Map.of("hosts-stale", DnsLab.OLD, "hosts-fresh", DnsLab.NEW).entrySet()) {
      Finding app = finding(pods.get(pod.getKey()), "http://app.example.test:9/");
      assertTrue(
          app.getEvidence().get("resolvedBy").startsWith("/etc/hosts line"),
          pod.getKey() + ": " + app.getEvidence());
      assertEquals(pod.getValue(), app.getEvidence().get("resolvedTo"), app.getEvidence() + "");
      Finding api = finding(pods.get(pod.getKey()), "http://kubernetes.default:9/");
      assertEquals(
          "nameserver "
              + LabNode.CLUSTER_DNS
              + " (search expansion kubernetes.default.svc.cluster.local)",
          api.getEvidence().get("resolvedBy"),
          api.getEvidence().toString());
      assertEquals(kubernetes, api.getEvidence().get("resolvedTo"), api.getEvidence() + "");
      assertFalse(
          (app.toString() + api).contains("/proc/"), "the pod's files as the pod knows them");
    }
  }

  /**
   * The cluster DNS's cache: CoreDNS looked shop.corp.test up before its migration, whose TTL was
   * not cut, and serves the old answer to the pods for up to its cache's 30 s; the authority hands
   * everyone the new one (unbound ignores EDNS Client Subnet), so it is a ghost, named with the
   * restart that empties CoreDNS's cache. db.corp.test, never changed, is the clean twin.
   */
  @Test
  @Order(7)
  void aClusterDnsCacheHoldingAMigratedNameIsStaleDnsWithItsRestartAndTheUnchangedNameIsClear() {
    ResolvedLab corp = cluster.house.resolved;
    LabHost nodeA = cluster.house.nodes.get("node-a");
    corp.set(ResolvedLab.SHOP, ResolvedLab.TTL, ResolvedLab.OLD);
    assertEquals(ResolvedLab.OLD, ClusterDns.prime(nodeA, ResolvedLab.SHOP));
    assertEquals(ResolvedLab.DB_ADDRESS, ClusterDns.prime(nodeA, ResolvedLab.DB));
    corp.set(ResolvedLab.SHOP, ResolvedLab.TTL, ResolvedLab.NEW);

    GhostHunt hunt =
        applyAndWait(
            "cluster-dns-cache",
            "dns",
            "dns: {names: ["
                + ResolvedLab.SHOP
                + ", "
                + ResolvedLab.DB
                + "], authorities: [\""
                + ResolvedLab.UPSTREAM
                + "\"]}");
    Map<String, NodeStatus> pods = byPod(hunt);
    for (String pod : List.of("hosts-fresh", "hosts-stale")) {
      Finding shop = finding(pods.get(pod), ResolvedLab.SHOP);
      assertEquals(GhostName.StaleDns, shop.getGhost(), pod + ": " + shop.getSummary());
      assertTrue(
          shop.getSummary()
              .startsWith(
                  "the pod resolves "
                      + ResolvedLab.SHOP
                      + " to "
                      + ResolvedLab.OLD
                      + " from cluster DNS "
                      + LabNode.CLUSTER_DNS
                      + " (first in /etc/resolv.conf) (cached, "),
          shop.getSummary());
      assertTrue(shop.getSummary().contains("the same to everyone"), shop.getSummary());
      assertTrue(
          shop.getRemediation()
              .startsWith(
                  "restart the cluster DNS, whose every pod has a cache of its own: kubectl -n"
                      + " kube-system rollout restart deployment coredns (or wait "),
          shop.getRemediation());
      assertTrue(
          shop.getEvidence().get("authorityBySubnet").contains(ResolvedLab.NEW + " (no scope)"),
          shop.getEvidence().toString());
      Finding db = finding(pods.get(pod), ResolvedLab.DB);
      assertEquals(FindingVerdict.Clear, db.getVerdict(), pod + ": " + db.getSummary());
    }
  }

  /**
   * The ndots:5 surprise: node-a's pods search corp.test last (the kubelet appends the node's
   * search domains), and a redirect zone there answers every name under example.test.corp.test, so
   * the short external name api.example.test never reaches DNS as itself. app.example.test, which
   * the pods' hosts file gives, is the twin the capture cannot reach.
   */
  @Test
  @Order(8)
  void aSearchDomainCapturingAShortNameIsStaleDnsNamingTheExpansionAndTheHostsFileNameIsNot() {
    ResolvedLab corp = cluster.house.resolved;
    corp.captureUnder(ResolvedLab.CAPTURED, ResolvedLab.CAPTURE);
    try {
      GhostHunt hunt =
          applyAndWait(
              "search-capture",
              "dns",
              "dns: {names: [api.example.test, app.example.test], expectedAddresses: [\""
                  + DnsLab.NEW
                  + "\"]}");
      Map<String, NodeStatus> pods = byPod(hunt);
      for (String pod : List.of("hosts-fresh", "hosts-stale")) {
        Finding api = finding(pods.get(pod), "api.example.test");
        assertEquals(GhostName.StaleDns, api.getGhost(), pod + ": " + api.getSummary());
        assertTrue(
            api.getSummary()
                .startsWith(
                    "the pod resolves api.example.test to "
                        + ResolvedLab.CAPTURE
                        + " through search expansion api.example.test.corp.test (search domain"
                        + " corp.test, ndots:5"),
            api.getSummary());
        assertTrue(
            api.getSummary().contains("from cluster DNS " + LabNode.CLUSTER_DNS), api.getSummary());
        assertTrue(
            api.getEvidence()
                .get("searchExpansion")
                .startsWith("api.example.test.corp.test: " + ResolvedLab.CAPTURE + ", TTL "),
            api.getEvidence().toString());
        assertTrue(
            api.getRemediation()
                .startsWith(
                    "write the name fully qualified with a trailing dot (api.example.test.)"),
            api.getRemediation());
        Finding app = finding(pods.get(pod), "app.example.test");
        assertFalse(
            app.getEvidence() != null && app.getEvidence().containsKey("searchExpansion"),
            pod + ": the hosts file answers first: " + app.getEvidence());
      }
      assertEquals(
          FindingVerdict.Clear, finding(pods.get("hosts-fresh"), "app.example.test").getVerdict());
      assertEquals(
          GhostName.StaleDns, finding(pods.get("hosts-stale"), "app.example.test").getGhost());
    } finally {
      corp.release(ResolvedLab.CAPTURED);
    }
  }

  @Test
  @Order(9)
  void hardenedProbesEnterThePodsWithTheOneMoreCapabilityAndFindTheSame() {
    cluster.probeMode(true);
    GhostHunt hunt =
        applyAndWait(
            "loopback-in-pods-hardened", "loopback", "loopback: {ports: [" + SERVICE_PORT + "]}");
    assertLoopback(hunt);
  }

  /**
   * A Service deleted and created again with a new ClusterIP while NodeLocal DNSCache on node-a
   * still holds the old one: the pod behind the cache resolves catalog to an address nothing
   * answers, the pod that asks the cluster DNS (kubeadm's Corefile keeps cluster.local out of
   * CoreDNS's cache) gets the new one. basket, deleted, is still handed out by the cache; orders,
   * untouched, is the clean twin in both pods. The API's view comes from the operator (the probe
   * may not read Services).
   */
  @Test
  @Order(10)
  void aServiceRecreatedWhileNodeLocalDnsCacheHoldsItsOldAddressIsStaleDnsAndTheClusterDnsIsNot() {
    LabHost nodeA = cluster.house.nodes.get("node-a");
    NodeLocalCache.deploy(cluster.client, nodeA, "node-a", Duration.ofMinutes(2));
    Pod behindCache =
        HauntedPods.sleeper(NS, "svc-local", "node-a", Map.of("ghost", "svc"))
            .editSpec()
            .withDnsPolicy("None")
            .withNewDnsConfig()
            .withNameservers(NodeLocalCache.ADDRESS)
            .withSearches(NS + ".svc.cluster.local", "svc.cluster.local", "cluster.local")
            .addNewOption()
            .withName("ndots")
            .withValue("5")
            .endOption()
            .endDnsConfig()
            .endSpec()
            .build();
    cluster.client.resource(behindCache).create();
    cluster
        .client
        .resource(HauntedPods.sleeper(NS, "svc-cluster", "node-a", Map.of("ghost", "svc")).build())
        .create();
    for (String pod : List.of("svc-local", "svc-cluster")) {
      cluster
          .client
          .pods()
          .inNamespace(NS)
          .withName(pod)
          .waitUntilCondition(
              x -> x != null && "Running".equals(x.getStatus().getPhase()), 2, TimeUnit.MINUTES);
    }
    String old = service("catalog", null);
    service("orders", null);
    String basket = service("basket", null);
    for (String name : List.of("catalog", "orders", "basket")) {
      assertEquals(
          cluster.clusterIp(NS, name),
          NodeLocalCache.prime(nodeA, name + "." + NS + ".svc.cluster.local"),
          name + " through the cache");
    }
    // The cache holds them 30 s (NodeLocal's Corefile, the kubernetes plugin's TTL): a hunt that
    // took longer would find them gone, and says so below.
    java.time.Instant primed = java.time.Instant.now();
    cluster.client.services().inNamespace(NS).withName("catalog").delete();
    cluster.client.services().inNamespace(NS).withName("basket").delete();
    String fresh = service("catalog", freeClusterIp(old));

    GhostHunt hunt = applyAndWait("services", "svc", "dns: {names: [catalog, orders, basket]}");
    Map<String, NodeStatus> pods = byPod(hunt);
    assertEquals(List.of("svc-cluster", "svc-local"), List.copyOf(pods.keySet()));
    String cache = "NodeLocal DNSCache " + NodeLocalCache.ADDRESS + " (first in /etc/resolv.conf)";
    NodeStatus local = pods.get("svc-local");
    Finding catalog = finding(local, "catalog");
    assertEquals(
        GhostName.StaleDns,
        catalog.getGhost(),
        catalog.getSummary()
            + " (hunt done "
            + Duration.between(primed, java.time.Instant.now()).toSeconds()
            + " s after the cache was filled)");
    assertTrue(
        catalog
            .getSummary()
            .startsWith(
                "the pod resolves catalog to "
                    + old
                    + " through search expansion catalog.shop.svc.cluster.local from "
                    + cache
                    + " (TTL "),
        catalog.getSummary());
    assertTrue(
        catalog
            .getSummary()
            .contains("but the API gives Service shop/catalog ClusterIP " + fresh + " (created "),
        catalog.getSummary());
    assertTrue(
        catalog
            .getSummary()
            .endsWith("NodeLocal DNSCache on this node still hands out the old one"),
        catalog.getSummary());
    assertTrue(
        catalog
            .getRemediation()
            .startsWith(
                "restart NodeLocal DNSCache (its pod on this node caches the answer): kubectl -n"
                    + " kube-system rollout restart daemonset node-local-dns"),
        catalog.getRemediation());
    assertTrue(
        catalog.getEvidence().get("serviceInApi").startsWith("shop/catalog: ClusterIP " + fresh),
        catalog.getEvidence().toString());
    Finding gone = finding(local, "basket");
    assertEquals(GhostName.StaleDns, gone.getGhost(), gone.getSummary());
    assertTrue(
        gone.getSummary().startsWith("the pod resolves basket to " + basket), gone.getSummary());
    assertTrue(
        gone.getSummary().contains("the API has no Service shop/basket: it was deleted"),
        gone.getSummary());

    // A Clear finding keeps its verdict only (the report's bounds): the wording is
    // DnsServicesTest's.
    NodeStatus direct = pods.get("svc-cluster");
    Finding current = finding(direct, "catalog");
    assertEquals(FindingVerdict.Clear, current.getVerdict(), current.getSummary());
    assertFalse(
        finding(direct, "basket").getVerdict() == FindingVerdict.Ghost,
        finding(direct, "basket").getSummary());
    for (NodeStatus pod : List.of(local, direct)) {
      Finding twin = finding(pod, "orders");
      assertEquals(
          FindingVerdict.Clear, twin.getVerdict(), pod.getPod() + ": " + twin.getSummary());
    }
  }

  /** A Service without selector in {@link #NS}; {@code clusterIp} null lets the API pick one. */
  static String service(String name, String clusterIp) {
    return cluster
        .client
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withClusterIP(clusterIp)
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create()
        .getSpec()
        .getClusterIP();
  }

  /**
   * An address of the Service range that no Service holds and that is not {@code not}: the API
   * would hand a recreated Service its old address again one time in a dozen.
   */
  static String freeClusterIp(String not) {
    java.util.Set<String> taken = new java.util.HashSet<>(List.of(not));
    cluster
        .client
        .services()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(s -> taken.add(s.getSpec().getClusterIP()));
    for (int last = 227; last <= 238; last++) {
      String ip = "203.0.113." + last;
      if (!taken.contains(ip)) {
        return ip;
      }
    }
    throw new AssertionError("no free address in the Service range: " + taken);
  }

  private static void assertLoopback(GhostHunt hunt) {
    Map<String, NodeStatus> pods = byPod(hunt);
    assertEquals(List.of("lo-blocked", "lo-open"), List.copyOf(pods.keySet()));
    Finding blocked = only(pods.get("lo-blocked"));
    assertEquals(GhostName.LoopbackBlocked, blocked.getGhost(), blocked.getSummary());
    assertEquals(
        "127.0.0.1:" + SERVICE_PORT + " (PID " + blockedListener + " python3)",
        blocked.getEvidence().get("listeners"),
        blocked.getEvidence().toString());
    assertTrue(
        blocked
            .getEvidence()
            .get("rule")
            .contains("iifname lo tcp dport " + SERVICE_PORT + " counter packets"),
        blocked.getEvidence().toString());
    // "localhost" as the pod resolves it: the kubelet's hosts file, not the probe image's.
    assertTrue(
        blocked.getEvidence().get("resolvedBy").startsWith("/etc/hosts line"),
        blocked.getEvidence().toString());
    assertTrue(
        blocked.getEvidence().get("localhost").contains("127.0.0.1"), blocked.getEvidence() + "");
    Finding open = only(pods.get("lo-open"));
    assertEquals(FindingVerdict.Clear, open.getVerdict(), open.getSummary());
  }

  static final String EDITOR = "system:serviceaccount:" + NS + ":editor";

  /**
   * A service account with Kubernetes' own edit role in {@link #NS}, which the chart's
   * ghosthunt-edit joins through the aggregation controller.
   */
  static void editor() {
    kubectl("-n", NS, "create", "serviceaccount", "editor");
    kubectl(
        "-n",
        NS,
        "create",
        "rolebinding",
        "editor",
        "--clusterrole=edit",
        "--serviceaccount=" + NS + ":editor");
    Fixtures.awaitEditAggregatesHunts(cluster.client);
  }

  /**
   * kubectl apply of a pod hunt over the pods labelled {@code ghost=LABEL} in {@link #NS}, then
   * kubectl wait.
   */
  static GhostHunt applyAndWait(String name, String label, String checks) {
    Path file = dir.resolve(name + ".yaml");
    write(
        name + ".yaml",
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: %s, namespace: %s}
        spec:
          pods: {selector: {matchLabels: {ghost: %s}}}
          checks:
            %s
          timeoutSeconds: 90
        """
            .formatted(name, NS, label, checks));
    // As the namespace's editor applies it: hunting the pods of a namespace is part of edit.
    kubectl("apply", "--as=" + EDITOR, "-f", file.toString());
    kubectl("-n", NS, "wait", "--for=condition=Complete", "ghosthunt/" + name, "--timeout=180s");
    return cluster.client.resources(GhostHunt.class).inNamespace(NS).withName(name).get();
  }

  /**
   * Every pod's whole entry (the hunt keeps the haunted ones; the reports have them all), by pod.
   */
  static Map<String, NodeStatus> byPod(GhostHunt hunt) {
    Map<String, NodeStatus> pods = new TreeMap<>();
    for (NodeStatus n : HuntCommand.withReports(cluster.client, hunt).getNodes()) {
      assertNotNull(n.getPod(), "a pod hunt's entry names its pod: " + n.getNode());
      assertEquals(NodePhase.Done, n.getPhase(), n.subject() + ": " + n.getMessage());
      pods.put(n.getPod(), n);
    }
    return pods;
  }

  static Finding finding(NodeStatus pod, String target) {
    return pod.getFindings().stream()
        .filter(f -> target.equals(f.getTarget()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(pod.subject() + ": no finding for " + target));
  }

  static Finding only(NodeStatus pod) {
    assertEquals(1, pod.getFindings().size(), pod.subject() + ": " + pod.getFindings());
    return pod.getFindings().get(0);
  }

  /** A pod of the user's as plain as can be: the probe image (present on every node) sleeping. */
  static void pod(String namespace, String name, String node, String ghost, String hostAlias) {
    PodBuilder pod = HauntedPods.sleeper(namespace, name, node, Map.of("ghost", ghost));
    if (hostAlias != null) {
      pod.editSpec()
          .addNewHostAlias()
          .withIp(hostAlias)
          .withHostnames("app.example.test")
          .endHostAlias()
          .endSpec();
    }
    cluster.client.resource(pod.build()).create();
  }

  /** A process of the pod, found as the probe finds it: by the pod's UID in its cgroup. */
  static long pid(String name) {
    String uid = cluster.client.pods().inNamespace(NS).withName(name).get().getMetadata().getUid();
    PodProcesses processes = new PodProcesses();
    List<Long> pids = processes.find(List.of(uid)).get(uid);
    assertNotNull(pids, "no process of pod " + name + " on this machine");
    return processes.withPodFiles(pids).orElseThrow();
  }

  /**
   * A command inside the pod's network namespace, from the host, as a CNI plugin or an admin would.
   */
  static void inPod(String name, String... command) {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/proc/" + pid(name) + "/ns/net"));
    cmd.addAll(List.of(command));
    Lab.Exec run = Lab.exec(cmd, Duration.ofSeconds(30));
    assertEquals(0, run.exitCode(), String.join(" ", cmd) + ": " + run.output());
  }

  static String kubectl(String... args) {
    Lab.Exec run = cluster.kubectl(args);
    assertEquals(0, run.exitCode(), "kubectl " + String.join(" ", args) + ": " + run.output());
    return run.output();
  }

  static void write(String name, String text) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
