package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.authoritative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.check.DnsWhoAsks.Heard;
import io.ghosthunt.agent.check.DnsWhoAsks.Role;
import io.ghosthunt.agent.check.DnsWhoAsks.Subnet;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resolver answering, within the authority's TTL, what the authority does not hand this node: the
 * finding the authority's rounds and its answers to other subnets make of it. No server is asked.
 */
class DnsWithinTtlTest {

  static final String APP = "app.example.test";
  static final String OLD = "203.0.113.10";
  static final String NEW = "203.0.113.20";
  static final String LABEL = "resolver 192.0.2.53 (first in /etc/resolv.conf)";
  static final Subnet RESOLVER = new Subnet(Role.RESOLVER, ip("192.0.2.53"), 32);
  static final Subnet NODE = new Subnet(Role.NODE, ip("192.0.2.10"), 32);
  static final Subnet STRANGER = new Subnet(Role.OTHER, ip("198.51.100.0"), 24);

  @TempDir Path host;

  private static InetAddress ip(String a) {
    return Addresses.literal(a);
  }

  private static Source resolver(String name, Answer held) {
    return new Source(
        LABEL,
        DnsCheck.flush(Layer.NODE, ip("192.0.2.53"), name, held.ttl()),
        held,
        null,
        Layer.NODE,
        ip("192.0.2.53"));
  }

  private static Truth rounds(String label, Answer... answers) {
    Truth t = null;
    for (int i = 0; i < DnsCheck.AUTHORITY_ROUNDS; i++) {
      t = DnsCheck.merge(t, label, answers[i % answers.length]);
    }
    return t;
  }

  private static List<Heard> everyone(int scope, String... addresses) {
    return List.of(
        new Heard(RESOLVER, authoritative(3600, addresses), scope),
        new Heard(NODE, authoritative(3600, addresses), scope),
        new Heard(STRANGER, authoritative(3600, addresses), scope));
  }

  private Finding judge(String name, Source node, Truth truth, List<Heard> heard) {
    ForeignRoot root = ForeignRoot.partial(host, List.of("/etc"));
    DnsCheck check =
        new DnsCheck(new HostsFile(root, "/etc/hosts"), root, "/etc/resolv.conf", new DnsClient());
    return check.judge(name, node, List.of(node), truth, null, heard);
  }

  @Test
  void aChangeWhoseTtlWasNotCutIsAGhostWithTheTtlLeftAndTheFlush() {
    Source node = resolver(APP, authoritative(3590, OLD));

    Finding f = judge(APP, node, rounds("192.0.2.54", authoritative(3600, NEW)), everyone(-1, NEW));

    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        "the node resolves app.example.test to 203.0.113.10 from "
            + LABEL
            + " (cached, 3590 s left), but 192.0.2.54 answers 203.0.113.20, the same to everyone"
            + " (3 times the same; EDNS Client Subnet ignored, the same for 192.0.2.53/32,"
            + " 192.0.2.10/32, 198.51.100.0/24): the record changed in the last 10 s",
        f.getSummary());
    assertEquals(
        "flush app.example.test on resolver 192.0.2.53 (unbound: unbound-control flush"
            + " app.example.test; BIND: rndc flushname app.example.test; dnsmasq: kill -HUP its"
            + " PID; CoreDNS: wait, its cache has no flush) or wait 3590 s for the cached answer to"
            + " expire; should the old answer come back, the authority answers the resolver by its"
            + " address without saying so (GeoDNS without EDNS Client Subnet): no ghost",
        f.getRemediation());
  }

  @Test
  void aCachedNxdomainForANameCreatedSinceIsAGhostToo() {
    String name = "new.example.test";
    Source node =
        resolver(name, new Answer("NXDOMAIN", null, false, List.of(), List.of(), 290, null));

    Finding f =
        judge(
            name,
            node,
            rounds("192.0.2.54", authoritative(3600, "203.0.113.30")),
            everyone(-1, "203.0.113.30"));

    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        "the node resolves new.example.test to NXDOMAIN from "
            + LABEL
            + " (cached, 290 s left), but 192.0.2.54 answers 203.0.113.30, the same to everyone"
            + " (3 times the same; EDNS Client Subnet ignored, the same for 192.0.2.53/32,"
            + " 192.0.2.10/32, 198.51.100.0/24): the name was created since its NXDOMAIN was"
            + " cached",
        f.getSummary());
  }

  @Test
  void aGeoDnsAuthorityHandingTheResolverWhatItHoldsIsClear() {
    Source node = resolver("app.cdn.test", authoritative(58, "198.51.100.31", "198.51.100.32"));
    List<Heard> heard =
        List.of(
            new Heard(RESOLVER, authoritative(60, "198.51.100.31", "198.51.100.32"), 24),
            new Heard(NODE, authoritative(60, "198.51.100.35", "198.51.100.36"), 24),
            new Heard(STRANGER, authoritative(60, "198.51.100.31", "198.51.100.32"), 24));

    Finding f =
        judge(
            "app.cdn.test",
            node,
            rounds("192.0.2.55", authoritative(60, "198.51.100.35", "198.51.100.36")),
            heard);

    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertNull(f.getGhost());
    assertEquals(
        "the node resolves app.cdn.test to 198.51.100.31, 198.51.100.32 from "
            + LABEL
            + " (cached, 58 s left), which 192.0.2.55 does not hand this node (198.51.100.35,"
            + " 198.51.100.36), but the authority answers by who asks (EDNS Client Subnet scope"
            + " /24): with the resolver's address it hands out 198.51.100.31, 198.51.100.32, which"
            + " the resolver holds: no ghost",
        f.getSummary());
  }

  @Test
  void aRotatingPoolIsClearWithoutAskingAsAnyoneElse() {
    Source node = resolver("app.cdn.test", authoritative(58, "198.51.100.36"));

    Finding f =
        judge(
            "app.cdn.test",
            node,
            rounds(
                "192.0.2.55",
                authoritative(60, "198.51.100.31", "198.51.100.32"),
                authoritative(60, "198.51.100.33", "198.51.100.34")),
            List.of());

    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals(
        "the node resolves app.cdn.test to 198.51.100.36 from "
            + LABEL
            + " (cached, 58 s left), part of a rotating pool: 192.0.2.55 handed out another part"
            + " each time it was asked (198.51.100.31, 198.51.100.32, 198.51.100.33, 198.51.100.34"
            + " over 3 queries): no ghost",
        f.getSummary());
  }

  @Test
  void withoutAnswersToOthersItStaysInconclusiveAsBefore() {
    Source node = resolver(APP, authoritative(3590, OLD));

    Finding f = judge(APP, node, rounds("192.0.2.54", authoritative(3600, NEW)), List.of());

    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertEquals(
        "the node resolves app.example.test to 203.0.113.10 from "
            + LABEL
            + " (cached, 3590 s left), which 192.0.2.54 does not hand out (203.0.113.20, asked 3"
            + " times), but within its TTL of 3600 s: either the record changed in the last 10 s,"
            + " or the authority answers by who asks (GeoDNS, a CDN, a rotating pool)",
        f.getSummary());
  }

  @Test
  void aNameNowGoneSaysNoTimeOfChange() {
    // The authority's TTL for NXDOMAIN is the zone's negative one, not the record's.
    Source node = resolver(APP, authoritative(3590, OLD));
    Truth gone =
        rounds("192.0.2.54", new Answer("NXDOMAIN", null, true, List.of(), List.of(), 300, null));

    Finding f = judge(APP, node, gone, List.of());

    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertEquals(
        "the node resolves app.example.test to 203.0.113.10 from "
            + LABEL
            + " (cached, 3590 s left), which 192.0.2.54 does not hand out (NXDOMAIN, asked 3"
            + " times), but within its TTL of 300 s: either the record changed since it was"
            + " cached, or the authority answers by who asks (GeoDNS, a CDN, a rotating pool)",
        f.getSummary());
  }

  @Test
  void onlyASourceWithinItsTtlWithNoneStaleIsAskedAbout() {
    Truth truth = rounds("192.0.2.54", authoritative(300, NEW));
    Source within = resolver(APP, authoritative(250, OLD));
    Source past = resolver(APP, authoritative(3500, OLD));
    Source current = resolver(APP, authoritative(250, NEW));

    assertSame(within, DnsCheck.unsure(within, List.of(within, current), truth));
    assertNull(DnsCheck.unsure(within, List.of(within, past), truth), "a ghost already");
    assertNull(DnsCheck.unsure(current, List.of(current), truth), "the common clear path");
  }
}
