package io.ghosthunt.agent.check;

import static io.ghosthunt.agent.host.Answers.answer;
import static io.ghosthunt.agent.host.Answers.rcode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsSearch.Tried;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.ResolvConf;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Service name's answer against the ClusterIP the API gives it. No server is asked. */
class DnsServicesTest {

  static final Instant NOW = Instant.parse("2026-12-07T10:00:30Z");
  static final String OLD = "203.0.113.230";
  static final String NEW = "203.0.113.231";
  static final String FULL = "catalog.shop.svc.cluster.local";
  static final String LOCAL = "NodeLocal DNSCache 203.0.113.210 (first in /etc/resolv.conf)";

  static ServiceFacts.Service catalog(String created) {
    return new ServiceFacts.Service("shop", "catalog", true, List.of(NEW), created);
  }

  static final ServiceFacts.Service GONE =
      new ServiceFacts.Service("shop", "basket", false, List.of(), null);

  static Source at(Layer layer, String label, Answer a) {
    return new Source(
        label,
        DnsCheck.flush(layer, Addresses.literal("203.0.113.210"), FULL, a.ttl()),
        a,
        null,
        layer,
        Addresses.literal("203.0.113.210"));
  }

  /** The kubelet's search list asked at the pod's first nameserver, the first expansion won. */
  static DnsServices.Asked expanded(ServiceFacts.Service svc, Answer a) {
    String own = svc.fqdn("cluster.local");
    List<Tried> tried = List.of(new Tried(own, "shop.svc.cluster.local", a));
    return DnsServices.asked(
        own, svc.name(), tried, (n, x) -> at(Layer.NODE_LOCAL_CACHE, LOCAL, x), null);
  }

  @Test
  void aCacheHandingOutARecreatedServicesOldAddressIsStaleDnsNamingBoth() {
    ServiceFacts.Service svc = catalog("2026-12-07T10:00:21Z");
    DnsServices.Asked asked = expanded(svc, answer(24, OLD));
    assertTrue(DnsServices.decides(svc, asked));
    Finding f = DnsServices.judge("catalog", svc, asked, NOW);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        "the pod resolves catalog to "
            + OLD
            + " through search expansion "
            + FULL
            + " from "
            + LOCAL
            + " (TTL 24 s: it may hand it out that long yet), but the API gives Service"
            + " shop/catalog ClusterIP "
            + NEW
            + " (created 9 s ago): the Service was deleted and created again with a new address,"
            + " and NodeLocal DNSCache on this node still hands out the old one",
        f.getSummary());
    assertTrue(
        f.getRemediation()
            .startsWith(
                "restart NodeLocal DNSCache (its pod on this node caches the answer): kubectl -n"
                    + " kube-system rollout restart daemonset node-local-dns (or wait 24 s"),
        f.getRemediation());
  }

  @Test
  void theServicesOwnClusterIpIsClear() {
    ServiceFacts.Service svc = catalog("2026-12-07T09:00:00Z");
    DnsServices.Asked asked = expanded(svc, answer(30, NEW));
    Finding f = DnsServices.judge("catalog", svc, asked, NOW);
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals(
        "catalog resolves to "
            + NEW
            + " through search expansion "
            + FULL
            + " from "
            + LOCAL
            + ", the ClusterIP Service shop/catalog has in the API",
        f.getSummary());
  }

  @Test
  void anOldServiceWithAnAddressItDoesNotHaveIsNotCalledRecreated() {
    ServiceFacts.Service svc = catalog("2026-12-01T00:00:00Z");
    Finding f = DnsServices.judge("catalog", svc, expanded(svc, answer(5, OLD)), NOW);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertFalse(f.getSummary().contains("created again"), f.getSummary());
    assertTrue(f.getSummary().contains("view of Services is stuck"), f.getSummary());
  }

  @Test
  void aDeletedServiceStillAnsweredIsStaleDnsAndItsNxdomainIsNotDecidedHere() {
    DnsServices.Asked held = expanded(GONE, answer(12, OLD));
    assertTrue(DnsServices.decides(GONE, held));
    Finding f = DnsServices.judge("basket", GONE, held, NOW);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertTrue(
        f.getSummary()
            .endsWith(
                "but the API has no Service shop/basket: it was deleted, and NodeLocal DNSCache"
                    + " on this node still hands out its last address"),
        f.getSummary());
    assertFalse(
        DnsServices.decides(GONE, expanded(GONE, rcode("NXDOMAIN", 5))),
        "no Service and no answer: the name is judged as any other");
  }

  @Test
  void aServiceTheNameserverDoesNotKnowYetIsStaleDns() {
    ServiceFacts.Service svc = catalog("2026-12-07T10:00:28Z");
    Finding f = DnsServices.judge("catalog", svc, expanded(svc, rcode("NXDOMAIN", 5)), NOW);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertTrue(
        f.getSummary().startsWith(LOCAL + " answers NXDOMAIN for " + FULL + " (TTL 5 s"),
        f.getSummary());
    assertTrue(f.getSummary().contains("(created 2 s ago)"), f.getSummary());
    assertTrue(f.getSummary().endsWith("does not know it yet"), f.getSummary());
    ServiceFacts.Service old = catalog("2026-12-01T00:00:00Z");
    assertTrue(
        DnsServices.judge("catalog", old, expanded(old, rcode("NXDOMAIN", 5)), NOW)
            .getSummary()
            .endsWith("does not know it"));
  }

  @Test
  void theFullNameAskedAsItIsIsTheNodesOwnAnswer() {
    ServiceFacts.Service svc = catalog(null);
    Source node = at(Layer.CLUSTER_DNS, "cluster DNS 203.0.113.226", answer(30, OLD));
    DnsServices.Asked asked = DnsServices.asked(FULL, FULL + ".", List.of(), (n, a) -> null, node);
    assertEquals(FULL, asked.asked());
    Finding f = DnsServices.judge(FULL + ".", svc, asked, NOW);
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertTrue(
        f.getSummary().startsWith("the pod resolves " + FULL + ". to " + OLD + " from cluster"),
        f.getSummary());
    assertTrue(f.getSummary().contains("the cluster DNS (a CoreDNS cache"), f.getSummary());
    assertTrue(
        f.getSummary().contains("it was created again with a new address since"),
        "no creation time handed over (another namespace's Service): " + f.getSummary());
  }

  @Test
  void theServicesOwnNameIsWhatTheSearchListMakesOfEveryFormOfItsName() {
    List<String> search = ResolvConf.search(DnsClusterLayerTest.KUBELETS);
    ServiceFacts.Service db = new ServiceFacts.Service("data", "db", true, List.of(NEW), null);
    String own = "db.data.svc.cluster.local";
    for (String name : List.of("db.data", "db.data.svc", own, own + ".", "DB.Data")) {
      assertEquals(own, DnsServices.ownName(db, name, search, 5), name);
    }
    assertEquals(FULL, DnsServices.ownName(catalog(null), "catalog", search, 5));
    assertNull(
        DnsServices.ownName(catalog(null), "catalog.", search, 5),
        "a trailing dot skips the search list");
    assertNull(
        DnsServices.ownName(catalog(null), "catalog", List.of("corp.test"), 5),
        "not a ClusterFirst pod: no cluster domain to ask in");
    assertNull(
        DnsServices.ownName(catalog(null), "catalog", search, 0),
        "ndots 0: only the name as written, which is not the Service's");
  }

  @Test
  void onlyTheServicesOwnNameIsItsAnswerNotAnEarlierExpansionThatStartsLikeIt() {
    ServiceFacts.Service db = new ServiceFacts.Service("data", "db", true, List.of(NEW), null);
    String own = "db.data.svc.cluster.local";
    List<Tried> tried =
        List.of(
            new Tried(
                "db.data.svc.shop.svc.cluster.local",
                "shop.svc.cluster.local",
                rcode("NXDOMAIN", 5)),
            new Tried(own, "svc.cluster.local", answer(30, NEW)));
    DnsServices.Asked asked =
        DnsServices.asked(
            own, "db.data.svc", tried, (n, x) -> at(Layer.CLUSTER_DNS, "cluster DNS", x), null);
    assertEquals(own, asked.asked());
    assertEquals(
        FindingVerdict.Clear, DnsServices.judge("db.data.svc", db, asked, NOW).getVerdict());
  }

  @Test
  void aNameTheServiceDoesNotServeIsNotItsAndAHeadlessServiceIsNotCompared() {
    Source node = at(Layer.CLUSTER_DNS, "cluster DNS 203.0.113.226", answer(30, OLD));
    assertNull(DnsServices.asked(FULL, "catalog.corp.test", List.of(), (n, a) -> null, node));
    ServiceFacts.Service headless =
        new ServiceFacts.Service("shop", "catalog", true, List.of(), null);
    assertFalse(DnsServices.decides(headless, expanded(headless, answer(30, OLD))));
    assertEquals(
        "shop/catalog: no ClusterIP (headless or ExternalName): not compared",
        DnsServices.evidence(headless, null));
    assertEquals(
        "shop/basket: none (read 2026-12-07T10:00:20Z)",
        DnsServices.evidence(GONE, "2026-12-07T10:00:20Z"));
  }
}
