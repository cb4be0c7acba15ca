package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.PodProcesses;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodHuntTest {

  @Test
  void theOperatorsPodListIsParsedAndABadOneRefused() throws UsageException {
    assertEquals(
        List.of(
            new PodHunt.Target("web-1", "u-1", "r-1"), new PodHunt.Target("web-2", "u-2", "r-2")),
        PodHunt.Target.parse("web-1/u-1/r-1,web-2/u-2/r-2"));
    UsageException e = assertThrows(UsageException.class, () -> PodHunt.Target.parse("web-1/u-1"));
    assertTrue(e.getMessage().contains("NAME/UID/REPORT"), e.getMessage());
  }

  @Test
  void thePodsFilesAreNamedAsThePodSeesThem() {
    Finding f = new Finding(CheckKey.DNS, "app.example.test", FindingVerdict.Ghost);
    f.setGhost(GhostName.StaleDns);
    f.setSummary(
        "the node resolves app.example.test to 203.0.113.10 from /proc/4242/root/etc/hosts line 9");
    f.setRemediation("remove or correct line 9 of /proc/4242/root/etc/hosts");
    f.setEvidence(Map.of("node answer", "/proc/4242/root/etc/hosts line 9"));
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Done).addFinding(f);
    PodHunt.inPodTerms(entry, "/proc/4242/root");
    assertEquals(
        "the pod resolves app.example.test to 203.0.113.10 from /etc/hosts line 9", f.getSummary());
    assertEquals(
        "remove or correct line 9 of /etc/hosts; in a pod the kubelet writes /etc/hosts from spec.hostAliases:"
            + " correct them in the pod's template, and the new pods get the new line",
        f.getRemediation());
    assertEquals("/etc/hosts line 9", f.getEvidence().get("node answer"));
  }

  @Test
  void whoResolvesIsThePodInAPodHunt() {
    assertEquals(
        "the pod cannot resolve shop.corp.test: resolver 192.0.2.53 (first in /etc/resolv.conf):"
            + " timeout",
        PodHunt.ofThePod(
            "the node cannot resolve shop.corp.test: resolver 192.0.2.53 (first in"
                + " /etc/resolv.conf): timeout"));
    assertEquals(
        "x.test does not exist: the authority and the pod both answer NXDOMAIN",
        PodHunt.ofThePod("x.test does not exist: the authority and the node both answer NXDOMAIN"));
    assertEquals(
        "cluster DNS 203.0.113.226 still answers x.test with 192.0.2.1; the pod answers 192.0.2.2"
            + " from /etc/hosts line 3",
        PodHunt.ofThePod(
            "cluster DNS 203.0.113.226 still answers x.test with 192.0.2.1; the node answers"
                + " 192.0.2.2 from /etc/hosts line 3"));
    assertEquals(
        "a.test resolves to 192.0.2.1, which 192.0.2.54 does not hand this pod (192.0.2.2)",
        PodHunt.ofThePod(
            "a.test resolves to 192.0.2.1, which 192.0.2.54 does not hand this node (192.0.2.2)"));
    assertEquals("node-a is reachable", PodHunt.ofThePod("node-a is reachable"));
  }

  @Test
  void anMtuFixInAPodIsTheCnisAndOtherGhostsKeepTheirs() {
    assertTrue(
        PodHunt.inPod(GhostName.MtuBlackhole, "lower the MTU of eth0 to 1400")
            .endsWith(
                "; in a pod the CNI sets the interface MTU: set the CNI's MTU to the path's (an overlay's: the underlay's"
                    + " MTU minus its encapsulation, 50 bytes for VXLAN) and recreate the pod"));
    assertEquals(
        "flush it",
        PodHunt.inPod(GhostName.StaleDns, "flush it"),
        "a resolver's cache is no hostAliases line");
    assertEquals("kill 42", PodHunt.inPod(GhostName.OrphanedPort, "kill 42"));
  }

  @Test
  void aPodWithoutAProcessOnThisNodeIsReportedAsEnded(@TempDir Path dir) throws Exception {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    GhostHunt hunt = new GhostHunt();
    hunt.getMetadata().setName("slow-pods");
    hunt.setSpec(new GhostHuntSpec());
    List<NodeStatus> written = new ArrayList<>();
    new PodHunt(new PodProcesses(proc), "node-a", dir)
        .run(
            hunt,
            List.of(new PodHunt.Target("web-1", "u-1", "r-1")),
            Instant.now().plusSeconds(30),
            null,
            io.ghosthunt.api.ServiceFacts.NONE,
            (t, entry, checksStarted) -> {
              assertNotNull(checksStarted, "the pod's checks were tried");
              written.add(entry);
            });
    assertEquals(1, written.size());
    NodeStatus entry = written.get(0);
    assertEquals(NodePhase.Failed, entry.getPhase());
    assertEquals("web-1", entry.getPod());
    assertEquals("node-a", entry.getNode());
    assertEquals(
        "no process of pod web-1 (UID u-1) runs on node-a: the pod ended or was replaced during the hunt",
        entry.getMessage());
    try (var left = Files.list(dir)) {
      assertEquals(List.of(proc), left.toList(), "the hunt file is removed");
    }
  }
}
