package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.LoopbackCheck.Localhost;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.SocketTable;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.LoopbackSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "localhost" and gai.conf as the pod has them: its hosts file and nameservers, its gai.conf's
 * links followed inside its root. A service listens on this machine's 127.0.0.1, the socket table
 * that shows it is written by the test; no nameserver is asked.
 */
class LoopbackPodNamesTest {

  @TempDir Path dir;
  Path pod;
  Path procNet;
  Path proc;
  ServerSocket service;

  @BeforeEach
  void aPodWithAServiceOnLoopback() throws Exception {
    pod = Files.createDirectories(dir.resolve("proc/4242/root"));
    Files.createDirectories(pod.resolve("etc"));
    Files.writeString(pod.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    // A link to nowhere: a name not in the hosts file reaches no server in a unit test.
    Files.createSymbolicLink(pod.resolve("etc/resolv.conf"), Path.of("/run/missing/resolv.conf"));
    service = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
    procNet = Files.createDirectories(dir.resolve("net"));
    Files.writeString(
        procNet.resolve("tcp"),
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
            + " inode\n"
            + "   0: 0100007F:"
            + String.format(Locale.ROOT, "%04X", service.getLocalPort())
            + " 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1"
            + " 0000000036e2c97f 100 0 0 10 0\n");
    proc = Files.createDirectories(dir.resolve("procfs"));
    Files.writeString(proc.resolve("stat"), "btime 1700000000\n");
  }

  @AfterEach
  void stop() throws Exception {
    service.close();
  }

  private Finding hunt(boolean inPod) throws Exception {
    LoopbackSpec loopback = new LoopbackSpec();
    loopback.setPorts(List.of(service.getLocalPort()));
    ChecksSpec checks = new ChecksSpec();
    checks.setLoopback(loopback);
    ForeignRoot root = ForeignRoot.whole(pod);
    HostsFile hosts = new HostsFile(root, "/etc/hosts");
    PodResolver names =
        inPod ? new PodResolver(hosts, root, "/etc/resolv.conf", new DnsClient()) : null;
    LoopbackCheck check =
        new LoopbackCheck(
            new SocketTable(procNet), new ProcessTable(proc), hosts, root, "/etc/gai.conf", names);
    List<Finding> findings =
        check.run(checks, new CheckContext("node-a", Instant.now().plusSeconds(20)));
    assertEquals(1, findings.size());
    return findings.get(0);
  }

  @Test
  void thePodsHostsFileSaysWhatLocalhostIs() throws Exception {
    Finding f = hunt(true);
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals("127.0.0.1", f.getEvidence().get("localhost"));
    assertEquals(pod.resolve("etc/hosts") + " line 1", f.getEvidence().get("resolvedBy"));
  }

  @Test
  void aPodWhereLocalhostResolvesNowhereIsSaidWithThePodsReason() throws Exception {
    Files.writeString(pod.resolve("etc/hosts"), "10.0.0.5 web-0\n");
    Finding f = hunt(true);
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), f.getSummary());
    assertTrue(
        f.getSummary()
            .startsWith(
                "localhost does not resolve (not in "
                    + pod.resolve("etc/hosts")
                    + "; cannot read /etc/resolv.conf -> /run/missing/resolv.conf"),
        f.getSummary());
    assertTrue(
        f.getEvidence().get("localhost").startsWith("does not resolve: not in "),
        f.getEvidence().toString());
    assertFalse(f.getEvidence().containsKey("resolvedBy"), f.getEvidence().toString());
  }

  @Test
  void onANodeAMissingLineStillMeansBothLoopbacks() throws Exception {
    Files.writeString(pod.resolve("etc/hosts"), "10.0.0.5 web-0\n");
    Finding f = hunt(false);
    assertTrue(f.getEvidence().get("localhost").contains("127.0.0.1"), f.getEvidence().toString());
    assertTrue(f.getEvidence().get("localhost").contains("::1"), f.getEvidence().toString());
    assertFalse(f.getEvidence().containsKey("resolvedBy"), f.getEvidence().toString());
  }

  @Test
  void gaiConfsAbsoluteLinkIsFollowedInsideThePod() throws Exception {
    Files.createDirectories(pod.resolve("opt/gai"));
    Files.writeString(pod.resolve("opt/gai/gai.conf"), "precedence ::ffff:0:0/96 100\n");
    Files.createSymbolicLink(pod.resolve("etc/gai.conf"), Path.of("/opt/gai/gai.conf"));
    Finding f = hunt(true);
    assertEquals(
        "getaddrinfo's (glibc): "
            + pod.resolve("etc/gai.conf")
            + " sets the precedence table (1 lines)",
        f.getEvidence().get("localhostOrder"));
  }

  @Test
  void localhostDeniedByThePodsSourcesIsTheGhost() {
    Localhost denied =
        new Localhost(List.of(), null, "not in /etc/hosts; nameserver 10.96.0.10 ...", true);
    Finding f = LoopbackCheck.unresolved(8080, denied, "/etc/hosts");
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.LoopbackBlocked, f.getGhost());
    assertEquals("localhost:8080", f.getTarget());
    assertTrue(f.getRemediation().startsWith("give /etc/hosts its localhost lines"));

    Localhost silent =
        new Localhost(List.of(), null, "no answer from nameserver 10.96.0.10", false);
    Finding g = LoopbackCheck.unresolved(8080, silent, "/etc/hosts");
    assertEquals(FindingVerdict.Inconclusive, g.getVerdict());
    assertNull(g.getGhost());
  }
}
