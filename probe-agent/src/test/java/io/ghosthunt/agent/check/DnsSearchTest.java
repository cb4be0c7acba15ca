package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.answer;
import static io.ghosthunt.agent.host.Answers.rcode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.check.DnsSearch.Expansion;
import io.ghosthunt.agent.check.DnsSearch.Tried;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.ResolvConf;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The "ndots:5 surprise": a short external name captured by a record in a search domain, which
 * glibc asks before the name itself. No server is asked.
 */
class DnsSearchTest {

  static final String NAME = "api.example.test";
  static final String CAPTURED = "api.example.test.corp.test";
  static final String CAPTURE = "203.0.113.66";
  static final String REAL = "203.0.113.20";
  static final String CLUSTER_DNS = "cluster DNS 203.0.113.226 (first in /etc/resolv.conf)";
  static final List<String> SEARCH = ResolvConf.search(DnsClusterLayerTest.KUBELETS);
  static final List<String> BEFORE =
      List.of(
          "api.example.test.shop.svc.cluster.local",
          "api.example.test.svc.cluster.local",
          "api.example.test.cluster.local");

  private static InetAddress ip(String a) {
    return Addresses.literal(a);
  }

  private static Answer silence() {
    return new Answer(null, "timed out after 2000 ms", false, List.of(), List.of(), -1, null);
  }

  private static Truth authority(String... a) {
    return DnsCheck.merge(null, "192.0.2.54", answer(300, a));
  }

  /** The kubelet's search list asked at the cluster DNS, the last domain capturing the name. */
  private static Expansion captured(Layer layer, String label, String... held) {
    List<Tried> tried = new ArrayList<>();
    for (String b : BEFORE) {
      tried.add(new Tried(b, b.substring(NAME.length() + 1), rcode("NXDOMAIN", 30)));
    }
    Tried winner = new Tried(CAPTURED, "corp.test", answer(30, held));
    tried.add(winner);
    Source source = new Source(label, "restart", winner.answer(), null, layer, ip("203.0.113.226"));
    return new Expansion(tried, winner, source, 5);
  }

  @Test
  void aNameUnderNdotsIsAskedWithEachSearchDomainFirstInThePodsOrder() {
    List<String> all = new ArrayList<>(BEFORE);
    all.add(CAPTURED);
    assertEquals(all, DnsSearch.expansions(NAME, SEARCH, 5));
  }

  @Test
  void aNameAskedAsItIsFirstHasNoExpansionToFear() {
    assertEquals(List.of(), DnsSearch.expansions(NAME, SEARCH, 2));
    assertEquals(List.of(), DnsSearch.expansions(NAME + ".", SEARCH, 5));
    assertEquals(List.of(), DnsSearch.expansions(NAME, List.of(), 5));
    // A root domain is the name as it is: what comes after it is not asked first.
    assertEquals(List.of(), DnsSearch.expansions(NAME, List.of(".", "corp.test"), 5));
  }

  @Test
  void noMoreThanSixSearchDomainsAreAsked() {
    List<String> eight =
        List.of("a.test", "b.test", "c.test", "d.test", "e.test", "f.test", "g.test", "h.test");
    List<String> asked = DnsSearch.expansions("web", eight, 5);
    assertEquals(DnsSearch.MAX_DOMAINS, asked.size());
    assertEquals("web.f.test", asked.get(5));
  }

  @Test
  void theSearchStopsAtTheFirstExpansionWithAnAddressAndGoesOnPastNoSuchNameOrNoAddress() {
    List<String> asked = new ArrayList<>();
    List<Tried> tried =
        DnsSearch.ask(
            NAME,
            List.of(BEFORE.get(0), BEFORE.get(1), CAPTURED, "api.example.test.other.test"),
            n -> {
              asked.add(n);
              return n.equals(CAPTURED)
                  ? answer(30, CAPTURE)
                  : n.equals(BEFORE.get(1)) ? rcode("NOERROR", 30) : rcode("NXDOMAIN", 30);
            });
    assertEquals(List.of(BEFORE.get(0), BEFORE.get(1), CAPTURED), asked);
    Tried winner = DnsSearch.winner(tried);
    assertSame(tried.get(2), winner);
    assertEquals("corp.test", winner.domain());
  }

  @Test
  void silenceOrARefusalEndsTheSearchListWithNoWinner() {
    List<String> asked = new ArrayList<>();
    List<Tried> tried =
        DnsSearch.ask(
            NAME,
            List.of(BEFORE.get(0), CAPTURED),
            n -> {
              asked.add(n);
              return silence();
            });
    assertEquals(List.of(BEFORE.get(0)), asked);
    assertNull(DnsSearch.winner(tried));
    assertNull(
        DnsSearch.winner(
            List.of(
                new Tried(BEFORE.get(0), "shop.svc.cluster.local", rcode("REFUSED", 30)),
                new Tried(CAPTURED, "corp.test", answer(30, CAPTURE)))));
    assertNull(DnsSearch.winner(List.of(new Tried(CAPTURED, "corp.test", rcode("NXDOMAIN", 30)))));
  }

  @Test
  void aCapturedNameIsStaleDnsNamingTheExpansionTheLayerAndTheTruth() {
    Finding f =
        DnsSearch.judge(NAME, captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE), authority(REAL));
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        "the node resolves api.example.test to 203.0.113.66 through search expansion"
            + " api.example.test.corp.test (search domain corp.test, ndots:5: a name with fewer"
            + " than 5 dots tries the search list first) from cluster DNS 203.0.113.226 (first in"
            + " /etc/resolv.conf), but 192.0.2.54 answers 203.0.113.20 for api.example.test",
        f.getSummary());
    assertEquals(
        "write the name fully qualified with a trailing dot (api.example.test.), or lower ndots in"
            + " the pod's dnsConfig (options: [{name: ndots, value: \"1\"}]), or remove the"
            + " record/wildcard *.corp.test that captures it",
        f.getRemediation());
  }

  @Test
  void againstTheExpectedAddressesTheSummarySaysSo() {
    Truth expected =
        new Truth(
            DnsCheck.EXPECTED,
            new LinkedHashSet<>(List.of(ip(REAL))),
            false,
            List.of(),
            null,
            -1,
            0,
            false,
            null);
    Finding f = DnsSearch.judge(NAME, captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE), expected);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertTrue(
        f.getSummary()
            .endsWith(", but the expected addresses of api.example.test are 203.0.113.20"),
        f.getSummary());
  }

  @Test
  void aNodesOwnResolverIsFixedInItsResolvConfNotInAPodsDnsConfig() {
    Finding f =
        DnsSearch.judge(
            NAME,
            captured(Layer.NODE, "resolver 192.0.2.53 (first in /etc/resolv.conf)", CAPTURE),
            authority(REAL));
    assertEquals(
        "write the name fully qualified with a trailing dot (api.example.test.), or lower ndots in"
            + " resolv.conf (options ndots:1), or remove the record/wildcard *.corp.test that"
            + " captures it",
        f.getRemediation());
  }

  @Test
  void anExpansionHandingOutTheTruthIsClearAndSaysItWasTheExpansion() {
    Finding f =
        DnsSearch.judge(NAME, captured(Layer.CLUSTER_DNS, CLUSTER_DNS, REAL), authority(REAL));
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals(
        "api.example.test resolves to 203.0.113.20 through search expansion"
            + " api.example.test.corp.test (search domain corp.test, ndots:5: a name with fewer"
            + " than 5 dots tries the search list first) from cluster DNS 203.0.113.226 (first in"
            + " /etc/resolv.conf), as 192.0.2.54 answers for api.example.test",
        f.getSummary());
  }

  @Test
  void aNameThatDoesNotExistButIsCapturedIsAGhostToo() {
    Truth gone =
        DnsCheck.merge(
            null,
            "192.0.2.54",
            new Answer("NXDOMAIN", null, true, List.of(), List.of(), 300, null));
    Finding f = DnsSearch.judge(NAME, captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE), gone);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertTrue(f.getSummary().endsWith("but 192.0.2.54 answers NXDOMAIN for api.example.test"));
  }

  @Test
  void withoutTheAuthoritysAnswerTheCaptureIsSaidButNotJudged() {
    Finding f =
        DnsSearch.judge(
            NAME,
            captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE),
            Truth.problem("the authority", "no zone with NS servers found above " + NAME));
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertTrue(
        f.getSummary()
            .endsWith(
                "; the node resolves it to 203.0.113.66"
                    + DnsSearch.through(captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE))),
        f.getSummary());
  }

  @Test
  void theEvidenceGivesTheWinnerFirstAndTheNamesThatGotNoSuchName() {
    Expansion e = captured(Layer.CLUSTER_DNS, CLUSTER_DNS, CAPTURE);
    assertEquals(
        "api.example.test.corp.test: 203.0.113.66, TTL 30 s (after NXDOMAIN for "
            + String.join(", ", BEFORE)
            + ")",
        DnsSearch.evidence(e));
    assertEquals(
        "cluster DNS 203.0.113.226 (first in /etc/resolv.conf) (search expansion " + CAPTURED + ")",
        DnsSearch.nodeAnswer(null, e));
  }

  @Test
  void withNoWinnerTheEvidenceSaysWhatEachExpansionGotAndNothingIsSaidWhenNoneWasAsked() {
    List<Tried> tried =
        List.of(
            new Tried(BEFORE.get(0), "shop.svc.cluster.local", rcode("NXDOMAIN", 30)),
            new Tried(BEFORE.get(1), "svc.cluster.local", rcode("NXDOMAIN", 30)),
            new Tried(CAPTURED, "corp.test", rcode("NOERROR", 30)));
    assertEquals(
        "none answered with an address: NXDOMAIN for "
            + BEFORE.get(0)
            + ", "
            + BEFORE.get(1)
            + "; no address for "
            + CAPTURED,
        DnsSearch.evidence(new Expansion(tried, null, null, 5)));
    // Null leaves the evidence key out: a name asked as it is first shows no search at all.
    assertNull(DnsSearch.evidence(Expansion.NONE));
  }
}
