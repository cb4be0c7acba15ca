package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.authoritative;
import static io.ghosthunt.agent.host.Answers.rcode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.check.DnsWhoAsks.Decision;
import io.ghosthunt.agent.check.DnsWhoAsks.Heard;
import io.ghosthunt.agent.check.DnsWhoAsks.Kind;
import io.ghosthunt.agent.check.DnsWhoAsks.Role;
import io.ghosthunt.agent.check.DnsWhoAsks.Subnet;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient.Answer;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whether the authority answers by who asks, from its rounds and its answers to the resolver's, the
 * node's and a stranger's subnet (EDNS Client Subnet). No server is asked.
 */
class DnsWhoAsksTest {

  static final String OLD = "203.0.113.10";
  static final String NEW = "203.0.113.20";
  static final Subnet RESOLVER = new Subnet(Role.RESOLVER, ip("192.0.2.53"), 32);
  static final Subnet NODE = new Subnet(Role.NODE, ip("192.0.2.10"), 32);
  static final Subnet STRANGER = new Subnet(Role.OTHER, ip("198.51.100.0"), 24);

  private static InetAddress ip(String a) {
    return Addresses.literal(a);
  }

  private static Source resolver(Answer held) {
    return new Source("resolver 192.0.2.53", "flush", held, null, Layer.NODE, ip("192.0.2.53"));
  }

  /** The authority's three rounds, each the same answer. */
  private static Truth rounds(Answer a) {
    Truth t = DnsCheck.merge(null, "192.0.2.54", a);
    t = DnsCheck.merge(t, t.label(), a);
    return DnsCheck.merge(t, t.label(), a);
  }

  private static Heard heard(Subnet s, int scope, String... addresses) {
    return new Heard(s, authoritative(60, addresses), scope);
  }

  @Test
  void roundsThatVariedAreARotatingPool() {
    Truth t =
        DnsCheck.merge(null, "192.0.2.55", authoritative(60, "198.51.100.31", "198.51.100.32"));
    t = DnsCheck.merge(t, t.label(), authoritative(60, "198.51.100.33", "198.51.100.34"));
    t = DnsCheck.merge(t, t.label(), authoritative(60, "198.51.100.31", "198.51.100.35"));

    Decision d = DnsWhoAsks.decide(t, resolver(authoritative(58, "198.51.100.36")), List.of());

    assertEquals(Kind.POOL, d.kind());
    assertEquals(
        "part of a rotating pool: 192.0.2.55 handed out another part each time it was asked"
            + " (198.51.100.31, 198.51.100.32, 198.51.100.33, 198.51.100.34, 198.51.100.35 over 3"
            + " queries)",
        d.says());
  }

  @Test
  void aScopeAndTheResolversOwnAnswerAreGeoDns() {
    Truth t = rounds(authoritative(60, "198.51.100.35", "198.51.100.36"));
    List<Heard> heard =
        List.of(
            heard(RESOLVER, 24, "198.51.100.31", "198.51.100.32"),
            heard(NODE, 24, "198.51.100.35", "198.51.100.36"),
            heard(STRANGER, 24, "198.51.100.31", "198.51.100.32"));

    Decision d =
        DnsWhoAsks.decide(t, resolver(authoritative(58, "198.51.100.31", "198.51.100.32")), heard);

    assertEquals(Kind.HANDED_OUT, d.kind());
    assertEquals(
        "the authority answers by who asks (EDNS Client Subnet scope /24): with the resolver's"
            + " address it hands out 198.51.100.31, 198.51.100.32, which the resolver holds",
        d.says());
  }

  @Test
  void anotherAnswerForAnotherSubnetIsByWhoAsksWithoutAScope() {
    Truth t = rounds(authoritative(60, NEW));
    List<Heard> heard =
        List.of(heard(RESOLVER, -1, OLD), heard(NODE, -1, NEW), heard(STRANGER, -1, OLD));

    Decision d = DnsWhoAsks.decide(t, resolver(authoritative(300, OLD)), heard);

    assertEquals(Kind.HANDED_OUT, d.kind());
    assertEquals(
        "the authority answers by who asks (another answer for another subnet): with the"
            + " resolver's address it hands out 203.0.113.10, which the resolver holds",
        d.says());
  }

  @Test
  void byWhoAsksButNotWhatTheResolverHoldsStaysOpen() {
    Truth t = rounds(authoritative(60, "198.51.100.35"));
    List<Heard> heard =
        List.of(
            heard(RESOLVER, 24, "198.51.100.33"),
            heard(NODE, 24, "198.51.100.35"),
            heard(STRANGER, 24, "198.51.100.33"));

    Decision d = DnsWhoAsks.decide(t, resolver(authoritative(58, "198.51.100.31")), heard);

    assertEquals(Kind.OPEN, d.kind());
    assertNull(d.says());
  }

  @Test
  void aScopeWithTheSameAnswerForAllStaysOpen() {
    // The authority says its answers depend on the subnet; that it gives every subnet asked the
    // new one says nothing of the subnet the resolver's answer was for.
    Truth t = rounds(authoritative(3600, NEW));
    List<Heard> heard =
        List.of(heard(RESOLVER, 24, NEW), heard(NODE, 24, NEW), heard(STRANGER, 24, NEW));

    assertEquals(Kind.OPEN, DnsWhoAsks.decide(t, resolver(authoritative(3590, OLD)), heard).kind());
  }

  @Test
  void theSameToEveryoneIsAChangeUnderTheCache() {
    Truth t = rounds(authoritative(3600, NEW));
    List<Heard> heard =
        List.of(heard(RESOLVER, -1, NEW), heard(NODE, -1, NEW), heard(STRANGER, -1, NEW));

    Decision d = DnsWhoAsks.decide(t, resolver(authoritative(3590, OLD)), heard);

    assertEquals(Kind.SAME_TO_ALL, d.kind());
    assertEquals(
        "the same to everyone (3 times the same; EDNS Client Subnet ignored, the same for"
            + " 192.0.2.53/32, 192.0.2.10/32, 198.51.100.0/24)",
        d.says());
  }

  @Test
  void aScopeOfZeroIsTheSameToEveryone() {
    Truth t = rounds(authoritative(3600, NEW));
    List<Heard> heard =
        List.of(heard(RESOLVER, 0, NEW), heard(NODE, 0, NEW), heard(STRANGER, 0, NEW));

    Decision d = DnsWhoAsks.decide(t, resolver(authoritative(3590, OLD)), heard);

    assertEquals(Kind.SAME_TO_ALL, d.kind());
    assertEquals(
        "the same to everyone (3 times the same; EDNS Client Subnet scope /0, the same for"
            + " 192.0.2.53/32, 192.0.2.10/32, 198.51.100.0/24)",
        d.says());
  }

  @Test
  void aCachedNxdomainForANameCreatedSinceFollowsTheSameRule() {
    Truth t = rounds(authoritative(3600, "203.0.113.30"));
    Source negative = resolver(rcode("NXDOMAIN", 290));
    List<Heard> same =
        List.of(
            heard(RESOLVER, -1, "203.0.113.30"),
            heard(NODE, -1, "203.0.113.30"),
            heard(STRANGER, -1, "203.0.113.30"));
    assertEquals(Kind.SAME_TO_ALL, DnsWhoAsks.decide(t, negative, same).kind());

    List<Heard> byWho =
        List.of(
            new Heard(RESOLVER, rcode("NXDOMAIN", 300), 24),
            heard(NODE, 24, "203.0.113.30"),
            heard(STRANGER, 24, "203.0.113.30"));
    Decision d = DnsWhoAsks.decide(t, negative, byWho);
    assertEquals(Kind.HANDED_OUT, d.kind());
    assertEquals(
        "the authority answers by who asks (EDNS Client Subnet scope /24): with the resolver's"
            + " address it hands out NXDOMAIN, which the resolver holds",
        d.says());
  }

  @Test
  void withoutTheResolversAnswerNothingIsDecided() {
    Truth t = rounds(authoritative(3600, NEW));
    Answer timedOut =
        new Answer(null, "timed out after 2000 ms", false, List.of(), List.of(), -1, null);
    List<Heard> heard =
        List.of(new Heard(RESOLVER, timedOut, -1), heard(NODE, -1, NEW), heard(STRANGER, -1, NEW));

    assertEquals(Kind.OPEN, DnsWhoAsks.decide(t, resolver(authoritative(3590, OLD)), heard).kind());
    assertEquals(
        Kind.OPEN, DnsWhoAsks.decide(t, resolver(authoritative(3590, OLD)), List.of()).kind());
    assertEquals(
        "192.0.2.53/32: timed out after 2000 ms; 192.0.2.10/32: 203.0.113.20 (no scope);"
            + " 198.51.100.0/24: 203.0.113.20 (no scope)",
        DnsWhoAsks.evidence(heard));
  }

  @Test
  void theEvidenceIsShortAndNamesTheScope() {
    assertNull(DnsWhoAsks.evidence(List.of()));
    assertEquals(
        "192.0.2.53/32: 198.51.100.31, 198.51.100.32, 198.51.100.33 +2 more (scope /24);"
            + " 198.51.100.0/24: NXDOMAIN (scope /0)",
        DnsWhoAsks.evidence(
            List.of(
                heard(
                    RESOLVER,
                    24,
                    "198.51.100.31",
                    "198.51.100.32",
                    "198.51.100.33",
                    "198.51.100.34",
                    "198.51.100.35"),
                new Heard(STRANGER, rcode("NXDOMAIN", 300), 0))));
  }

  @Test
  void theResolverAndTheNodeAreAskedAsTheirWholeAddressAndAStrangerAsADocumentationSubnet() {
    assertEquals(
        List.of(RESOLVER, NODE, STRANGER), DnsWhoAsks.subnets(ip("192.0.2.53"), ip("192.0.2.10")));
    assertEquals(
        List.of(
            new Subnet(Role.RESOLVER, ip("198.51.100.53"), 32),
            new Subnet(Role.NODE, ip("192.0.2.10"), 32),
            new Subnet(Role.OTHER, ip("203.0.113.0"), 24)),
        DnsWhoAsks.subnets(ip("198.51.100.53"), ip("192.0.2.10")),
        "the stranger is none of them");
    assertEquals(
        List.of(
            new Subnet(Role.RESOLVER, ip("2001:db8::53"), 128),
            new Subnet(Role.NODE, ip("2001:db8::10"), 128),
            new Subnet(Role.OTHER, ip("2001:db8:51::"), 56)),
        DnsWhoAsks.subnets(ip("2001:db8::53"), ip("2001:db8::10")));
    assertEquals(
        List.of(RESOLVER, STRANGER),
        DnsWhoAsks.subnets(ip("192.0.2.53"), ip("192.0.2.53")),
        "a resolver the authority sees as the node is asked once");
    assertEquals(List.of(RESOLVER, STRANGER), DnsWhoAsks.subnets(ip("192.0.2.53"), null));
  }

  @Test
  void aLoopbackResolverIsSeenAsTheNodeAndResolvedsStubAsItsUpstream() {
    InetAddress node = ip("192.0.2.10");
    Source plain = resolver(authoritative(300, OLD));
    assertEquals(ip("192.0.2.53"), DnsWhoAsks.seenAs(plain, List.of(plain), node));

    Source local =
        new Source(
            "resolver 127.0.0.1",
            "flush",
            authoritative(300, OLD),
            null,
            Layer.NODE,
            ip("127.0.0.1"));
    assertEquals(node, DnsWhoAsks.seenAs(local, List.of(local), node));

    Source stub =
        new Source(
            "systemd-resolved 127.0.0.53",
            "flush",
            authoritative(300, OLD),
            null,
            Layer.RESOLVED_CACHE,
            ip("127.0.0.53"));
    Source upstream =
        new Source(
            "upstream 192.0.2.66",
            "flush",
            authoritative(200, OLD),
            null,
            Layer.UPSTREAM,
            ip("192.0.2.66"));
    assertEquals(ip("192.0.2.66"), DnsWhoAsks.seenAs(stub, List.of(stub, upstream), node));
    assertEquals(node, DnsWhoAsks.seenAs(stub, List.of(stub), node));
  }
}
