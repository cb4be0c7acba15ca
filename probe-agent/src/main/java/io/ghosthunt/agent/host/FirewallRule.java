package io.ghosthunt.agent.host;

import java.util.List;

/**
 * One live firewall rule, reduced to what the checks reason about.
 *
 * @param where "nft inet filter input handle 3", or "iptables-legacy filter INPUT rule 2"
 * @param hook the base chain's hook (input, output, forward, ...), or null for a regular chain
 * @param matches the rule's conditions as (key, values) pairs, e.g. ("iifname", ["lo"])
 * @param verdict accept, drop, reject, jump ..., or null when the rule only counts
 * @param packets the rule's counter, or null without one
 * @param text the rule as nft or iptables-save would print it, near enough to search for
 */
public record FirewallRule(
    String where, String hook, List<Match> matches, String verdict, Long packets, String text) {

  /**
   * One condition: {@code key} is e.g. iifname, oifname, ip saddr, ip6 daddr, tcp dport, ct state.
   */
  public record Match(String key, boolean negated, List<String> values) {}

  public boolean drops() {
    return "drop".equals(verdict) || "reject".equals(verdict);
  }

  public List<Match> matching(String... keys) {
    List<String> wanted = List.of(keys);
    return matches.stream().filter(m -> wanted.contains(m.key())).toList();
  }
}
