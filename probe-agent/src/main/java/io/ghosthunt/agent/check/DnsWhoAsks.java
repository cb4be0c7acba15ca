package io.ghosthunt.agent.check;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.DnsClient.Answer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.xbill.DNS.Address;

/**
 * Whether the authority answers by who asks, for a source that holds, within the authority's TTL,
 * what the authority does not hand this node. From one node a change moments ago and an answer that
 * depends on who asks look alike; asked with EDNS Client Subnet (RFC 7871) as if by the resolver,
 * by the node and by a stranger, the authority tells them apart: it rotates a pool, or it hands the
 * resolver what the resolver holds (GeoDNS, a CDN: no ghost), or it hands everyone the same (the
 * record changed under a cache: the ghost), or it leaves the question open.
 */
final class DnsWhoAsks {

  private DnsWhoAsks() {}

  /** Addresses per subnet in the evidence: enough to compare, short enough to read. */
  private static final int SHOWN = 3;

  /** Addresses in a summary: a pool can be large, a summary is bounded. */
  private static final int SAID = 8;

  /** Who a subnet stands for. */
  enum Role {
    RESOLVER,
    NODE,
    OTHER
  }

  /** A client subnet the authority is asked as. */
  record Subnet(Role role, InetAddress address, int prefix) {
    String text() {
      return Addresses.text(address) + "/" + prefix;
    }
  }

  /**
   * What the authority answered one subnet.
   *
   * @param scope the scope prefix it returned; -1 when it returned no Client Subnet option
   */
  record Heard(Subnet subnet, Answer answer, int scope) {}

  enum Kind {
    /** The rounds varied: the resolver holds another part of a rotating pool. */
    POOL,
    /** The answer depends on who asks, and the resolver's subnet is handed what it holds. */
    HANDED_OUT,
    /** No sign of either: every round and every subnet got the same, so the cache is stale. */
    SAME_TO_ALL,
    /** The answer depends on who asks but not so as to explain the resolver's, or no answers. */
    OPEN
  }

  /** The decision and the words for it (null when open: the caller's undecided wording stands). */
  record Decision(Kind kind, String says) {}

  private static final Decision OPEN = new Decision(Kind.OPEN, null);

  /**
   * The subnets to ask as. The resolver's and the node's with their whole address (/32, /128), not
   * the /24 or /56 RFC 7871 asks resolvers to send: those shorten a client's address to keep its
   * privacy, while here both are the hunt's own servers, and an authority that maps finer than /24
   * would otherwise answer for a neighbour. The stranger is a documentation subnet of the
   * resolver's family, one that holds neither.
   */
  static List<Subnet> subnets(InetAddress resolver, InetAddress node) {
    List<Subnet> subnets = new ArrayList<>();
    subnets.add(new Subnet(Role.RESOLVER, resolver, full(resolver)));
    if (node != null && !node.equals(resolver)) {
      subnets.add(new Subnet(Role.NODE, node, full(node)));
    }
    List<Subnet> strangers =
        resolver instanceof Inet4Address
            ? List.of(subnet("198.51.100.0", 24), subnet("203.0.113.0", 24))
            : List.of(subnet("2001:db8:51::", 56), subnet("2001:db8:203::", 56));
    subnets.add(
        strangers.stream()
            .filter(s -> !within(resolver, s) && (node == null || !within(node, s)))
            .findFirst()
            .orElse(strangers.get(0)));
    return subnets;
  }

  private static int full(InetAddress a) {
    return a instanceof Inet4Address ? 32 : 128;
  }

  private static Subnet subnet(String address, int prefix) {
    return new Subnet(Role.OTHER, Addresses.literal(address), prefix);
  }

  private static boolean within(InetAddress a, Subnet s) {
    return a.getClass() == s.address().getClass()
        && Address.truncate(a, s.prefix()).equals(s.address());
  }

  /**
   * The address the authority knows the worst source's resolver by. One on loopback resolves from
   * the node's own address, except systemd-resolved's stub, which forwards: then its upstream's. A
   * resolver may leave by another address than it listens on, but from the same network, which is
   * what a GeoDNS map goes by. Null when there is no such address.
   */
  static InetAddress seenAs(Source worst, List<Source> sources, InetAddress node) {
    InetAddress server = worst.server();
    if (server == null || !server.isLoopbackAddress()) {
      return server;
    }
    if (worst.layer().resolved()) {
      for (Source s : sources) {
        if (s.layer() == Layer.UPSTREAM && s.answered()) {
          return s.server();
        }
      }
    }
    return node;
  }

  /** Asks {@code server} as every subnet at once; returns within {@code timeout}. */
  static List<Heard> ask(
      DnsClient dns, InetAddress server, String name, List<Subnet> subnets, Duration timeout) {
    List<CompletableFuture<Heard>> asked =
        subnets.stream()
            .map(
                s ->
                    dns.addressesFor(server, name, s.address(), s.prefix(), timeout)
                        .thenApply(a -> new Heard(s, a.answer(), a.scope())))
            .toList();
    // Each completes by itself, answered or not, within the timeout.
    return asked.stream().map(CompletableFuture::join).toList();
  }

  /**
   * The decision for the worst within-TTL source, from the authority's rounds and what it answered
   * each subnet. Asks no server.
   */
  static Decision decide(Truth truth, Source worst, List<Heard> heard) {
    if (truth.varied()) {
      return new Decision(
          Kind.POOL,
          "part of a rotating pool: "
              + truth.label()
              + " handed out another part each time it was asked ("
              + text(truth.addresses(), SAID)
              + " over "
              + truth.asked()
              + " queries)");
    }
    List<Heard> answered = heard.stream().filter(h -> h.answer().answered()).toList();
    Heard resolver =
        answered.stream().filter(h -> h.subnet().role() == Role.RESOLVER).findFirst().orElse(null);
    if (resolver == null || answered.size() < 2) {
      return OPEN;
    }
    int scope = answered.stream().mapToInt(Heard::scope).max().orElse(-1);
    boolean differ = answered.stream().anyMatch(h -> !same(h.answer(), truth));
    if (scope <= 0 && !differ) {
      return new Decision(Kind.SAME_TO_ALL, sameToAll(truth, answered, scope));
    }
    if (!holds(resolver.answer(), worst)) {
      return OPEN;
    }
    return new Decision(
        Kind.HANDED_OUT,
        "the authority answers by who asks ("
            + (scope > 0
                ? "EDNS Client Subnet scope /" + (resolver.scope() > 0 ? resolver.scope() : scope)
                : "another answer for another subnet")
            + "): with the resolver's address it hands out "
            + said(resolver.answer())
            + ", which the resolver holds");
  }

  private static String sameToAll(Truth truth, List<Heard> answered, int scope) {
    return "the same to everyone ("
        + truth.asked()
        + " times the same; EDNS Client Subnet "
        + (scope < 0 ? "ignored" : "scope /0")
        + ", the same for "
        + answered.stream().map(h -> h.subnet().text()).collect(Collectors.joining(", "))
        + ")";
  }

  /** The same answer as every round of the authority's gave this node. */
  private static boolean same(Answer a, Truth truth) {
    return a.nxdomain() == truth.nxdomain()
        && new LinkedHashSet<>(a.addresses()).equals(truth.addresses());
  }

  /** Whether an answer hands out what the source holds: its addresses, or its negative answer. */
  private static boolean holds(Answer a, Source worst) {
    Answer held = worst.answer();
    if (held.nxdomain()) {
      return a.nxdomain();
    }
    if (held.empty()) {
      return a.empty();
    }
    return !a.nxdomain() && a.addresses().containsAll(held.addresses());
  }

  private static String said(Answer a) {
    return a.nxdomain() ? "NXDOMAIN" : text(a.addresses(), SAID);
  }

  /**
   * The evidence: each subnet, what it was handed and the scope, e.g. {@code 192.0.2.53/32:
   * 203.0.113.20 (no scope)}; null when the authority was not asked so.
   */
  static String evidence(List<Heard> heard) {
    if (heard.isEmpty()) {
      return null;
    }
    return heard.stream()
        .map(
            h ->
                h.subnet().text()
                    + ": "
                    + (!h.answer().answered()
                        ? (h.answer().rcode() != null ? h.answer().rcode() : h.answer().error())
                        : (h.answer().nxdomain() ? "NXDOMAIN" : text(h.answer().addresses(), SHOWN))
                            + (h.scope() < 0 ? " (no scope)" : " (scope /" + h.scope() + ")")))
        .collect(Collectors.joining("; "));
  }

  private static String text(Collection<InetAddress> addresses, int shown) {
    if (addresses.isEmpty()) {
      return "no address";
    }
    String some =
        addresses.stream().limit(shown).map(Addresses::text).collect(Collectors.joining(", "));
    return addresses.size() > shown ? some + " +" + (addresses.size() - shown) + " more" : some;
  }
}
