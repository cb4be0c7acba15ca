package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.FirewallRule;
import io.ghosthunt.agent.host.FirewallRule.Match;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which live rules the loopback check blames: the pure matching logic. */
class LoopbackRuleTest {

  private static FirewallRule rule(String hook, String verdict, Match... matches) {
    return new FirewallRule("nft inet t input handle 1", hook, List.of(matches), verdict, null, "");
  }

  private static Match m(String key, String... values) {
    return new Match(key, false, List.of(values));
  }

  @Test
  void blamesDropsAndRejectsOfLoopbackTraffic() {
    assertTrue(LoopbackCheck.blocksLoopback(rule("input", "drop", m("iifname", "lo")), 8080));
    assertTrue(
        LoopbackCheck.blocksLoopback(rule("output", "reject", m("ip daddr", "127.0.0.0/8")), 8080));
    assertTrue(LoopbackCheck.blocksLoopback(rule("input", "drop", m("ip6 saddr", "::1")), 8080));
    assertTrue(
        LoopbackCheck.blocksLoopback(
            rule(null, "drop", m("iifname", "lo"), m("tcp dport", "8000-8100")), 8080));
    assertTrue(
        LoopbackCheck.blocksLoopback(
            rule("input", "drop", m("iifname", "lo"), m("tcp dport", "80", "8080")), 8080));
  }

  @Test
  void leavesOtherRulesAlone() {
    assertFalse(
        LoopbackCheck.blocksLoopback(rule("input", "accept", m("iifname", "lo")), 8080), "accept");
    assertFalse(
        LoopbackCheck.blocksLoopback(rule("input", "drop", m("iifname", "eth0")), 8080),
        "other interface");
    assertFalse(
        LoopbackCheck.blocksLoopback(
            rule("input", "drop", m("iifname", "lo"), m("tcp dport", "9999")), 8080),
        "other port");
    assertFalse(
        LoopbackCheck.blocksLoopback(rule("forward", "drop", m("iifname", "lo")), 8080),
        "forward path");
    assertFalse(
        LoopbackCheck.blocksLoopback(
            rule("input", "drop", new Match("iifname", true, List.of("lo"))), 8080),
        "iifname != lo");
    assertFalse(
        LoopbackCheck.blocksLoopback(
            rule("input", "drop", m("iifname", "lo"), m("udp dport", "8080")), 8080),
        "UDP only");
    assertFalse(
        LoopbackCheck.blocksLoopback(rule("input", "drop", m("ip saddr", "192.0.2.0/24")), 8080),
        "not loopback");
  }

  @Test
  void aRuleWhosePortsCannotBeReadMayCoverThePortButIsNoProof() {
    FirewallRule namedSet = rule("input", "drop", m("iifname", "lo"), m("tcp dport", "@ports"));
    assertFalse(LoopbackCheck.blocksLoopback(namedSet, 8080));
    assertEquals(LoopbackCheck.Cover.MAYBE, LoopbackCheck.coverage(namedSet, 8080));
    // A readable value that covers the port decides, whatever else the list holds.
    assertEquals(
        LoopbackCheck.Cover.YES,
        LoopbackCheck.coverage(
            rule("input", "drop", m("iifname", "lo"), m("tcp dport", "@ports", "8080")), 8080));
    assertEquals(
        LoopbackCheck.Cover.NO,
        LoopbackCheck.coverage(
            rule("input", "drop", m("iifname", "eth0"), m("tcp dport", "@ports")), 8080),
        "another interface: no matter the ports");
  }

  @Test
  void theKubeletsFirewallRuleDropsOnlyMartiansToLoopback() {
    // iptables -A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate
    // RELATED,ESTABLISHED,DNAT -j DROP
    // as nft lists it on every Kubernetes node: localhost to localhost never matches.
    FirewallRule kubeFirewall =
        new FirewallRule(
            "nft ip filter KUBE-FIREWALL handle 6",
            null,
            List.of(
                new Match("ip saddr", true, List.of("127.0.0.0/8")), m("ip daddr", "127.0.0.0/8")),
            "drop",
            0L,
            "");
    assertFalse(LoopbackCheck.blocksLoopback(kubeFirewall, 9090));
    assertFalse(
        LoopbackCheck.blocksLoopback(
            rule(
                "input",
                "drop",
                m("ip daddr", "127.0.0.0/8"),
                new Match("iifname", true, List.of("lo"))),
            9090),
        "not on lo");
    assertTrue(
        LoopbackCheck.blocksLoopback(
            rule(
                "input",
                "drop",
                m("ip daddr", "127.0.0.0/8"),
                new Match("ip saddr", true, List.of("192.0.2.0/24"))),
            9090),
        "a negation that keeps loopback sources in");
  }
}
