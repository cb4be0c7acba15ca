package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** resolv.conf's search list and ndots, read as glibc reads them. */
class ResolvConfTest {

  static final List<String> KUBELET =
      List.of(
          "search shop.svc.cluster.local svc.cluster.local cluster.local",
          "nameserver 10.96.0.10",
          "options ndots:5");

  @Test
  void theKubeletsFileSearchesThreeDomainsWithNdotsFive() {
    assertEquals(
        List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local"),
        ResolvConf.search(KUBELET));
    assertEquals(5, ResolvConf.ndots(KUBELET));
    assertEquals(List.of(Addresses.literal("10.96.0.10")), ResolvConf.nameservers(KUBELET));
  }

  @Test
  void withoutLinesGlibcsDefaultsHold() {
    assertEquals(List.of(), ResolvConf.search(List.of("nameserver 192.0.2.53")));
    assertEquals(1, ResolvConf.ndots(List.of("nameserver 192.0.2.53")));
  }

  @Test
  void theLastSearchOrDomainLineWins() {
    assertEquals(
        List.of("corp.test"),
        ResolvConf.search(List.of("search a.test b.test", "domain corp.test")));
    assertEquals(
        List.of("a.test", "b.test"),
        ResolvConf.search(List.of("domain corp.test", "search a.test. b.test")));
  }

  @Test
  void ndotsIsTheLastOptionCappedAtFifteen() {
    assertEquals(2, ResolvConf.ndots(List.of("options ndots:5", "options edns0 ndots:2")));
    assertEquals(15, ResolvConf.ndots(List.of("options ndots:40")));
    assertEquals(1, ResolvConf.ndots(List.of("options ndots:many")));
  }
}
