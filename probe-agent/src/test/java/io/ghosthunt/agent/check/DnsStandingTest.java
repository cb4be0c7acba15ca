package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.authoritative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Standing;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.HostsFile;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a different answer is stale, and when it is only different within its TTL. */
class DnsStandingTest {

  private static InetAddress ip(String a) {
    return Addresses.literal(a);
  }

  private static Source resolver(long ttl, String... addresses) {
    return new Source("resolver 192.0.2.53", "flush", authoritative(ttl, addresses), null);
  }

  private static Truth authority(long ttl, String... addresses) {
    return DnsCheck.merge(null, "192.0.2.54", authoritative(ttl, addresses));
  }

  @Test
  void aCacheHoldingLongerThanTheAuthoritysTtlFetchedBeforeTheChange() {
    assertEquals(
        Standing.STALE,
        DnsCheck.standing(resolver(3500, "203.0.113.10"), authority(300, "203.0.113.20")));
  }

  @Test
  void withinTheAuthoritysTtlAChangeAndGeoDnsLookAlike() {
    assertEquals(
        Standing.WITHIN_TTL,
        DnsCheck.standing(resolver(250, "203.0.113.10"), authority(300, "203.0.113.20")));
    Source negative =
        new Source(
            "resolver",
            "flush",
            new Answer("NXDOMAIN", null, false, List.of(), List.of(), 9999, null),
            null);
    assertEquals(Standing.WITHIN_TTL, DnsCheck.standing(negative, authority(300, "203.0.113.20")));
  }

  @Test
  void aHostsLineNeverExpires() {
    Source hosts =
        new Source(
            "/etc/hosts line 3",
            "remove",
            null,
            List.of(new HostsFile.Line(3, ip("203.0.113.10"), "203.0.113.10 app")));
    assertEquals(Standing.STALE, DnsCheck.standing(hosts, authority(300, "203.0.113.20")));
  }

  @Test
  void aPartOfWhatTheAuthorityHandsOutIsCurrent() {
    assertEquals(
        Standing.CURRENT,
        DnsCheck.standing(
            resolver(3500, "198.51.100.31"), authority(60, "198.51.100.31", "198.51.100.32")));
  }

  @Test
  void theAuthoritysAnswersAddUpAndTheirVariationShows() {
    Truth t = authority(60, "198.51.100.31", "198.51.100.32");
    t = DnsCheck.merge(t, t.label(), authoritative(60, "198.51.100.31", "198.51.100.32"));
    assertFalse(t.varied());
    t = DnsCheck.merge(t, t.label(), authoritative(30, "198.51.100.33"));
    assertTrue(t.varied());
    assertEquals(3, t.asked());
    assertEquals(60, t.ttl());
    assertEquals(
        new LinkedHashSet<>(List.of(ip("198.51.100.31"), ip("198.51.100.32"), ip("198.51.100.33"))),
        t.addresses());
  }

  @Test
  void aResolverThatDoesNotKnowANameTheHostsFileGivesIsNotJudged() {
    Source hosts =
        new Source(
            "/etc/hosts line 9",
            "remove",
            null,
            List.of(new HostsFile.Line(9, ip("203.0.113.20"), "203.0.113.20 app")));
    Source clusterDns =
        new Source(
            "cluster DNS 203.0.113.226",
            "restart",
            new Answer("NXDOMAIN", null, false, List.of(), List.of(), 30, null),
            null);
    // A pod's hostAliases name: the cluster DNS has never heard of it, and glibc never asks it.
    assertTrue(DnsCheck.outsideDns(clusterDns, hosts));
    // A resolver that knows the name otherwise is judged, and so is any negative answer when the
    // node's answer came from a resolver.
    assertFalse(DnsCheck.outsideDns(resolver(30, "203.0.113.10"), hosts));
    assertFalse(DnsCheck.outsideDns(clusterDns, resolver(30, "203.0.113.10")));
    assertFalse(DnsCheck.outsideDns(hosts, hosts));
  }
}
