package io.ghosthunt.agent.check;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.check.DnsCheck.Truth;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.util.ArrayList;
import java.util.List;

/**
 * The "ndots:5 surprise": glibc asks a name with fewer dots than {@code options ndots:N} with each
 * search domain appended first, and the first expansion with an address wins. A record or wildcard
 * in a search domain then captures a short external name, and the name itself is never asked: what
 * the node (or pod) resolves is the expansion's answer, whatever the name's own resolvers say.
 */
final class DnsSearch {

  /** glibc's MAXDNSRCH: older resolvers read no more search domains than this. */
  static final int MAX_DOMAINS = 6;

  private DnsSearch() {}

  /** One expansion asked at the first nameserver, and the search domain that made it. */
  record Tried(String name, String domain, Answer answer) {}

  /**
   * The expansions asked for a name, in order, and the one that won (null when none did).
   *
   * @param source the first nameserver with the winning answer; null when none won
   */
  record Expansion(List<Tried> tried, Tried winner, Source source, int ndots) {

    static final Expansion NONE = new Expansion(List.of(), null, null, 0);

    boolean won() {
      return winner != null;
    }
  }

  /** One query at the first nameserver, bounded by the caller. */
  @FunctionalInterface
  interface Query {
    Answer ask(String name);
  }

  /**
   * The search expansions glibc asks before {@code name} itself: none for a name with a trailing
   * dot or with at least {@code ndots} dots, whose own query comes first. Taken from {@link
   * PodResolver#candidates}, so that the pod's lookup and this check share one order.
   */
  static List<String> expansions(String name, List<String> search, int ndots) {
    List<String> names = PodResolver.candidates(name, search, ndots);
    int self = names.indexOf(name);
    List<String> before = self < 0 ? names : names.subList(0, self);
    return List.copyOf(before.subList(0, Math.min(before.size(), MAX_DOMAINS)));
  }

  /**
   * Asks the expansions in order until one is settled as glibc settles it: addresses win; no such
   * name, no address and SERVFAIL go on to the next; silence or a refusal ends the search list.
   */
  static List<Tried> ask(String name, List<String> expansions, Query query) {
    List<Tried> tried = new ArrayList<>();
    for (String e : expansions) {
      Answer a = query.ask(e);
      tried.add(new Tried(e, e.substring(name.length() + 1), a));
      if (PodResolver.step(a) != PodResolver.Step.NEXT) {
        break;
      }
    }
    return tried;
  }

  /** The expansion glibc settles on: the first with addresses, unless the search ended before. */
  static Tried winner(List<Tried> tried) {
    for (Tried t : tried) {
      PodResolver.Step step = PodResolver.step(t.answer());
      if (step == PodResolver.Step.FOUND) {
        return t;
      }
      if (step != PodResolver.Step.NEXT) {
        return null;
      }
    }
    return null;
  }

  /** Where the node's answer came from: the winning expansion's server, else the node's source. */
  static String nodeAnswer(Source node, Expansion e) {
    if (e.won()) {
      return e.source().label() + " (search expansion " + e.winner().name() + ")";
    }
    return node == null ? "none" : node.label();
  }

  /**
   * What the expansions answered, the winner first: {@code api.example.test.corp.test:
   * 203.0.113.66, TTL 30 s (after NXDOMAIN for api.example.test.cluster.local)}. Null when none was
   * asked.
   */
  static String evidence(Expansion e) {
    if (e.tried().isEmpty()) {
      return null;
    }
    List<Tried> before = e.won() ? e.tried().subList(0, e.tried().indexOf(e.winner())) : e.tried();
    String others = grouped(before);
    if (!e.won()) {
      return "none answered with an address: " + others;
    }
    return e.winner().name()
        + ": "
        + e.source().describe()
        + (others.isEmpty() ? "" : " (after " + others + ")");
  }

  /** "NXDOMAIN for a, b; no address for c": the names that got the same word, in order. */
  private static String grouped(List<Tried> tried) {
    return PodResolver.grouped(tried, t -> word(t.answer()), Tried::name);
  }

  private static String word(Answer a) {
    if (a.rcode() == null) {
      return "no answer (" + a.error() + ")";
    }
    return a.nxdomain() ? "NXDOMAIN" : a.empty() ? "no address" : a.rcode();
  }

  /**
   * The finding when an expansion won: a ghost when it hands out what the name's truth does not
   * (the authority's answer, or the expected addresses), Clear when it hands out the same.
   */
  static Finding judge(String name, Expansion e, Truth truth) {
    String through = through(e);
    if (truth.problem() != null) {
      return Findings.inconclusive(
          CheckKey.DNS,
          name,
          "could not get the authority's answer for "
              + name
              + ": "
              + truth.problem()
              + "; the node resolves it to "
              + text(e.source())
              + through);
    }
    if (!DnsCheck.differs(e.source(), truth)) {
      return Findings.clear(
          CheckKey.DNS,
          name,
          name
              + " resolves to "
              + text(e.source())
              + through
              + (truth.label().equals(DnsCheck.EXPECTED)
                  ? ", as expected"
                  : ", as " + truth.label() + " answers for " + name));
    }
    String summary =
        "the node resolves "
            + name
            + " to "
            + text(e.source())
            + through
            + ", but "
            + now(name, truth);
    return Findings.ghost(CheckKey.DNS, name, GhostName.StaleDns, summary, remediation(name, e));
  }

  /**
   * " through search expansion X (search domain D, ndots:N: ...) from SOURCE": why a name the user
   * wrote in full is not the one asked.
   */
  static String through(Expansion e) {
    return " through search expansion "
        + e.winner().name()
        + " (search domain "
        + e.winner().domain()
        + ", ndots:"
        + e.ndots()
        + ": a name with fewer than "
        + e.ndots()
        + " dots tries the search list first) from "
        + e.source().label();
  }

  /** What the truth says of the name itself. */
  private static String now(String name, Truth truth) {
    String what = truth.nxdomain() ? "NXDOMAIN" : DnsCheck.text(truth.addresses());
    return truth.label().equals(DnsCheck.EXPECTED)
        ? "the expected addresses of " + name + " are " + what
        : truth.label() + " answers " + what + " for " + name;
  }

  /**
   * Three ways out: ask the name as it is (a trailing dot skips the search list), make glibc ask it
   * first (ndots at most its dots), or take away what captures it in the search domain.
   */
  static String remediation(String name, Expansion e) {
    boolean pod =
        e.source().layer() == Layer.CLUSTER_DNS || e.source().layer() == Layer.NODE_LOCAL_CACHE;
    return "write the name fully qualified with a trailing dot ("
        + name
        + ".), or lower ndots "
        + (pod
            ? "in the pod's dnsConfig (options: [{name: ndots, value: \"1\"}])"
            : "in resolv.conf (options ndots:1)")
        + ", or remove the record/wildcard *."
        + e.winner().domain()
        + " that captures it";
  }

  private static String text(Source s) {
    return DnsCheck.text(s.addresses());
  }
}
