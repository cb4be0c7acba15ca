package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DuplicateIpSpec;
import io.ghosthunt.api.spec.GhostHuntReportSpec;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.spec.Protocol;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the operator takes from a probe's report: what its hunt asked, nothing else. */
class ReportFilterTest {

  private static ResolvedHunt resolve(String target, ChecksSpec checks) throws Exception {
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setTarget(target);
    spec.setChecks(checks);
    return HuntResolver.resolve(spec);
  }

  /** spec.checks.portOwner.ports [8080]: the hunt of issue #24's forged report. */
  private static ReportFilter portOwner8080() throws Exception {
    ChecksSpec checks = new ChecksSpec();
    PortOwnerSpec p = new PortOwnerSpec();
    p.setPorts(List.of(8080));
    checks.setPortOwner(p);
    return ReportFilter.of(resolve(null, checks));
  }

  private static ReportFilter duplicateIp(DuplicateIpSpec d) throws Exception {
    ChecksSpec checks = new ChecksSpec();
    checks.setDuplicateIp(d);
    return ReportFilter.of(resolve(null, checks));
  }

  private static Finding f(CheckKey check, String target, FindingVerdict verdict, GhostName g) {
    Finding f = new Finding(check, target, verdict);
    f.setGhost(g);
    return f;
  }

  private static Finding clear(CheckKey check, String target) {
    return f(check, target, FindingVerdict.Clear, null);
  }

  private static Finding ghost(CheckKey check, String target, GhostName g) {
    Finding f = f(check, target, FindingVerdict.Ghost, g);
    f.setSummary("a ghost");
    f.evidence("pid", 4242);
    return f;
  }

  private static NodeStatus node(Finding... findings) {
    NodeStatus n = new NodeStatus("node-a", NodePhase.Done);
    n.setGeneration(1L);
    for (Finding f : findings) {
      n.addFinding(f);
    }
    return n;
  }

  private static List<Finding> kept(ReportFilter filter, Finding... findings) {
    return filter.apply(node(findings)).entry().getFindings();
  }

  @Test
  void anAskedFindingIsKept() throws Exception {
    Finding orphan = ghost(CheckKey.PORT_OWNER, "tcp/8080", GhostName.OrphanedPort);
    assertEquals(List.of(orphan), kept(portOwner8080(), orphan));
  }

  @Test
  void aFindingOfACheckTheHuntDidNotAskIsDroppedAndTheHuntStaysClear() throws Exception {
    // Issue #24: a probe merge-patched its report with a dns finding, summary "forged".
    Finding forged = ghost(CheckKey.DNS, "app.example.com", GhostName.StaleDns);
    forged.setSummary("forged");
    Finding own = clear(CheckKey.PORT_OWNER, "tcp/8080");
    ReportFilter.Result r = portOwner8080().apply(node(own, forged));
    assertEquals(List.of(own), r.entry().getFindings());
    assertEquals(1, r.dropped().size());
    assertEquals("check dns was not asked", r.dropped().get(0).why());
    var hunt =
        StatusAggregator.aggregate(
            new HuntRound(1, "2026-11-25T12:00:00Z", Duration.ofSeconds(120), false),
            Instant.parse("2026-11-25T12:00:10Z"),
            List.of(NodeOutcome.pod("node-a", "Succeeded", null)),
            Map.of("node-a", r.entry()),
            null);
    assertEquals(HuntVerdict.Clear, hunt.status().getVerdict());
    assertEquals(0, hunt.status().getGhosts());
  }

  @Test
  void aGhostItsCheckCannotFindIsDropped() throws Exception {
    ReportFilter filter = portOwner8080();
    Finding stale = ghost(CheckKey.PORT_OWNER, "tcp/8080", GhostName.StaleDns);
    assertEquals(List.of(), kept(filter, stale));
    assertEquals("ghost StaleDns is found by dns, not portOwner", filter.rejection(stale));
    Finding nameless = ghost(CheckKey.PORT_OWNER, "tcp/8080", null);
    assertEquals("a Ghost verdict names no ghost", filter.rejection(nameless));
    Finding clearGhost =
        f(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Clear, GhostName.OrphanedPort);
    assertEquals("ghost OrphanedPort with verdict Clear", filter.rejection(clearGhost));
  }

  @Test
  void aTargetTheHuntDidNotAskIsDropped() throws Exception {
    ReportFilter filter = portOwner8080();
    assertEquals("target not asked", filter.rejection(clear(CheckKey.PORT_OWNER, "tcp/9999")));
    assertEquals("target not asked", filter.rejection(clear(CheckKey.PORT_OWNER, "udp/8080")));
    assertEquals("no target", filter.rejection(clear(CheckKey.PORT_OWNER, null)));
  }

  @Test
  void theRunnersDashIsAnErrorOfAnAskedCheckOnly() throws Exception {
    ReportFilter filter = portOwner8080();
    Finding timedOut = f(CheckKey.PORT_OWNER, "-", FindingVerdict.Error, null);
    assertNull(filter.rejection(timedOut));
    assertEquals(
        "target - is for errors only",
        filter.rejection(ghost(CheckKey.PORT_OWNER, "-", GhostName.OrphanedPort)));
    assertEquals(
        "check loopback was not asked",
        filter.rejection(f(CheckKey.LOOPBACK, "-", FindingVerdict.Error, null)));
  }

  @Test
  void theNodesOwnAddressesInterfaceAndDhcpAreKeptWhenTheSpecLeftThemToTheNode() throws Exception {
    DuplicateIpSpec own = new DuplicateIpSpec();
    own.setDhcp(true);
    ReportFilter filter = duplicateIp(own);
    List<Finding> legit =
        List.of(
            clear(CheckKey.DUPLICATE_IP, "203.0.113.241"),
            ghost(CheckKey.DUPLICATE_IP, "2001:db8::f1", GhostName.DuplicateIp),
            ghost(CheckKey.DUPLICATE_IP, "dhcp on ens3", GhostName.RogueDhcp),
            f(CheckKey.DUPLICATE_IP, "ens3", FindingVerdict.Error, null));
    assertEquals(legit, kept(filter, legit.toArray(Finding[]::new)));
    // What the check never writes is dropped, even where the node picks the targets.
    assertEquals(
        "RogueDhcp on an address",
        filter.rejection(ghost(CheckKey.DUPLICATE_IP, "203.0.113.241", GhostName.RogueDhcp)));
    assertEquals(
        "DuplicateIp on a DHCP target",
        filter.rejection(ghost(CheckKey.DUPLICATE_IP, "dhcp on ens3", GhostName.DuplicateIp)));
    assertEquals(
        "an interface is an error's target",
        filter.rejection(ghost(CheckKey.DUPLICATE_IP, "ens3", GhostName.DuplicateIp)));
  }

  @Test
  void namedAddressesMatchInAnySpellingAndOthersAreDropped() throws Exception {
    DuplicateIpSpec named = new DuplicateIpSpec();
    named.setAddresses(List.of("192.0.2.10", "2001:DB8:0:0:0:0:0:10"));
    named.setInterfaceName("eth1");
    ReportFilter filter = duplicateIp(named);
    // The check writes IPv6 in its short form (RFC 5952).
    assertNull(filter.rejection(clear(CheckKey.DUPLICATE_IP, "2001:db8::10")));
    assertNull(filter.rejection(clear(CheckKey.DUPLICATE_IP, "192.0.2.10")));
    assertNull(filter.rejection(f(CheckKey.DUPLICATE_IP, "eth1", FindingVerdict.Error, null)));
    assertEquals("address not asked", filter.rejection(clear(CheckKey.DUPLICATE_IP, "192.0.2.11")));
    assertEquals(
        "interface not asked",
        filter.rejection(f(CheckKey.DUPLICATE_IP, "eth0", FindingVerdict.Error, null)));
    assertEquals(
        "DHCP not asked on this interface",
        filter.rejection(ghost(CheckKey.DUPLICATE_IP, "dhcp on eth1", GhostName.RogueDhcp)));
  }

  @Test
  void aCleanTwinAFullLegitimateReportIsTakenAsItIs() throws Exception {
    ResolvedHunt hunt = resolve("https://app.example.com:8443/health", udpPortOwner());
    // What each check of this hunt writes: its targets as the probe-agent words them.
    NodeStatus report =
        node(
            ghost(CheckKey.PORT_OWNER, "udp/8443", GhostName.OrphanedPort),
            clear(CheckKey.PORT_OWNER, "udp/8443"),
            clear(CheckKey.LOOPBACK, "localhost:8443"),
            ghost(CheckKey.DNS, "app.example.com", GhostName.StaleDns),
            clear(CheckKey.HTTP2, hunt.checks().getHttp2().getUrls().get(0)),
            ghost(CheckKey.MTU, "app.example.com", GhostName.MtuBlackhole),
            f(CheckKey.ASYMMETRIC_ROUTE, "app.example.com", FindingVerdict.Inconclusive, null),
            clear(CheckKey.DUPLICATE_IP, "10.0.0.5"),
            ghost(CheckKey.DUPLICATE_IP, "2001:db8::5", GhostName.DuplicateIp),
            f(CheckKey.LOOPBACK, "-", FindingVerdict.Error, null));
    ReportFilter.Result r = ReportFilter.of(hunt).apply(report);
    assertEquals(List.of(), r.dropped());
    assertSame(report, r.entry(), "nothing dropped: the very entry");
    NodeStatus failed = new NodeStatus("node-b", NodePhase.Failed);
    failed.setMessage("the hunt cannot run");
    assertSame(failed, ReportFilter.of(hunt).apply(failed).entry());
  }

  private static ChecksSpec udpPortOwner() {
    ChecksSpec checks = new ChecksSpec();
    PortOwnerSpec p = new PortOwnerSpec();
    p.setProtocol(Protocol.UDP);
    checks.setPortOwner(p);
    return checks;
  }

  @Test
  void theEventNamesTheNodeAndWhatWasDroppedWithinBounds() throws Exception {
    ReportFilter filter = portOwner8080();
    NodeStatus report = node(clear(CheckKey.PORT_OWNER, "tcp/8080"));
    report.setPod("web-1");
    for (int i = 0; i < 10; i++) {
      Finding forged = ghost(CheckKey.HTTP2, "https://evil.example/" + "x".repeat(500), null);
      forged.setGhost(GhostName.Http2Quirk);
      forged.setSummary("s".repeat(2000));
      report.addFinding(forged);
    }
    String message = filter.apply(report).describe();
    assertTrue(
        message.startsWith(
            "pod/web-1 on node-a: dropped 10 of 11 reported findings its hunt did not ask for:"
                + " http2 https://evil.example/xxx"),
        message);
    assertTrue(message.contains(" Ghost Http2Quirk (check http2 was not asked); "), message);
    assertTrue(message.endsWith("; and 7 more"), message);
    assertTrue(message.length() < 600, message.length() + " characters");
    assertTrue(!message.contains("sss"), "never the finding's own text");
  }

  private static GhostHuntReport report(String node, NodeStatus entry) {
    GhostHuntReport r = new GhostHuntReport();
    r.setSpec(new GhostHuntReportSpec("tuesday", node, 3));
    if (entry != null) {
      r.setStatus(GhostHuntReportStatus.of(entry, "2026-11-25T12:00:05Z"));
    }
    return r;
  }

  @Test
  void everyReportIsTakenThroughTheFilterAndEachOneThatSaidTooMuchIsNamedOnce() throws Exception {
    Finding forged = ghost(CheckKey.DNS, "app.example.com", GhostName.StaleDns);
    Finding own = clear(CheckKey.PORT_OWNER, "tcp/8080");
    Map<String, GhostHuntReport> reports =
        Map.of(
            "node-a", report("node-a", node(own, forged)),
            "node-b", report("node-b", node(own)),
            "node-c", report("node-c", null));
    Map<String, ReportFilter.Result> dropped = new java.util.HashMap<>();
    Map<String, NodeStatus> entries = portOwner8080().entries(reports, 3, dropped::put);
    assertEquals(java.util.Set.of("node-a", "node-b"), entries.keySet(), "node-c: not written");
    assertEquals(List.of(own), entries.get("node-a").getFindings());
    assertEquals(List.of(own), entries.get("node-b").getFindings());
    assertEquals(3L, entries.get("node-a").getGeneration());
    assertEquals(java.util.Set.of("node-a"), dropped.keySet());
    assertTrue(dropped.get("node-a").describe().startsWith("node-a: dropped 1 of 2"));
  }

  @Test
  void onlyIpLiteralsAreParsedNeverNames() {
    assertNull(ReportFilter.ip("app.example.com"));
    assertNull(ReportFilter.ip("1:2:3"));
    assertNull(ReportFilter.ip("ens3"));
    assertEquals(ReportFilter.ip("fe80::1"), ReportFilter.ip("fe80::1%eth0"));
    assertEquals(ReportFilter.ip("2001:db8::10"), ReportFilter.ip("2001:DB8:0:0:0:0:0:10"));
  }
}
