package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Standing;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.check.DnsCheck.Upstreams;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.ResolvConf;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd-resolved as a layer: its stub's cache told from its upstreams', the flushes in an order
 * that works, and its upstreams read from the node's root. No server is asked.
 */
class DnsResolvedLayerTest {

  static final String NAME = "app.corp.test";
  static final String OLD = "203.0.113.30";
  static final String NEW = "203.0.113.40";
  static final String STUB_LABEL = "systemd-resolved 127.0.0.53 (first in /etc/resolv.conf)";
  static final String RESOLVED_FLUSH =
      "flush systemd-resolved's cache on the node: sudo resolvectl flush-caches"
          + " (or wait 3590 s for the cached answer to expire)";

  @TempDir Path host;

  private static InetAddress ip(String a) {
    return Addresses.literal(a);
  }

  private static Source source(String label, Layer layer, String server, long ttl, String a) {
    return new Source(
        label,
        DnsCheck.flush(layer, ip(server), NAME, ttl),
        answer(ttl, a),
        null,
        layer,
        ip(server));
  }

  private static Source stub(long ttl, String address) {
    return source(STUB_LABEL, Layer.RESOLVED_CACHE, "127.0.0.53", ttl, address);
  }

  private static Source upstream(String server, long ttl, String address) {
    return source(
        "upstream " + server + " of systemd-resolved (in /run/systemd/resolve/resolv.conf)",
        Layer.UPSTREAM,
        server,
        ttl,
        address);
  }

  private static Truth authority() {
    return DnsCheck.merge(null, "192.0.2.54", answer(300, NEW));
  }

  private static String upstreamFlush(String server, long ttl) {
    return "flush "
        + NAME
        + " on resolver "
        + server
        + " (unbound: unbound-control flush "
        + NAME
        + "; BIND: rndc flushname "
        + NAME
        + "; dnsmasq: kill -HUP its PID; CoreDNS: wait, its cache has no flush) or wait "
        + ttl
        + " s for the cached answer to expire";
  }

  private Finding judge(List<Source> sources) {
    ForeignRoot node = ForeignRoot.partial(host, List.of("/etc", "/run/systemd/resolve"));
    DnsCheck check =
        new DnsCheck(new HostsFile(node, "/etc/hosts"), node, "/etc/resolv.conf", new DnsClient());
    return check.judge(NAME, sources.get(0), sources, authority(), null);
  }

  @Test
  void theFindingNamesResolvedsOwnCacheAndItsFlush() {
    Finding f = judge(List.of(stub(3590, OLD), upstream("192.0.2.66", 280, NEW)));
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        "the node resolves app.corp.test to 203.0.113.30 from systemd-resolved 127.0.0.53 (first"
            + " in /etc/resolv.conf) (cached, 3590 s left, longer than the authority's TTL of 300"
            + " s: fetched before the change), but 192.0.2.54 answers 203.0.113.40; its upstream"
            + " 192.0.2.66 already answers 203.0.113.40: the stale answer is systemd-resolved's own"
            + " cache",
        f.getSummary());
    assertEquals(RESOLVED_FLUSH, f.getRemediation());
  }

  @Test
  void theFindingFlushesAStaleUpstreamFirst() {
    Finding f = judge(List.of(stub(3590, OLD), upstream("192.0.2.66", 3000, OLD)));
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(
        "the node resolves app.corp.test to 203.0.113.30 from systemd-resolved 127.0.0.53 (first"
            + " in /etc/resolv.conf) (cached, 3590 s left, longer than the authority's TTL of 300"
            + " s: fetched before the change), but 192.0.2.54 answers 203.0.113.40; its upstream"
            + " 192.0.2.66 still answers 203.0.113.30 too: flushed alone, systemd-resolved would"
            + " fetch the stale answer again; 1 more stale source",
        f.getSummary());
    assertEquals(
        upstreamFlush("192.0.2.66", 3000)
            + "; then, not before (systemd-resolved would fetch the same stale answer again), "
            + RESOLVED_FLUSH,
        f.getRemediation());
  }

  @Test
  void aCurrentStubIsClear() {
    Finding f = judge(List.of(stub(280, NEW), upstream("192.0.2.66", 250, NEW)));
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals(
        "app.corp.test resolves to 203.0.113.40 from " + STUB_LABEL + ", as 192.0.2.54 answers",
        f.getSummary());
  }

  @Test
  void aStaleUpstreamBehindACurrentStubIsAGhostOfItsOwn() {
    Finding f = judge(List.of(stub(280, NEW), upstream("192.0.2.66", 3000, OLD)));
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(
        "upstream 192.0.2.66 of systemd-resolved (in /run/systemd/resolve/resolv.conf) still"
            + " answers app.corp.test with 203.0.113.30 (cached, 3000 s left, longer than the"
            + " authority's TTL of 300 s: fetched before the change), but 192.0.2.54 answers"
            + " 203.0.113.40",
        f.getSummary());
    assertEquals(upstreamFlush("192.0.2.66", 3000), f.getRemediation());
  }

  @Test
  void theStubsAddressesAreResolvedsAndNoOtherIs() {
    assertEquals(Layer.RESOLVED_CACHE, DnsCheck.layer(ip("127.0.0.53")));
    assertEquals(Layer.RESOLVED_PROXY, DnsCheck.layer(ip("127.0.0.54")));
    assertEquals(Layer.NODE, DnsCheck.layer(ip("127.0.0.1")));
    assertEquals(Layer.NODE, DnsCheck.layer(ip("192.0.2.53")));
  }

  @Test
  void aStaleStubWithCurrentUpstreamsIsResolvedsOwnCache() {
    Source stub = stub(3590, OLD);
    List<Source> sources =
        List.of(stub, upstream("192.0.2.66", 280, NEW), upstream("192.0.2.67", 120, NEW));
    Truth truth = authority();
    assertEquals(Standing.STALE, DnsCheck.standing(stub, truth));
    assertEquals(
        "; its upstreams 192.0.2.66, 192.0.2.67 already answer "
            + NEW
            + ": the stale answer is systemd-resolved's own cache",
        DnsCheck.resolvedClause(stub, sources, truth));
    assertEquals(
        "; its upstream 192.0.2.66 already answers "
            + NEW
            + ": the stale answer is systemd-resolved's own cache",
        DnsCheck.resolvedClause(stub, sources.subList(0, 2), truth));
    assertEquals(RESOLVED_FLUSH, DnsCheck.remediation(List.of(stub)));
  }

  @Test
  void aStaleUpstreamIsFlushedBeforeResolved() {
    Source stub = stub(3590, OLD);
    Source stale = upstream("192.0.2.66", 3000, OLD);
    Truth truth = authority();
    assertEquals(Standing.STALE, DnsCheck.standing(stale, truth));
    assertEquals(List.of(stale, stub), DnsCheck.flushOrder(List.of(stub, stale)));
    assertEquals(
        upstreamFlush("192.0.2.66", 3000)
            + "; then, not before (systemd-resolved would fetch the same stale answer again), "
            + RESOLVED_FLUSH,
        DnsCheck.remediation(List.of(stub, stale)));
    assertEquals(
        "; its upstream 192.0.2.66 still answers "
            + OLD
            + " too: flushed alone, systemd-resolved would fetch the stale answer again",
        DnsCheck.resolvedClause(stub, List.of(stub, stale), truth));
  }

  @Test
  void upstreamsGoBeforeTheStubButAfterWhatComesFirstOnTheNode() {
    Source hosts =
        new Source(
            "/etc/hosts line 3",
            "remove line 3",
            null,
            List.of(new HostsFile.Line(3, ip(OLD), OLD + " " + NAME)));
    Source stub = stub(3590, OLD);
    Source other = source("resolver 192.0.2.53", Layer.NODE, "192.0.2.53", 3500, OLD);
    Source up = upstream("192.0.2.66", 3000, OLD);
    assertEquals(
        List.of(hosts, up, stub, other), DnsCheck.flushOrder(List.of(hosts, stub, other, up)));
    assertEquals(
        List.of(hosts, other, up),
        DnsCheck.flushOrder(List.of(hosts, other, up)),
        "no stub: an upstream stays last");
  }

  @Test
  void aCurrentStubIsNotStaleAndNeedsNoClause() {
    Source stub = stub(280, NEW);
    Truth truth = authority();
    assertEquals(Standing.CURRENT, DnsCheck.standing(stub, truth));
    Source plain = source("resolver 192.0.2.53", Layer.NODE, "192.0.2.53", 3500, OLD);
    assertEquals(
        "",
        DnsCheck.resolvedClause(plain, List.of(plain, upstream("192.0.2.66", 280, NEW)), truth),
        "a resolver that is not resolved's has no clause");
    assertEquals(
        "",
        DnsCheck.resolvedClause(stub(3590, OLD), List.of(stub(3590, OLD)), truth),
        "no upstream answered: nothing to say of them");
  }

  @Test
  void theProxyStubIsResolvedsButKeepsNoCache() {
    Source proxy =
        source(
            "systemd-resolved 127.0.0.54 (first in /etc/resolv.conf)",
            Layer.RESOLVED_PROXY,
            "127.0.0.54",
            3590,
            OLD);
    assertEquals(
        "; 127.0.0.54 is systemd-resolved's proxy stub, which keeps no cache: the answer is its"
            + " upstream's",
        DnsCheck.resolvedClause(proxy, List.of(proxy), authority()));
    assertEquals(
        "nothing to flush at systemd-resolved's proxy stub 127.0.0.54, which keeps no cache:"
            + " flush the upstream it forwards to",
        proxy.flush());
    Source up = upstream("192.0.2.66", 3000, OLD);
    assertEquals(
        upstreamFlush("192.0.2.66", 3000) + "; " + proxy.flush(),
        DnsCheck.remediation(List.of(proxy, up)),
        "the upstream first, and no \"then\": the proxy has nothing to refetch");
  }

  @Test
  void theUpstreamsAreReadWhereResolvedWritesThemInTheNodesRoot() throws Exception {
    Files.createDirectories(host.resolve("etc"));
    Files.createDirectories(host.resolve("run/systemd/resolve"));
    Files.writeString(
        host.resolve("run/systemd/resolve/stub-resolv.conf"), "nameserver 127.0.0.53\n");
    Files.createSymbolicLink(
        host.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
    Files.writeString(
        host.resolve("run/systemd/resolve/resolv.conf"),
        "# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).\n"
            + "nameserver 192.0.2.66\n"
            + "nameserver 127.0.0.1\n"
            + "nameserver 192.0.2.53\n"
            + "nameserver 192.0.2.66\n"
            + "nameserver 192.0.2.67\n"
            + "nameserver 192.0.2.68\n"
            + "search corp.test\n");
    ForeignRoot node = ForeignRoot.partial(host, List.of("/etc", "/run/systemd/resolve"));

    List<InetAddress> nodeResolvers =
        ResolvConf.nameservers(DnsCheck.read(node.resolve("/etc/resolv.conf")).lines());
    assertEquals(List.of(ip("127.0.0.53")), nodeResolvers);

    Upstreams up = DnsCheck.resolvedUpstreams(node, List.of(ip("127.0.0.53"), ip("192.0.2.53")));
    assertEquals(
        List.of(ip("192.0.2.66"), ip("192.0.2.67"), ip("192.0.2.68")),
        up.servers(),
        "loopback, a node resolver and a repeat left out; past glibc's three kept");
    assertNull(up.problem());
  }

  @Test
  void aMissingUpstreamFileSaysNothing() throws Exception {
    // The probe's mount of the node's folder is there (created if need be), the file is not.
    Files.createDirectories(host.resolve("run/systemd/resolve"));
    ForeignRoot node = ForeignRoot.partial(host, List.of("/etc", "/run/systemd/resolve"));
    assertEquals(
        new Upstreams(List.of(), null),
        DnsCheck.resolvedUpstreams(node, List.of(ip("127.0.0.53"))));
  }

  @Test
  void anUnreadableUpstreamFileIsSaid() throws Exception {
    Files.createDirectories(host.resolve("etc"));
    Files.createDirectories(host.resolve("run/systemd"));
    // resolved's folder a dangling link: the file is not plainly missing, and cannot be read.
    Files.createSymbolicLink(host.resolve("run/systemd/resolve"), Path.of("/run/elsewhere"));
    ForeignRoot node = ForeignRoot.partial(host, List.of("/etc", "/run/systemd/resolve"));
    Upstreams up = DnsCheck.resolvedUpstreams(node, List.of(ip("127.0.0.53")));
    String why =
        "cannot read /run/systemd/resolve -> /run/elsewhere = /run/elsewhere:"
            + " /run/elsewhere is not mounted in the probe (under "
            + host
            + " it sees only /etc, /run/systemd/resolve)";
    assertEquals(new Upstreams(List.of(), why), up);

    Finding f = Findings.clear(CheckKey.DNS, NAME, "clear");
    DnsCheck.fileEvidence(
        f,
        new DnsCheck.Read(
            node.resolve("/etc/resolv.conf"), null, node.resolve("/etc/hosts"), up, List.of()),
        null);
    assertEquals(Map.of("resolvedUpstreams", why), f.getEvidence());
    assertEquals(FindingVerdict.Clear, f.getVerdict(), "the stub was asked: the finding stands");
  }
}
