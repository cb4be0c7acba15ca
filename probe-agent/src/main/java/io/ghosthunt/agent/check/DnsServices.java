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
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A Service name against the API: what the pod's nameserver answers for the Service's own name (the
 * search expansion {@code NAME.NAMESPACE.svc.DOMAIN}, or the name as written) against the ClusterIP
 * the API gives the Service now, as the operator read it when it made the probe. A Service deleted
 * and created again gets a new ClusterIP, and a cache in front of the kubernetes plugin (NodeLocal
 * DNSCache, a CoreDNS whose cache covers cluster.local) keeps handing out the old one until its TTL
 * runs out; clients then connect to an address nothing answers.
 */
final class DnsServices {

  /** A Service made this recently, with an address a cache does not know, was made again. */
  static final Duration RECREATED_WITHIN = Duration.ofMinutes(10);

  private DnsServices() {}

  /**
   * The Service's own name as it was asked, and the nameserver's answer.
   *
   * @param asked the name without a trailing dot
   */
  record Asked(String asked, Source source) {}

  /**
   * The answer the pod's nameserver gave for the Service's own name: among the search expansions,
   * else the name as written (when it is the Service's full name). Null when neither was asked.
   */
  static Asked asked(
      ServiceFacts.Service svc,
      String name,
      List<DnsSearch.Tried> tried,
      BiFunction<String, Answer, Source> atFirstNameserver,
      Source node) {
    for (DnsSearch.Tried t : tried) {
      if (svc.answers(t.name())) {
        return new Asked(t.name(), atFirstNameserver.apply(t.name(), t.answer()));
      }
    }
    String bare = bare(name);
    return svc.answers(bare) && node != null && node.lines() == null ? new Asked(bare, node) : null;
  }

  /**
   * Whether the API decides this name: a Service with a ClusterIP to compare with, or no Service
   * while the nameserver still hands out an address for it.
   */
  static boolean decides(ServiceFacts.Service svc, Asked asked) {
    if (asked == null || !asked.source().answer().answered()) {
      return svc.found() && !svc.clusterIPs().isEmpty() && asked != null;
    }
    if (svc.found()) {
      return !svc.clusterIPs().isEmpty();
    }
    return !asked.source().answer().addresses().isEmpty();
  }

  /** The finding for the name, judged by the API's view of the Service. */
  static Finding judge(String name, ServiceFacts.Service svc, Asked asked, Instant now) {
    Source s = asked.source();
    Answer a = s.answer();
    String through =
        asked.asked().equalsIgnoreCase(bare(name))
            ? ""
            : " through search expansion " + asked.asked();
    String api = api(svc, now);
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
              + api);
    }
    Set<InetAddress> ips = ips(svc);
    boolean negative = a.addresses().isEmpty();
    if (svc.found() && !negative && ips.containsAll(a.addresses())) {
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
    String held = a.ttl() >= 0 ? " (TTL " + a.ttl() + " s: it may hand it out that long yet)" : "";
    String summary =
        negative
            ? s.label()
                + " answers "
                + (a.nxdomain() ? "NXDOMAIN" : "no address")
                + " for "
                + asked.asked()
                + held
                + ", but "
                + api
                + ": "
                + holder(s)
                + " does not know it yet"
            : "the pod resolves "
                + name
                + " to "
                + DnsCheck.text(a.addresses())
                + through
                + " from "
                + s.label()
                + held
                + ", but "
                + api
                + ": "
                + why(svc, s, now);
    return Findings.ghost(CheckKey.DNS, name, GhostName.StaleDns, summary, remediation(s));
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
        + created(svc, now).map(d -> " (created " + d.toSeconds() + " s ago)").orElse("");
  }

  /** What {@code serviceInApi} says: the Service as the operator read it. */
  static String evidence(ServiceFacts.Service svc) {
    if (!svc.found()) {
      return svc.ref() + ": none when the probe was made";
    }
    return svc.ref()
        + ": "
        + (svc.clusterIPs().isEmpty()
            ? "no ClusterIP (headless or ExternalName): not compared"
            : "ClusterIP " + String.join(", ", svc.clusterIPs()))
        + (svc.created() == null ? "" : ", created " + svc.created());
  }

  private static String why(ServiceFacts.Service svc, Source s, Instant now) {
    if (!svc.found()) {
      return "it was deleted, and " + holder(s) + " still hands out its last address";
    }
    boolean recent = created(svc, now).map(d -> d.compareTo(RECREATED_WITHIN) <= 0).orElse(false);
    return recent
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

  private static java.util.Optional<Duration> created(ServiceFacts.Service svc, Instant now) {
    if (svc.created() == null) {
      return java.util.Optional.empty();
    }
    try {
      Duration d = Duration.between(Instant.parse(svc.created()), now);
      return java.util.Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return java.util.Optional.empty();
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
