package io.ghosthunt.agent.check;

import io.ghosthunt.agent.check.DnsCheck.Source;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Service name against the API: what the pod's nameserver answers for the Service's own name
 * ({@code NAME.NAMESPACE.svc.DOMAIN}, a search expansion or the name as written) against the
 * ClusterIP the API gives the Service, as the operator read it when it made the probe. A Service
 * deleted and created again gets a new ClusterIP, and a cache in front of the kubernetes plugin
 * (NodeLocal DNSCache, a CoreDNS whose cache covers cluster.local) keeps handing out the old one
 * until its TTL runs out; clients then connect to an address nothing answers.
 */
final class DnsServices {

  /** A Service made this recently, with an address a cache does not know, was made again. */
  static final Duration RECREATED_WITHIN = Duration.ofMinutes(10);

  /** The kubelet's first search domain for a ClusterFirst pod: NAMESPACE.svc.DOMAIN. */
  private static final Pattern POD_DOMAIN = Pattern.compile("[^.]+\\.svc\\.(.+)");

  private DnsServices() {}

  /**
   * The Service's own name as it was asked, and the nameserver's answer.
   *
   * @param asked the name without a trailing dot
   */
  record Asked(String asked, Source source) {}

  /**
   * What the API has to say about one dns name: the Service it may name and that Service's own
   * name, when the pod asks it for this name (else {@code own} is null, and the name is judged by
   * DNS alone).
   */
  record Side(ServiceFacts.Service svc, String own, String readAt) {

    static final Side NONE = new Side(null, null, null);

    /**
     * The API's addresses as the name's truth, or null: no authority outside the cluster knows a
     * ClusterIP.
     */
    DnsCheck.Truth truth() {
      return own != null && svc.found() && !svc.clusterIPs().isEmpty()
          ? new DnsCheck.Truth("the API", ips(svc), false, List.of(), null, -1, 0, false, null)
          : null;
    }

    /** The finding when the API decides the name, else null. */
    Finding judge(
        String name,
        List<DnsSearch.Tried> tried,
        BiFunction<String, Answer, Source> atFirstNameserver,
        Source node,
        Instant now) {
      if (own == null) {
        return null;
      }
      Asked asked = asked(own, name, tried, atFirstNameserver, node);
      return decides(svc, asked) ? DnsServices.judge(name, svc, asked, now) : null;
    }

    /** {@code serviceInApi}, on a name the API decided or whose Service exists. */
    void evidence(Finding f, boolean judged) {
      if (judged || (own != null && svc.found())) {
        f.evidence("serviceInApi", DnsServices.evidence(svc, readAt));
      }
    }
  }

  /**
   * The API's side of {@code name}: none with expected addresses (the user's truth), a hosts-file
   * line (the pod never asks DNS), or no Service the operator read for it.
   */
  static Side side(
      ServiceFacts facts,
      String name,
      boolean expected,
      boolean inHostsFile,
      List<String> search,
      int ndots) {
    ServiceFacts.Service svc = facts.services().get(name);
    if (svc == null || expected || inHostsFile) {
      return Side.NONE;
    }
    return new Side(svc, ownName(svc, name, search, ndots), facts.readAt());
  }

  /** The cluster domain a ClusterFirst pod's search list shows, else null. */
  static String clusterDomain(List<String> search) {
    if (search.isEmpty()) {
      return null;
    }
    Matcher m = POD_DOMAIN.matcher(search.get(0));
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /**
   * The Service's own name when getaddrinfo in the pod asks it for {@code name}: as one of the
   * search expansions, or the name as written. Null otherwise (not a ClusterFirst pod, a name the
   * search list never turns into the Service's): the API then has nothing to say about it.
   */
  static String ownName(ServiceFacts.Service svc, String name, List<String> search, int ndots) {
    String domain = clusterDomain(search);
    if (domain == null) {
      return null;
    }
    String own = svc.fqdn(domain);
    boolean asked =
        bare(name).equalsIgnoreCase(own)
            || DnsSearch.expansions(name, search, ndots).stream().anyMatch(own::equalsIgnoreCase);
    return asked ? own : null;
  }

  /**
   * The answer the pod's nameserver gave for {@code own}: among the search expansions asked, else
   * the node's own answer when the name as written is it. Null when the search ended before it.
   */
  static Asked asked(
      String own,
      String name,
      List<DnsSearch.Tried> tried,
      BiFunction<String, Answer, Source> atFirstNameserver,
      Source node) {
    for (DnsSearch.Tried t : tried) {
      if (t.name().equalsIgnoreCase(own)) {
        return new Asked(t.name(), atFirstNameserver.apply(t.name(), t.answer()));
      }
    }
    return bare(name).equalsIgnoreCase(own) && node != null && node.lines() == null
        ? new Asked(bare(name), node)
        : null;
  }

  /**
   * Whether the API decides the name: a Service with a ClusterIP to compare with, or no Service
   * while the nameserver still hands out an address for it.
   */
  static boolean decides(ServiceFacts.Service svc, Asked asked) {
    if (asked == null) {
      return false;
    }
    if (svc.found()) {
      return !svc.clusterIPs().isEmpty();
    }
    Answer a = asked.source().answer();
    return a.answered() && !a.addresses().isEmpty();
  }

  /** The finding for the name, judged by the API's view of the Service. */
  static Finding judge(String name, ServiceFacts.Service svc, Asked asked, Instant now) {
    Source s = asked.source();
    Answer a = s.answer();
    if (!a.answered()) {
      return Findings.inconclusive(
          CheckKey.DNS,
          name,
          "could not ask "
              + s.label()
              + " for "
              + asked.asked()
              + ": "
              + (a.rcode() != null ? a.rcode() : a.error())
              + "; "
              + api(svc, now));
    }
    String through =
        asked.asked().equalsIgnoreCase(bare(name))
            ? ""
            : " through search expansion " + asked.asked();
    if (svc.found() && !a.addresses().isEmpty() && ips(svc).containsAll(a.addresses())) {
      return Findings.clear(
          CheckKey.DNS,
          name,
          name
              + " resolves to "
              + DnsCheck.text(a.addresses())
              + through
              + " from "
              + s.label()
              + ", the ClusterIP Service "
              + svc.ref()
              + " has in the API");
    }
    String summary =
        a.addresses().isEmpty()
            ? unknown(svc, asked, now)
            : "the pod resolves "
                + name
                + " to "
                + DnsCheck.text(a.addresses())
                + through
                + " from "
                + s.label()
                + held(a)
                + ", but "
                + api(svc, now)
                + ": "
                + why(svc, s, now);
    return Findings.ghost(CheckKey.DNS, name, GhostName.StaleDns, summary, remediation(s));
  }

  /** NXDOMAIN (or no address) for a Service the API has. */
  private static String unknown(ServiceFacts.Service svc, Asked asked, Instant now) {
    Answer a = asked.source().answer();
    return asked.source().label()
        + " answers "
        + (a.nxdomain() ? "NXDOMAIN" : "no address")
        + " for "
        + asked.asked()
        + held(a)
        + ", but "
        + api(svc, now)
        + ": "
        + holder(asked.source())
        + (recent(svc, now) ? " does not know it yet" : " does not know it");
  }

  private static String held(Answer a) {
    return a.ttl() >= 0 ? " (TTL " + a.ttl() + " s: it may hand it out that long yet)" : "";
  }

  /** "the API gives Service shop/catalog ClusterIP X (created N s ago)", or "has no Service". */
  static String api(ServiceFacts.Service svc, Instant now) {
    if (!svc.found()) {
      return "the API has no Service " + svc.ref();
    }
    return "the API gives Service "
        + svc.ref()
        + " ClusterIP "
        + String.join(", ", svc.clusterIPs())
        + age(svc, now).map(d -> " (created " + d.toSeconds() + " s ago)").orElse("");
  }

  /** What {@code serviceInApi} says: the Service as the operator read it, and when. */
  static String evidence(ServiceFacts.Service svc, String readAt) {
    String when = readAt == null ? "" : " (read " + readAt + ")";
    if (!svc.found()) {
      return svc.ref() + ": none" + when;
    }
    return svc.ref()
        + ": "
        + (svc.clusterIPs().isEmpty()
            ? "no ClusterIP (headless or ExternalName): not compared"
            : "ClusterIP " + String.join(", ", svc.clusterIPs()))
        + (svc.created() == null ? "" : ", created " + svc.created())
        + when;
  }

  private static String why(ServiceFacts.Service svc, Source s, Instant now) {
    if (!svc.found()) {
      return "it was deleted, and " + holder(s) + " still hands out its last address";
    }
    if (age(svc, now).isEmpty()) {
      return holder(s)
          + " hands out an address the Service does not have: it was created again with a new"
          + " address since that answer was fetched, or the cluster DNS's view of Services is stuck";
    }
    return recent(svc, now)
        ? "the Service was deleted and created again with a new address, and "
            + holder(s)
            + " still hands out the old one"
        : holder(s)
            + " hands out an address the Service does not have: a cache that outlives the"
            + " kubernetes plugin's TTL, or a cluster DNS whose view of Services is stuck (its logs"
            + " show the API errors)";
  }

  /** Who holds the answer, in words: the layer, else the source's label. */
  private static String holder(Source s) {
    return switch (s.layer()) {
      case NODE_LOCAL_CACHE -> "NodeLocal DNSCache on this node";
      case CLUSTER_DNS -> "the cluster DNS (a CoreDNS cache that covers cluster.local)";
      default -> s.label();
    };
  }

  private static String remediation(Source s) {
    return s.flush()
        + "; a client that resolved the old address keeps it until it resolves again (a JVM"
        + " caches 30 s, a connection pool until it reconnects)";
  }

  private static boolean recent(ServiceFacts.Service svc, Instant now) {
    return age(svc, now).map(d -> d.compareTo(RECREATED_WITHIN) <= 0).orElse(false);
  }

  /** How long ago the Service was made; empty when its time was not handed over. */
  private static Optional<Duration> age(ServiceFacts.Service svc, Instant now) {
    if (svc.created() == null) {
      return Optional.empty();
    }
    try {
      Duration d = Duration.between(Instant.parse(svc.created()), now);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static Set<InetAddress> ips(ServiceFacts.Service svc) {
    Set<InetAddress> ips = new LinkedHashSet<>();
    for (String ip : svc.clusterIPs()) {
      if (Addresses.isLiteral(ip)) {
        ips.add(Addresses.literal(ip));
      }
    }
    return ips;
  }

  private static String bare(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
