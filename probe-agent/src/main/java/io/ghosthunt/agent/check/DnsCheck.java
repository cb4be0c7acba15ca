package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.ResolvConf;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Site loads the wrong server: what the node resolves (hosts file first, then its resolvers, as
 * getaddrinfo does) against what the zone's authority answers now, or the addresses the user
 * expects. Ghost {@code StaleDns}, naming the stale source and the flush that fixes it.
 */
public final class DnsCheck implements Check {

  private static final Duration QUERY_TIMEOUT = Duration.ofMillis(2000);
  private static final int MAX_AUTHORITIES = 4;
  private static final int MAX_CNAME_ZONES = 8;
  private static final String EXPECTED = "the expected addresses";

  private final HostsFile hosts;
  private final ForeignRoot root;
  private final String resolvConfPath;

  /** Where the probe finds resolv.conf, before any link: what findings have always named. */
  private final Path resolvConf;

  private final DnsClient dns;

  public DnsCheck(HostsFile hosts, Path resolvConf, DnsClient dns) {
    this(hosts, ForeignRoot.whole(Path.of("/")), resolvConf.toAbsolutePath().toString(), dns);
  }

  /**
   * @param root the node's or pod's files, in which resolv.conf's links are followed
   * @param resolvConf resolv.conf's path inside {@code root}
   */
  public DnsCheck(HostsFile hosts, ForeignRoot root, String resolvConf, DnsClient dns) {
    this.hosts = hosts;
    this.root = root;
    this.resolvConfPath = resolvConf;
    this.resolvConf = root.real(resolvConf);
    this.dns = dns;
  }

  @Override
  public CheckKey key() {
    return CheckKey.DNS;
  }

  /** One place the node or a client can get an answer from. */
  record Source(String label, String flush, Answer answer, List<HostsFile.Line> lines) {

    Set<InetAddress> addresses() {
      return lines != null
          ? lines.stream()
              .map(HostsFile.Line::address)
              .collect(Collectors.toCollection(LinkedHashSet::new))
          : new LinkedHashSet<>(answer.addresses());
    }

    boolean answered() {
      return lines != null || answer.answered();
    }

    String describe() {
      if (lines != null) {
        return text(addresses());
      }
      if (!answer.answered()) {
        return answer.rcode() != null ? answer.rcode() : answer.error();
      }
      String what =
          answer.nxdomain()
              ? "NXDOMAIN"
              : answer.addresses().isEmpty() ? "no address" : text(answer.addresses());
      String via = answer.chain().isEmpty() ? "" : " via " + String.join(" → ", answer.chain());
      return what + via + (answer.ttl() >= 0 ? ", TTL " + answer.ttl() + " s" : "");
    }
  }

  /**
   * The authority's view of a name, after following CNAMEs across zones: every address its servers
   * handed out over {@code asked} queries, the longest TTL they gave (-1 when unknown), and whether
   * the answers varied (a rotating pool, or servers out of step).
   */
  record Truth(
      String label,
      Set<InetAddress> addresses,
      boolean nxdomain,
      List<String> chain,
      String problem,
      long ttl,
      int asked,
      boolean varied) {

    static Truth problem(String label, String problem) {
      return new Truth(label, Set.of(), false, List.of(), problem, -1, 0, false);
    }

    Truth withChain(String label, List<String> chain) {
      return new Truth(label, addresses, nxdomain, chain, problem, ttl, asked, varied);
    }
  }

  /**
   * How a source's answer stands against the truth: the same (or a part of it), stale past any TTL
   * (a hosts-file line never expires, the user's expected addresses are the truth whatever a TTL
   * says, a cache holding longer than the authority's TTL fetched before the change), or different
   * but within its TTL, where a record changed moments ago and an authority that answers by who
   * asks (GeoDNS, a CDN) look the same from here.
   */
  enum Standing {
    CURRENT,
    STALE,
    WITHIN_TTL
  }

  /** Queries per authoritative server: a rotating pool shows in the union of its answers. */
  static final int AUTHORITY_ROUNDS = 3;

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    DnsSpec spec = checks.getDns();
    ForeignRoot.Resolution conf = root.resolve(resolvConfPath);
    List<InetAddress> nodeResolvers = List.of();
    String unread = null;
    if (conf.readable()) {
      try {
        nodeResolvers = ResolvConf.nameservers(ForeignRoot.readAllLines(conf));
      } catch (IOException e) {
        unread = "cannot read " + conf.chain() + ": " + e.getMessage();
      }
    } else if (!conf.absent()) {
      // Not the probe's own file instead: the node's resolvers are unknown, and the finding says
      // so.
      unread = conf.problem();
    }
    Read files = new Read(conf, unread, hosts.resolve());
    List<InetAddress> extra = literals(spec.getResolvers());
    List<InetAddress> authorities = literals(spec.getAuthorities());
    Set<InetAddress> expected = new LinkedHashSet<>(literals(spec.getExpectedAddresses()));
    List<Finding> findings = new ArrayList<>();
    for (String name : spec.getNames()) {
      long started = System.nanoTime();
      Finding f = hunt(name, nodeResolvers, extra, authorities, expected, files, context);
      f.setDurationMs((System.nanoTime() - started) / 1_000_000);
      findings.add(f);
    }
    return findings;
  }

  private Finding hunt(
      String name,
      List<InetAddress> nodeResolvers,
      List<InetAddress> extra,
      List<InetAddress> authorities,
      Set<InetAddress> expected,
      Read files,
      CheckContext context) {
    List<Source> sources = new ArrayList<>();
    List<HostsFile.Line> lines;
    String hostsUnread = null;
    try {
      lines = hosts.lookup(name);
    } catch (IOException e) {
      lines = List.of();
      hostsUnread =
          e.getMessage() != null && e.getMessage().startsWith("cannot read ")
              ? e.getMessage()
              : "cannot read " + hosts.path() + ": " + e;
    }
    if (!lines.isEmpty()) {
      sources.add(
          new Source(
              hosts.path() + " line " + lines.get(0).number(),
              "remove or correct line "
                  + lines.get(0).number()
                  + " of "
                  + hosts.path()
                  + " (\""
                  + lines.get(0).text()
                  + "\")",
              null,
              lines));
    }
    for (int i = 0; i < nodeResolvers.size(); i++) {
      InetAddress r = nodeResolvers.get(i);
      sources.add(
          resolverSource(
              "resolver " + Addresses.text(r) + " (" + ordinal(i) + " in " + resolvConf + ")",
              r,
              name,
              context));
    }
    for (InetAddress r : extra) {
      sources.add(resolverSource("resolver " + Addresses.text(r), r, name, context));
    }

    // getaddrinfo: the hosts file wins; else the first resolver that answers at all.
    Source node = sources.stream().filter(Source::answered).findFirst().orElse(null);
    Truth truth =
        expected.isEmpty()
            ? authority(name, authorities, nodeResolvers, context, 0)
            : new Truth(EXPECTED, expected, false, List.of(), null, -1, 0, false);

    Finding f = judge(name, node, sources, truth, files.unread());
    unread(f, files.unread(), "its resolvers were not asked");
    unread(f, hostsUnread, "its hosts-file lines were not read");
    f.evidence("node answer", node == null ? "none" : node.label());
    if (files.unread() != null) {
      f.evidence("resolvConf", files.unread());
    } else if (files.resolvConf().linked()) {
      f.evidence("resolvConf", files.resolvConf().chain());
    }
    if (hostsUnread != null) {
      f.evidence("hostsFile", hostsUnread);
    } else if (files.hosts().linked() && files.hosts().readable()) {
      f.evidence("hostsFile", files.hosts().chain());
    }
    for (Source s : sources) {
      f.evidence(
          s.lines() != null ? "hosts" : s.label().replaceFirst(" \\(.*", ""),
          s.lines() != null
              ? s.lines().stream()
                  .map(l -> "line " + l.number() + ": " + l.text())
                  .collect(Collectors.joining("; "))
              : s.describe());
    }
    if (truth.problem() == null) {
      f.evidence(
          expected.isEmpty() ? "authority " + truth.label() : "expected",
          (truth.nxdomain() ? "NXDOMAIN" : text(truth.addresses()))
              + (truth.chain().isEmpty() ? "" : " via " + String.join(" → ", truth.chain())));
      if (truth.asked() > 0) {
        f.evidence(
            "authorityAsked",
            truth.asked()
                + " times: "
                + (truth.varied()
                    ? "the answers varied (a rotating pool, or servers out of step); all count"
                    : "the same answer each time")
                + (truth.ttl() >= 0 ? ", TTL " + truth.ttl() + " s" : ""));
      }
    } else {
      f.evidence("authority", truth.problem());
    }
    return f;
  }

  /**
   * The node's files as read: resolv.conf where its links lead, why it could not be read (null when
   * it was, or when it is plainly missing, as the C library takes it), and the hosts file's links.
   */
  record Read(ForeignRoot.Resolution resolvConf, String unread, ForeignRoot.Resolution hosts) {}

  /**
   * A file of the node that could not be read is said in the summary; an answer that looks clear
   * without it is unsure, since what the node resolves with was not all seen.
   */
  private static void unread(Finding f, String problem, String consequence) {
    if (problem == null || f.getSummary().contains(problem)) {
      return;
    }
    if (f.getVerdict() == FindingVerdict.Clear) {
      f.setVerdict(FindingVerdict.Inconclusive);
    }
    f.setSummary(f.getSummary() + "; " + problem + ", so " + consequence);
  }

  private Finding judge(
      String name, Source node, List<Source> sources, Truth truth, String unreadConf) {
    if (truth.problem() != null) {
      return Findings.inconclusive(
          key(),
          name,
          "could not get the authority's answer for "
              + name
              + ": "
              + truth.problem()
              + (node == null
                  ? ""
                  : "; the node answers " + node.describe() + " from " + node.label()));
    }
    if (node == null) {
      String why =
          sources.isEmpty()
              ? (unreadConf != null ? unreadConf : "no resolver in " + resolvConf)
                  + " and no hosts-file line"
              : sources.stream()
                  .map(s -> s.label() + ": " + s.describe())
                  .collect(Collectors.joining("; "));
      return Findings.inconclusive(key(), name, "the node cannot resolve " + name + ": " + why);
    }
    List<Source> stale =
        sources.stream().filter(s -> s.answered() && standing(s, truth) == Standing.STALE).toList();
    List<Source> unsure =
        sources.stream()
            .filter(s -> s.answered() && standing(s, truth) == Standing.WITHIN_TTL)
            .toList();
    if (stale.isEmpty() && !unsure.isEmpty()) {
      return withinTtl(name, node, unsure, truth);
    }
    if (stale.isEmpty()) {
      if (truth.nxdomain()) {
        return Findings.inconclusive(
            key(), name, name + " does not exist: the authority and the node both answer NXDOMAIN");
      }
      return Findings.clear(
          key(),
          name,
          name
              + " resolves to "
              + text(node.addresses())
              + " from "
              + node.label()
              + (truth.label().equals(EXPECTED)
                  ? ", as expected"
                  : ", as " + truth.label() + " answers"));
    }
    return staleFinding(name, node, stale, truth);
  }

  /**
   * The ghost: the worst stale source (the node's own answer when it is stale), and every flush.
   */
  private Finding staleFinding(String name, Source node, List<Source> stale, Truth truth) {
    Source worst = stale.contains(node) ? node : stale.get(0);
    String now =
        truth.nxdomain()
            ? "says it does not exist (NXDOMAIN)"
            : (truth.label().equals(EXPECTED) ? "are " : "answers ") + text(truth.addresses());
    String holds =
        worst.lines() != null
            ? ""
            : worst.answer().ttl() >= 0
                ? " (cached, "
                    + worst.answer().ttl()
                    + " s left"
                    + (truth.ttl() >= 0 && !truth.label().equals(EXPECTED)
                        ? ", longer than the authority's TTL of "
                            + truth.ttl()
                            + " s: fetched before the change"
                        : "")
                    + ")"
                : "";
    String whose =
        worst == node
            ? "the node resolves " + name + " to "
            : worst.label() + " still answers " + name + " with ";
    String summary =
        whose
            + (worst.answer() != null && worst.answer().nxdomain()
                ? "NXDOMAIN"
                : text(worst.addresses()))
            + (worst == node ? " from " + worst.label() : "")
            + holds
            + ", but "
            + truth.label()
            + " "
            + now
            + (stale.size() > 1
                ? "; " + (stale.size() - 1) + " more stale source" + (stale.size() > 2 ? "s" : "")
                : "");
    String remediation =
        stale.stream().map(Source::flush).distinct().collect(Collectors.joining("; "));
    return Findings.ghost(key(), name, GhostName.StaleDns, summary, remediation);
  }

  /**
   * Inconclusive: a source answers what the authority did not hand out, but within the authority's
   * TTL, so that a change moments ago and an answer that depends on who asks cannot be told apart
   * from this node. Says which, and how to find out.
   */
  private Finding withinTtl(String name, Source node, List<Source> unsure, Truth truth) {
    Source worst = unsure.contains(node) ? node : unsure.get(0);
    long left = worst.answer().ttl();
    String answer =
        worst.answer().nxdomain()
            ? "NXDOMAIN"
            : worst.answer().empty() ? "no address" : text(worst.addresses());
    String since =
        truth.ttl() >= 0 && left >= 0 && !worst.answer().nxdomain()
            ? "the record changed in the last " + Math.max(0, truth.ttl() - left) + " s"
            : "the record changed since it was cached";
    String summary =
        (worst == node
                ? "the node resolves " + name + " to " + answer + " from " + worst.label()
                : worst.label() + " answers " + name + " with " + answer)
            + (left >= 0 ? " (cached, " + left + " s left)" : "")
            + ", which "
            + truth.label()
            + " does not hand out ("
            + (truth.nxdomain() ? "NXDOMAIN" : text(truth.addresses()))
            + ", asked "
            + truth.asked()
            + " times), but within "
            + (truth.ttl() >= 0 ? "its TTL of " + truth.ttl() + " s" : "its TTL")
            + ": either "
            + since
            + ", or the authority answers by who asks (GeoDNS, a CDN, a rotating pool)";
    String remediation =
        unsure.stream().map(Source::flush).distinct().collect(Collectors.joining("; "))
            + "; if the same old answer comes back, the resolver is handed it: GeoDNS, not a ghost";
    Finding f = Findings.inconclusive(key(), name, summary);
    f.setRemediation(remediation);
    return f;
  }

  /**
   * Where a source stands (see {@link Standing}). A resolver's positive answer is stale only when
   * it holds longer than the authority's TTL; a negative one (or one for a name now gone) has no
   * TTL to compare with the authority's and stays within it.
   */
  static Standing standing(Source s, Truth truth) {
    if (!differs(s, truth)) {
      return Standing.CURRENT;
    }
    if (s.lines() != null || truth.label().equals(EXPECTED)) {
      return Standing.STALE;
    }
    boolean negative = s.answer().nxdomain() || s.answer().empty();
    return !negative && !truth.nxdomain() && truth.ttl() >= 0 && s.answer().ttl() > truth.ttl()
        ? Standing.STALE
        : Standing.WITHIN_TTL;
  }

  /**
   * Different when the source hands out an address the truth does not have, or a negative answer
   * for a name that exists (or the reverse). A subset is not different: round-robin servers answer
   * part of a set.
   */
  private static boolean differs(Source s, Truth truth) {
    boolean negative = s.lines() == null && (s.answer().nxdomain() || s.answer().empty());
    if (truth.nxdomain()) {
      return !negative;
    }
    if (negative) {
      return !truth.addresses().isEmpty();
    }
    if (s.lines() == null && s.answer().dangling() != null) {
      return false;
    }
    return !truth.addresses().containsAll(s.addresses());
  }

  private Source resolverSource(
      String label, InetAddress resolver, String name, CheckContext context) {
    Answer a = dns.addresses(resolver, name, true, context.atMost(QUERY_TIMEOUT));
    String wait = a.ttl() >= 0 ? " or wait " + a.ttl() + " s for the cached answer to expire" : "";
    return new Source(
        label,
        "flush "
            + name
            + " on resolver "
            + Addresses.text(resolver)
            + " ("
            + flushCommand(resolver, name)
            + ")"
            + wait,
        a,
        null);
  }

  private static String flushCommand(InetAddress resolver, String name) {
    if (Addresses.text(resolver).equals("127.0.0.53")) {
      return "systemd-resolved: resolvectl flush-caches";
    }
    return "unbound: unbound-control flush "
        + name
        + "; BIND: rndc flushname "
        + name
        + "; dnsmasq: kill -HUP its PID; CoreDNS: wait, its cache has no flush";
  }

  /**
   * Asks the authorities with recursion off: the ones named, else the zone's NS servers found
   * through the node's resolvers, each {@link #AUTHORITY_ROUNDS} times, and keeps every address
   * handed out. A CNAME into another zone is followed at that zone's servers.
   */
  private Truth authority(
      String name,
      List<InetAddress> named,
      List<InetAddress> resolvers,
      CheckContext context,
      int depth) {
    if (depth >= MAX_CNAME_ZONES) {
      return Truth.problem(
          "the authority", "CNAME chain longer than " + MAX_CNAME_ZONES + " zones");
    }
    Map<String, InetAddress> servers = new LinkedHashMap<>();
    String zone = null;
    if (!named.isEmpty()) {
      named.forEach(a -> servers.put(Addresses.text(a), a));
    } else {
      Zone found = findZone(name, resolvers, context);
      if (found.problem() != null) {
        return Truth.problem("the authority", found.problem());
      }
      zone = found.name();
      servers.putAll(found.servers());
    }
    List<String> problems = new ArrayList<>();
    Map<String, InetAddress> good = new LinkedHashMap<>();
    Truth truth = null;
    for (Map.Entry<String, InetAddress> server : servers.entrySet()) {
      Answer a = dns.addresses(server.getValue(), name, false, context.atMost(QUERY_TIMEOUT));
      String label =
          server.getKey().equals(Addresses.text(server.getValue()))
              ? server.getKey()
              : server.getKey() + " (" + Addresses.text(server.getValue()) + ")";
      if (!a.answered()) {
        problems.add(label + ": " + (a.rcode() != null ? a.rcode() : a.error()));
        continue;
      }
      if (!a.authoritative()) {
        problems.add(
            label
                + ": not authoritative for "
                + name
                + (zone == null ? "" : " (zone " + zone + ")"));
        continue;
      }
      if (a.dangling() != null) {
        Truth next =
            authority(
                a.dangling(), named.isEmpty() ? List.of() : named, resolvers, context, depth + 1);
        List<String> chain = new ArrayList<>(a.chain());
        next.chain().stream().skip(1).forEach(chain::add);
        return next.withChain(label, chain);
      }
      good.put(label, server.getValue());
      truth = merge(truth, label, a);
    }
    if (truth == null) {
      return Truth.problem(
          "the authority",
          problems.isEmpty() ? "no authoritative server to ask" : String.join("; ", problems));
    }
    return again(truth, good.values(), name, context);
  }

  /** The other rounds at every server that answered: a pool hands out another part each time. */
  private Truth again(
      Truth truth, Collection<InetAddress> servers, String name, CheckContext context) {
    for (int round = 1; round < AUTHORITY_ROUNDS; round++) {
      for (InetAddress server : servers) {
        Answer a = dns.addresses(server, name, false, context.atMost(QUERY_TIMEOUT));
        if (a.answered() && a.authoritative() && a.dangling() == null) {
          truth = merge(truth, truth.label(), a);
        }
      }
    }
    return truth;
  }

  /** The truth so far with one more authoritative answer in it. */
  static Truth merge(Truth so, String label, Answer a) {
    if (so == null) {
      return new Truth(
          label,
          new LinkedHashSet<>(a.addresses()),
          a.nxdomain(),
          a.chain(),
          null,
          a.ttl(),
          1,
          false);
    }
    Set<InetAddress> all = new LinkedHashSet<>(so.addresses());
    boolean varied =
        so.varied()
            || so.nxdomain() != a.nxdomain()
            || !new LinkedHashSet<>(a.addresses()).equals(so.addresses());
    all.addAll(a.addresses());
    return new Truth(
        so.label(),
        all,
        so.nxdomain() && a.nxdomain(),
        so.chain(),
        null,
        Math.max(so.ttl(), a.ttl()),
        so.asked() + 1,
        varied);
  }

  record Zone(String name, Map<String, InetAddress> servers, String problem) {}

  /**
   * The closest enclosing zone with an NS set, and its servers' addresses, through the node's
   * resolvers.
   */
  private Zone findZone(String name, List<InetAddress> resolvers, CheckContext context) {
    if (resolvers.isEmpty()) {
      return new Zone(
          null, Map.of(), "no authorities named and no resolver to find the zone's NS servers");
    }
    InetAddress resolver = resolvers.get(0);
    String candidate = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    while (candidate.contains(".")) {
      List<String> ns;
      try {
        ns = dns.nameServers(resolver, candidate, context.atMost(QUERY_TIMEOUT));
      } catch (IOException e) {
        return new Zone(
            null,
            Map.of(),
            "NS query for "
                + candidate
                + " at "
                + Addresses.text(resolver)
                + ": "
                + e.getMessage());
      }
      if (!ns.isEmpty()) {
        Map<String, InetAddress> servers = new LinkedHashMap<>();
        for (String host : ns.subList(0, Math.min(ns.size(), MAX_AUTHORITIES))) {
          Answer a = dns.addresses(resolver, host, true, context.atMost(QUERY_TIMEOUT));
          a.addresses().stream().findFirst().ifPresent(addr -> servers.put(host, addr));
        }
        if (servers.isEmpty()) {
          return new Zone(
              candidate,
              Map.of(),
              "the NS servers of "
                  + candidate
                  + " ("
                  + String.join(", ", ns)
                  + ") have no address");
        }
        return new Zone(candidate, servers, null);
      }
      candidate = candidate.substring(candidate.indexOf('.') + 1);
    }
    return new Zone(null, Map.of(), "no zone with NS servers found above " + name);
  }

  private static List<InetAddress> literals(List<String> texts) {
    return texts == null ? List.of() : texts.stream().map(Addresses::literal).toList();
  }

  private static String text(Collection<InetAddress> addresses) {
    return addresses.isEmpty()
        ? "no address"
        : addresses.stream().map(Addresses::text).collect(Collectors.joining(", "));
  }

  private static String ordinal(int i) {
    return switch (i) {
      case 0 -> "first";
      case 1 -> "second";
      default -> "third";
    };
  }
}
