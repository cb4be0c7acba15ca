package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Localhost can't connect: a firewall rule eating loopback, and localhost resolving elsewhere. */
class LoopbackIT {

  private Lab lab;
  private LabHost node;

  @BeforeEach
  void lab() {
    lab = new Lab();
    node = lab.host("node");
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt() {
    return node.ghosthunt(
        "check",
        "--target",
        "http://127.0.0.1:8080/",
        "--symptom",
        "LocalhostCantConnect",
        "-o",
        "json");
  }

  @Test
  void aRuleWhosePortsAreANamedSetMayBeTheOneButIsNoProof() {
    node.sh(
        "nft add table inet ghlab && nft add set inet ghlab ports '{ type inet_service; }'"
            + " && nft add element inet ghlab ports '{ 8080 }'"
            + " && nft add chain inet ghlab input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghlab input iifname lo tcp dport @ports counter drop");

    // Nothing listens: the rule alone proves nothing.
    LabHost.Run idle = hunt();
    assertEquals(0, idle.exitCode(), idle.stdout() + idle.stderr());
    Finding unsure = Hunts.finding(idle, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Inconclusive, unsure.getVerdict(), unsure.getSummary());
    assertTrue(
        unsure
            .getSummary()
            .endsWith("ports this check cannot read (a named set or map): it may cover 8080"),
        unsure.getSummary());
    assertTrue(
        unsure.getEvidence().get("ruleUnknown").contains("tcp dport @ports"),
        unsure.getEvidence().toString());
    assertFalse(unsure.getEvidence().containsKey("rule"), unsure.getEvidence().toString());

    // A listener whose connect times out: a ghost by the connect, the rule named as a suspect.
    int pid = node.listen("127.0.0.1", 8080);
    LabHost.Run run = hunt();
    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(GhostName.LoopbackBlocked, f.getGhost(), f.getSummary());
    assertTrue(f.getSummary().startsWith("connect to 127.0.0.1:8080 timed out"), f.getSummary());
    assertTrue(f.getSummary().contains("PID " + pid), f.getSummary());
    assertTrue(f.getSummary().endsWith("it may cover 8080"), f.getSummary());
    assertTrue(
        f.getRemediation().startsWith("check whether port 8080 is in the rule's set"),
        f.getRemediation());
  }

  @Test
  void aDropRuleOnLoInTheLiveRulesetIsNamed() {
    int pid = node.listen("127.0.0.1", 8080);
    node.sh(
        "nft add table inet ghlab && nft add chain inet ghlab input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghlab input iifname lo tcp dport 8080 counter drop");
    String handle =
        node.sh(
                "nft -a list chain inet ghlab input | sed -n 's/.*dport 8080 .*# handle \\([0-9]*\\).*/\\1/p'")
            .trim();

    LabHost.Run run = hunt();

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.LoopbackBlocked, f.getGhost());
    assertTrue(f.getSummary().startsWith("connect to 127.0.0.1:8080 timed out"), f.getSummary());
    assertTrue(f.getSummary().contains("PID " + pid), f.getSummary());
    assertTrue(f.getSummary().contains("nft inet ghlab input handle " + handle), f.getSummary());
    assertTrue(
        f.getEvidence()
            .get("rule")
            .startsWith(
                "nft inet ghlab input handle "
                    + handle
                    + ": iifname lo tcp dport 8080 counter packets"),
        f.getEvidence().toString());
    assertTrue(
        f.getEvidence().get("connect 127.0.0.1").startsWith("timed out"),
        f.getEvidence().toString());
    assertEquals("127.0.0.1:8080 (PID " + pid + " python3)", f.getEvidence().get("listeners"));
    assertTrue(
        f.getRemediation().startsWith("nft delete rule inet ghlab input handle " + handle),
        f.getRemediation());
  }

  @Test
  void aRejectRuleOnTheLoopbackRangeIsNamedToo() {
    node.listen("127.0.0.1", 8080);
    node.sh(
        "nft add table ip ghlab && nft add chain ip ghlab output '{ type filter hook output priority 0; }'"
            + " && nft add rule ip ghlab output ip daddr 127.0.0.0/8 tcp dport '{ 8080, 9090 }' reject");

    LabHost.Run run = hunt();

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(GhostName.LoopbackBlocked, f.getGhost());
    assertEquals("refused", f.getEvidence().get("connect 127.0.0.1"));
    assertTrue(
        f.getEvidence()
            .get("rule")
            .contains("ip daddr 127.0.0.0/8 tcp dport { 8080, 9090 } reject"),
        f.getEvidence().toString());
  }

  @Test
  void cleanTwinWithoutTheRuleConnects() {
    int pid = node.listen("127.0.0.1", 8080);
    // A rule for another port must not be blamed.
    node.sh(
        "nft add table inet ghlab && nft add chain inet ghlab input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghlab input iifname lo tcp dport 9999 drop");

    LabHost.Run run = hunt();

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertNull(f.getGhost());
    assertEquals("connected", f.getEvidence().get("connect 127.0.0.1"));
    assertFalse(f.getEvidence().containsKey("rule"), f.getEvidence().toString());
    assertTrue(f.getSummary().contains("PID " + pid), f.getSummary());
  }

  @Test
  void glibcTriesIpv6LoopbackFirstAndARefusalThereIsNoGhost() {
    int pid = node.listen("127.0.0.1", 8080);
    node.hostsFile("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
    node.gaiConf("# nothing set: RFC 6724's table\n");

    LabHost.Run run = hunt();

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertEquals("::1 127.0.0.1", f.getEvidence().get("localhost"));
    assertTrue(
        f.getEvidence()
            .get("localhostOrder")
            .startsWith("getaddrinfo's (glibc): /etc/gai.conf sets no precedence"),
        f.getEvidence().toString());
    assertEquals("refused", f.getEvidence().get("connect ::1"));
    assertTrue(f.getSummary().contains("PID " + pid), f.getSummary());
    assertTrue(
        f.getSummary()
            .contains(
                "; localhost resolves to ::1 first, where nothing listens: clients are refused"
                    + " there at once and fall back"),
        f.getSummary());
  }

  @Test
  void aDropOnIpv6LoopbackHoldsEveryClientBeforeItFallsBack() {
    node.listen("127.0.0.1", 8080);
    node.hostsFile("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
    node.gaiConf("# nothing set: RFC 6724's table\n");
    node.sh(
        "nft add table inet ghlab && nft add chain inet ghlab input '{ type filter hook input"
            + " priority 0; }' && nft add rule inet ghlab input ip6 daddr ::1 tcp dport 8080 drop");

    LabHost.Run run = hunt();

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(GhostName.LoopbackBlocked, f.getGhost(), f.getSummary() + " " + f.getEvidence());
    assertTrue(
        f.getSummary()
            .startsWith("localhost resolves to ::1 first, where a connect to port 8080 timed out"),
        f.getSummary());
    assertTrue(
        f.getSummary().contains("(firewall rule nft inet ghlab input handle "), f.getSummary());
    assertTrue(
        f.getSummary().endsWith("clients wait for it before they fall back to 127.0.0.1"),
        f.getSummary());
    assertTrue(f.getRemediation().startsWith("nft delete rule inet ghlab input handle "));
  }

  @Test
  void cleanTwinGaiConfPuttingIpv4FirstIsHonoured() {
    node.listen("127.0.0.1", 8080);
    node.hostsFile("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
    // The line Debian's gai.conf documents for sites that want IPv4 first.
    node.gaiConf("precedence ::ffff:0:0/96  100\n");

    LabHost.Run run = hunt();

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals("127.0.0.1 ::1", f.getEvidence().get("localhost"));
    assertTrue(!f.getSummary().contains("first"), f.getSummary());
  }

  @Test
  void localhostResolvingOnlyToIpv6WhileTheServiceListensOnIpv4() {
    node.listen("127.0.0.1", 8080);
    node.hostsFile("::1 localhost\n");

    LabHost.Run run = hunt();

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(GhostName.LoopbackBlocked, f.getGhost());
    assertEquals(
        "localhost resolves to ::1 but the service listens on 127.0.0.1:8080 only", f.getSummary());
    assertEquals("::1", f.getEvidence().get("localhost"));
    assertEquals("connected", f.getEvidence().get("connect 127.0.0.1"));
  }

  @Test
  void nothingListeningIsInconclusiveNotAGhost() {
    LabHost.Run run = hunt();

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.LOOPBACK, "localhost:8080");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertEquals("none", f.getEvidence().get("listeners"));
    assertEquals("refused", f.getEvidence().get("connect 127.0.0.1"));
  }
}
