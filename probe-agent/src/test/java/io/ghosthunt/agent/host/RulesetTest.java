package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RulesetTest {

  /** Trimmed from `nft -j list ruleset` on this kernel (nftables 1.0.6). */
  static final String NFT =
      """
      {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
       {"table": {"family": "inet", "name": "t1", "handle": 1}},
       {"chain": {"family": "inet", "table": "t1", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
       {"rule": {"family": "inet", "table": "t1", "chain": "input", "handle": 2, "expr": [
         {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}},
         {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
         {"counter": {"packets": 7, "bytes": 420}}, {"drop": null}]}},
       {"rule": {"family": "inet", "table": "t1", "chain": "input", "handle": 4, "expr": [
         {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "127.0.0.0", "len": 8}}}},
         {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [8080, 9090]}}},
         {"reject": {"type": "icmp", "expr": "port-unreachable"}}]}},
       {"rule": {"family": "inet", "table": "t1", "chain": "input", "handle": 5, "expr": [
         {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "invalid"}},
         {"counter": {"packets": 3, "bytes": 180}}, {"drop": null}]}},
       {"chain": {"family": "ip", "table": "filter", "name": "custom", "handle": 9}},
       {"rule": {"family": "ip", "table": "filter", "chain": "custom", "handle": 10, "expr": [
         {"match": {"op": "!=", "left": {"meta": {"key": "oifname"}}, "right": "lo"}},
         {"xt": {"type": "target", "name": "REJECT"}}]}}]}
      """;

  @Test
  void readsMatchesVerdictsCountersAndTheBaseChainHook() throws Exception {
    List<FirewallRule> rules = Ruleset.parseNft(NFT);
    assertEquals(4, rules.size());

    FirewallRule drop = rules.get(0);
    assertEquals("nft inet t1 input handle 2", drop.where());
    assertEquals("input", drop.hook());
    assertEquals("drop", drop.verdict());
    assertEquals(7L, drop.packets());
    assertEquals("iifname lo tcp dport 8080 counter packets 7 drop", drop.text());

    FirewallRule reject = rules.get(1);
    assertEquals("reject", reject.verdict());
    assertEquals(List.of("127.0.0.0/8"), reject.matching("ip saddr").get(0).values());
    assertEquals(List.of("8080", "9090"), reject.matching("tcp dport").get(0).values());
    assertNull(reject.packets());

    FirewallRule invalid = rules.get(2);
    assertEquals(List.of("invalid"), invalid.matching("ct state").get(0).values());

    FirewallRule xt = rules.get(3);
    assertNull(xt.hook(), "a regular chain has no hook");
    assertEquals("reject", xt.verdict());
    assertTrue(xt.matches().get(0).negated());
  }

  @Test
  void readsLegacyIptablesSave() {
    List<FirewallRule> rules =
        Ruleset.parseIptablesSave(
            "iptables-legacy",
            """
        *filter
        :INPUT ACCEPT [0:0]
        -A INPUT -i lo -p tcp -m tcp --dport 8080 -j DROP
        -A INPUT -m conntrack --ctstate INVALID -j DROP
        COMMIT
        """);
    assertEquals(2, rules.size());
    assertEquals("iptables-legacy filter INPUT rule 1", rules.get(0).where());
    assertEquals("input", rules.get(0).hook());
    assertEquals("drop", rules.get(0).verdict());
    assertEquals(List.of("lo"), rules.get(0).matching("iifname").get(0).values());
    assertEquals(List.of("8080"), rules.get(0).matching("tcp dport").get(0).values());
    assertEquals(List.of("invalid"), rules.get(1).matching("ct state").get(0).values());
  }
}
