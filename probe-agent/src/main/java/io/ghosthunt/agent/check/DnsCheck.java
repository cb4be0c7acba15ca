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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Site loads the wrong server: what the node resolves (hosts file first, then its resolvers, as
 * getaddrinfo does) against what the zone's authority answers now, or the addresses the user
 * expects. Ghost {@code StaleDns}, naming the stale source and the flush that fixes it. Behind
 * systemd-resolved's stub its upstream servers are asked too, to tell its own cache from theirs.
 */
public final class DnsCheck implements Check {

  private static final Duration QUERY_TIMEOUT = Duration.ofMillis(2000);
  private static final int MAX_AUTHORITIES = 4;
  private static final int MAX_CNAME_ZONES = 8;
  static final String EXPECTED = "the expected addresses";

  /** Where systemd-resolved lists every link's servers, in resolv.conf's format. */
  static final String RESOLVED_UPSTREAMS = "/run/systemd/resolve/resolv.conf";

  private static final InetAddress RESOLVED_STUB = Addresses.literal("127.0.0.53");
  private static final InetAddress RESOLVED_PROXY_STUB = Addresses.literal("127.0.0.54");

  private final HostsFile hosts;
  private final ForeignRoot root;
  private final String resolvConfPath;

  /** resolv.conf as findings name it (see ForeignRoot#shown). */
  private final String resolvConf;

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
    this.resolvConf = root.shown(resolvConf);
    this.dns = dns;
  }

  @Override
  public CheckKey key() {
    return CheckKey.DNS;
  }

  /**
   * Where a source sits between the node and the authority: it decides what its staleness means and
   * in which order the flushes fix it.
   */
  enum Layer {
    /** The hosts file, or a resolver that is not systemd-resolved's. */
    NODE,
    /** systemd-resolved's stub 127.0.0.53, answering from its cache. */
    RESOLVED_CACHE,
    /**
     * systemd-resolved's proxy stub 127.0.0.54, relaying to an upstream with no cache of its own.
     */
    RESOLVED_PROXY,
    /** A server systemd-resolved forwards to, asked by the probe: never what the node resolves. */
    UPSTREAM,
    /**
     * The cluster DNS of a pod that resolves as the kubelet set it up (dnsPolicy ClusterFirst): the
     * kube-dns Service, CoreDNS behind it, each of its pods with a cache of its own.
     */
    CLUSTER_DNS,
    /** NodeLocal DNSCache's address on the node, a cache in front of the cluster DNS. */
    NODE_LOCAL_CACHE;

    boolean resolved() {
      return this == RESOLVED_CACHE || this == RESOLVED_PROXY;
    }
  }

  /** Which of systemd-resolved's stubs a nameserver of the node is, if any. */
  static Layer layer(InetAddress nameserver) {
    if (nameserver.equals(RESOLVED_STUB)) {
      return Layer.RESOLVED_CACHE;
    }
    return nameserver.equals(RESOLVED_PROXY_STUB) ? Layer.RESOLVED_PROXY : Layer.NODE;
  }

  /**
   * A nameserver of a resolv.conf the kubelet wrote for a ClusterFirst pod (its search list starts
   * with the pod's {@code <namespace>.svc.<cluster domain>}): every nameserver there is the
   * kubelet's clusterDNS, the kube-dns Service or a node-local cache in front of it. A link-local
   * address is never a Service's: NodeLocal DNSCache's (169.254.20.10, kubespray's 169.254.25.10).
   * With the kube-dns Service's ClusterIPs, which the operator reads for a pod hunt (the probe has
   * no right in kube-system), any other clusterDNS is a cache too, at an address of its own.
   *
   * @param clusterDns the kube-dns Service's ClusterIPs; empty when not known
   */
  static Layer layer(InetAddress nameserver, List<String> search, List<String> clusterDns) {
    boolean clusterFirst = !search.isEmpty() && search.get(0).matches("[^.]+\\.svc\\..+");
    if (!clusterFirst) {
      return layer(nameserver);
    }
    boolean elsewhere =
        !clusterDns.isEmpty()
            && clusterDns.stream()
                .filter(Addresses::isLiteral)
                .map(Addresses::literal)
                .noneMatch(nameserver::equals);
    return nameserver.isLinkLocalAddress() || elsewhere
        ? Layer.NODE_LOCAL_CACHE
        : Layer.CLUSTER_DNS;
  }

  /**
   * One place the node or a client can get an answer from.
   *
   * @param server the resolver asked; null for the hosts file
   */
  record Source(
      String label,
      String flush,
      Answer answer,
      List<HostsFile.Line> lines,
      Layer layer,
      InetAddress server) {

    Source(String label, String flush, Answer answer, List<HostsFile.Line> lines) {
      this(label, flush, answer, lines, Layer.NODE, null);
    }

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
   * handed out over {@code asked} queries, the longest TTL they gave (-1 when unknown), whether the
   * answers varied (a rotating pool, or servers out of step), and where it was asked (null when the
   * truth is not an authority's).
   */
  record Truth(
      String label,
      Set<InetAddress> addresses,
      boolean nxdomain,
      List<String> chain,
      String problem,
      long ttl,
      int asked,
      boolean varied,
      At at) {

    static Truth problem(String label, String problem) {
      return new Truth(label, Set.of(), false, List.of(), problem, -1, 0, false, null);
    }

    Truth withChain(String label, List<String> chain) {
      return new Truth(label, addresses, nxdomain, chain, problem, ttl, asked, varied, at);
    }

    Truth at(At where) {
      return new Truth(label, addresses, nxdomain, chain, problem, ttl, asked, varied, where);
    }
  }

  /**
   * The name asked at the last zone of a CNAME chain, and that zone's servers that answered: where
   * to ask again as someone else.
   */
  record At(String name, List<InetAddress> servers) {}

  /**
   * How a source's answer stands against the truth: the same (or a part of it), stale past any TTL
   * (a hosts-file line never expires, the user's expected addresses are the truth whatever a TTL
   * says, a cache holding longer than the authority's TTL fetched before the change), or different
   * but within its TTL, where a record changed moments ago and an authority that answers by who
   * asks (GeoDNS, a CDN) look the same from here, until the authority is asked as others ({@link
   * DnsWhoAsks}).
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
    Lines confLines = read(conf);
    List<InetAddress> nodeResolvers = ResolvConf.nameservers(confLines.lines());
    Upstreams upstreams =
        nodeResolvers.stream().anyMatch(r -> layer(r).resolved())
            ? resolvedUpstreams(root, nodeResolvers)
            : Upstreams.NONE;
    Read files =
        new Read(
            conf,
            confLines.problem(),
            hosts.resolve(),
            upstreams,
            ResolvConf.search(confLines.lines()),
            ResolvConf.ndots(confLines.lines()));
    List<InetAddress> extra = literals(spec.getResolvers());
    List<InetAddress> authorities = literals(spec.getAuthorities());
    Set<InetAddress> expected = new LinkedHashSet<>(literals(spec.getExpectedAddresses()));
    return atOnce(
        spec.getNames(),
        name -> {
          long started = System.nanoTime();
          Finding f = hunt(name, nodeResolvers, extra, authorities, expected, files, context);
          f.setDurationMs((System.nanoTime() - started) / 1_000_000);
          return f;
        });
  }

  /**
   * Each name's finding, in the names' order. Names are independent, and most of a name's time is
   * waiting on servers: several are asked about at once.
   */
  private static List<Finding> atOnce(List<String> names, Function<String, Finding> hunt)
      throws InterruptedException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(names.size(), NAMES_AT_ONCE)), DnsCheck::daemon);
    try {
      List<Future<Finding>> each = new ArrayList<>();
      for (String name : names) {
        each.add(pool.submit(() -> hunt.apply(name)));
      }
      List<Finding> findings = new ArrayList<>();
      for (Future<Finding> f : each) {
        findings.add(result(f));
      }
      return findings;
    } finally {
      // The runner's deadline interrupts this thread: the names' waits end with it.
      pool.shutdownNow();
    }
  }

  /** How many names are asked about at once: each may hold a few queries in flight. */
  static final int NAMES_AT_ONCE = 8;

  /** A thread of its own for a wait on DNS servers: none of it is CPU. */
  private static Thread daemon(Runnable task) {
    Thread t = new Thread(task, "dns-check");
    t.setDaemon(true);
    return t;
  }

  /** What a task returned, or the exception it threw as if it had run on this thread. */
  private static <T> T result(Future<T> task) throws InterruptedException {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private Finding hunt(
      String name,
      List<InetAddress> nodeResolvers,
      List<InetAddress> extra,
      List<InetAddress> authorities,
      Set<InetAddress> expected,
      Read files,
      CheckContext context) {
    HostsLookup inHosts = lookup(name);
    DnsServices.Side api =
        DnsServices.side(
            context.services(),
            name,
            !expected.isEmpty(),
            !inHosts.lines().isEmpty(),
            files.search(),
            files.ndots());
    Truth byApi = api.truth();
    FutureTask<Truth> asked =
        new FutureTask<>(
            () ->
                byApi != null ? byApi : truth(name, authorities, nodeResolvers, expected, context));
    // The authority is asked while the node's own sources are: a server that does not answer
    // on either side costs its timeout once.
    daemon(asked).start();
    // A hosts-file line answers before any search: getaddrinfo never asks DNS for the name then.
    DnsSearch.Expansion expansion =
        inHosts.lines().isEmpty()
            ? expand(name, nodeResolvers, files, context)
            : DnsSearch.Expansion.NONE;
    List<Source> sources = sources(name, inHosts.lines(), nodeResolvers, extra, files, context);

    Source node = nodeSource(sources);
    Truth truth = awaitTruth(asked, name);
    Finding byService =
        api.judge(
            name,
            expansion.tried(),
            (n, a) -> firstNameserver(n, a, nodeResolvers, files, context),
            node,
            java.time.Instant.now());
    // What the name's own sources say no longer decides when an expansion won: it is not asked.
    List<DnsWhoAsks.Heard> heard =
        expansion.won() || byService != null ? List.of() : whoAsks(node, sources, truth, context);

    Finding f =
        byService != null
            ? byService
            : expansion.won()
                ? DnsSearch.judge(name, expansion, truth)
                : judge(name, node, sources, truth, files.unread(), heard);
    unread(f, files.unread(), "its resolvers were not asked");
    unread(f, inHosts.unread(), "its hosts-file lines were not read");
    f.evidence("node answer", DnsSearch.nodeAnswer(node, expansion));
    f.evidence("searchExpansion", DnsSearch.evidence(expansion));
    fileEvidence(f, files, inHosts.unread());
    sourceEvidence(f, sources);
    if (byApi == null) {
      truthEvidence(f, truth, expected);
    }
    api.evidence(f, byService != null);
    f.evidence("authorityBySubnet", DnsWhoAsks.evidence(heard));
    return f;
  }

  /**
   * getaddrinfo's answer: the hosts file wins; else the first resolver that answers at all.
   * resolved's upstreams are not among them: the node reaches them only through resolved.
   */
  private static Source nodeSource(List<Source> sources) {
    return sources.stream()
        .filter(s -> s.layer() != Layer.UPSTREAM && s.answered())
        .findFirst()
        .orElse(null);
  }

  private static Truth awaitTruth(FutureTask<Truth> asked, String name) {
    try {
      return result(asked);
    } catch (InterruptedException e) {
      asked.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the authority for " + name, e);
    }
  }

  /** The user's expected addresses, else what the authority answers now. */
  private Truth truth(
      String name,
      List<InetAddress> authorities,
      List<InetAddress> nodeResolvers,
      Set<InetAddress> expected,
      CheckContext context) {
    return expected.isEmpty()
        ? authority(name, authorities, nodeResolvers, context, 0)
        : new Truth(EXPECTED, expected, false, List.of(), null, -1, 0, false, null);
  }

  /** Every source asked for the name as it is, in the order getaddrinfo would take them. */
  private List<Source> sources(
      String name,
      List<HostsFile.Line> inHosts,
      List<InetAddress> nodeResolvers,
      List<InetAddress> extra,
      Read files,
      CheckContext context) {
    List<Source> sources = new ArrayList<>();
    if (!inHosts.isEmpty()) {
      sources.add(hostsSource(inHosts));
    }
    for (int i = 0; i < nodeResolvers.size(); i++) {
      sources.add(nodeResolverSource(i, nodeResolvers.get(i), files.search(), name, context));
    }
    for (InetAddress r : extra) {
      sources.add(resolverSource("resolver " + Addresses.text(r), r, name, Layer.NODE, context));
    }
    for (InetAddress u : files.upstreams().servers()) {
      sources.add(upstreamSource(u, name, context));
    }
    return sources;
  }

  /**
   * The authority asked as the resolver, the node and a stranger (see {@link DnsWhoAsks}), only
   * when a source's answer would otherwise be left open: none on the usual path.
   */
  private List<DnsWhoAsks.Heard> whoAsks(
      Source node, List<Source> sources, Truth truth, CheckContext context) {
    Source worst = unsure(node, sources, truth);
    if (worst == null || truth.varied() || truth.at() == null || truth.at().servers().isEmpty()) {
      return List.of();
    }
    InetAddress server = truth.at().servers().get(0);
    InetAddress own = dns.localAddressTowards(server);
    InetAddress resolver = DnsWhoAsks.seenAs(worst, sources, own);
    if (resolver == null) {
      return List.of();
    }
    return DnsWhoAsks.ask(
        dns,
        server,
        truth.at().name(),
        DnsWhoAsks.subnets(resolver, own),
        context.atMost(QUERY_TIMEOUT));
  }

  /** The hosts file's lines for a name, or why they could not be read. */
  record HostsLookup(List<HostsFile.Line> lines, String unread) {}

  private HostsLookup lookup(String name) {
    try {
      return new HostsLookup(hosts.lookup(name), null);
    } catch (IOException e) {
      return new HostsLookup(
          List.of(),
          e.getMessage() != null && e.getMessage().startsWith("cannot read ")
              ? e.getMessage()
              : "cannot read " + hosts.shown() + ": " + e);
    }
  }

  private Source hostsSource(List<HostsFile.Line> lines) {
    return new Source(
        hosts.shown() + " line " + lines.get(0).number(),
        "remove or correct line "
            + lines.get(0).number()
            + " of "
            + hosts.shown()
            + " (\""
            + lines.get(0).text()
            + "\")",
        null,
        lines);
  }

  static void fileEvidence(Finding f, Read files, String hostsUnread) {
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
    // The stub is still asked, so the finding stands; only the upstreams' side is unknown.
    f.evidence("resolvedUpstreams", files.upstreams().problem());
  }

  private static void sourceEvidence(Finding f, List<Source> sources) {
    for (Source s : sources) {
      f.evidence(
          s.lines() != null ? "hosts" : s.label().replaceFirst(" \\(.*", ""),
          s.lines() != null
              ? s.lines().stream()
                  .map(l -> "line " + l.number() + ": " + l.text())
                  .collect(Collectors.joining("; "))
              : s.describe());
    }
  }

  private static void truthEvidence(Finding f, Truth truth, Set<InetAddress> expected) {
    if (truth.problem() != null) {
      f.evidence("authority", truth.problem());
      return;
    }
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
  }

  /**
   * The node's files as read: resolv.conf where its links lead, why it could not be read (null when
   * it was, or when it is plainly missing, as the C library takes it), and the hosts file's links.
   */
  record Read(
      ForeignRoot.Resolution resolvConf,
      String unread,
      ForeignRoot.Resolution hosts,
      Upstreams upstreams,
      List<String> search,
      int ndots) {

    Read(
        ForeignRoot.Resolution resolvConf,
        String unread,
        ForeignRoot.Resolution hosts,
        Upstreams upstreams,
        List<String> search) {
      this(resolvConf, unread, hosts, upstreams, search, ResolvConf.DEFAULT_NDOTS);
    }
  }

  /** A file's lines, or why it could not be read; a plainly missing file has none, and no why. */
  record Lines(List<String> lines, String problem) {}

  static Lines read(ForeignRoot.Resolution file) {
    if (file.readable()) {
      try {
        return new Lines(ForeignRoot.readAllLines(file), null);
      } catch (IOException e) {
        return new Lines(List.of(), "cannot read " + file.chain() + ": " + e.getMessage());
      }
    }
    // Not the probe's own file instead: what the node has there is unknown, and the finding says
    // so.
    return new Lines(List.of(), file.absent() ? null : file.problem());
  }

  /**
   * The servers systemd-resolved forwards to, as the probe will ask them, and why they could not be
   * read (null when they were, or when the file is plainly missing).
   */
  record Upstreams(List<InetAddress> servers, String problem) {
    static final Upstreams NONE = new Upstreams(List.of(), null);
  }

  /**
   * systemd-resolved's upstreams from its own resolv.conf in the node's root. Loopback ones are
   * left out: a stub listed back would be resolved asking itself. One that is also a node resolver
   * is asked already, and the node's own name for it is kept.
   */
  static Upstreams resolvedUpstreams(ForeignRoot root, Collection<InetAddress> nodeResolvers) {
    Lines file = read(root.resolve(RESOLVED_UPSTREAMS));
    List<InetAddress> servers =
        ResolvConf.allNameservers(file.lines()).stream()
            .filter(a -> !a.isLoopbackAddress() && !nodeResolvers.contains(a))
            .distinct()
            .toList();
    return new Upstreams(servers, file.problem());
  }

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

  /** The finding for one name, from the answers already gathered: asks no server. */
  Finding judge(String name, Source node, List<Source> sources, Truth truth, String unreadConf) {
    return judge(name, node, sources, truth, unreadConf, List.of());
  }

  /**
   * The same, with what the authority answered when asked as others ({@link DnsWhoAsks}), for a
   * source within its TTL.
   */
  Finding judge(
      String name,
      Source node,
      List<Source> sources,
      Truth truth,
      String unreadConf,
      List<DnsWhoAsks.Heard> heard) {
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
    List<Source> judged = sources.stream().filter(s -> !outsideDns(s, node)).toList();
    List<Source> stale =
        judged.stream().filter(s -> s.answered() && standing(s, truth) == Standing.STALE).toList();
    List<Source> unsure =
        judged.stream()
            .filter(s -> s.answered() && standing(s, truth) == Standing.WITHIN_TTL)
            .toList();
    if (stale.isEmpty() && !unsure.isEmpty()) {
      return withinTtl(name, node, unsure, sources, truth, heard);
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
    return staleFinding(name, node, stale, sources, truth, null);
  }

  /**
   * The worst source within its TTL, when no source is stale past it: the one whose finding hangs
   * on whether the authority answers by who asks. Null otherwise.
   */
  static Source unsure(Source node, List<Source> sources, Truth truth) {
    if (truth.problem() != null || node == null) {
      return null;
    }
    List<Source> unsure = new ArrayList<>();
    for (Source s : sources) {
      Standing standing = s.answered() ? standing(s, truth) : Standing.CURRENT;
      if (standing == Standing.STALE) {
        return null;
      }
      if (standing == Standing.WITHIN_TTL) {
        unsure.add(s);
      }
    }
    return unsure.isEmpty() ? null : worst(node, unsure);
  }

  /** The node's own answer when it is among them, else the first. */
  private static Source worst(Source node, List<Source> sources) {
    return sources.contains(node) ? node : sources.get(0);
  }

  /**
   * The ghost: the worst stale source (the node's own answer when it is stale), and every flush.
   *
   * @param within why a source still within the authority's TTL is stale all the same; null for a
   *     source stale past it
   */
  private Finding staleFinding(
      String name,
      Source node,
      List<Source> stale,
      List<Source> sources,
      Truth truth,
      String within) {
    Source worst = worst(node, stale);
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
                    + (within == null && truth.ttl() >= 0 && !truth.label().equals(EXPECTED)
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
            + (within == null ? "" : within)
            + resolvedClause(worst, sources, truth)
            + (stale.size() > 1
                ? "; " + (stale.size() - 1) + " more stale source" + (stale.size() > 2 ? "s" : "")
                : "");
    return Findings.ghost(key(), name, GhostName.StaleDns, summary, remediation(stale));
  }

  /**
   * A source answers what the authority did not hand out, but within the authority's TTL: a change
   * moments ago, or an answer that depends on who asks. The authority's rounds and its answers to
   * others decide which ({@link DnsWhoAsks}); without them, Inconclusive.
   */
  private Finding withinTtl(
      String name,
      Source node,
      List<Source> unsure,
      List<Source> sources,
      Truth truth,
      List<DnsWhoAsks.Heard> heard) {
    Source worst = worst(node, unsure);
    DnsWhoAsks.Decision d = DnsWhoAsks.decide(truth, worst, heard);
    return switch (d.kind()) {
      case POOL ->
          Findings.clear(key(), name, holder(name, node, worst) + ", " + d.says() + ": no ghost");
      case HANDED_OUT ->
          Findings.clear(
              key(),
              name,
              holder(name, node, worst)
                  + ", which "
                  + truth.label()
                  + " does not hand this node ("
                  + (truth.nxdomain() ? "NXDOMAIN" : text(truth.addresses()))
                  + "), but "
                  + d.says()
                  + ": no ghost");
      case SAME_TO_ALL -> {
        Finding f =
            staleFinding(
                name,
                node,
                unsure,
                sources,
                truth,
                ", "
                    + d.says()
                    + ": "
                    + (worst.answer().nxdomain()
                        ? "the name was created since its NXDOMAIN was cached"
                        : since(worst, truth)));
        f.setRemediation(
            f.getRemediation()
                + "; should the old answer come back, the authority answers the resolver by its"
                + " address without saying so (GeoDNS without EDNS Client Subnet): no ghost");
        yield f;
      }
      case OPEN -> undecided(name, node, unsure, truth);
    };
  }

  /** "the node resolves NAME to X from SOURCE", or "SOURCE answers NAME with X". */
  private static String holder(String name, Source node, Source worst) {
    String answer =
        worst.answer().nxdomain()
            ? "NXDOMAIN"
            : worst.answer().empty() ? "no address" : text(worst.addresses());
    long left = worst.answer().ttl();
    return (worst == node
            ? "the node resolves " + name + " to " + answer + " from " + worst.label()
            : worst.label() + " answers " + name + " with " + answer)
        + (left >= 0 ? " (cached, " + left + " s left)" : "");
  }

  /**
   * When the record changed, if the cached answer had the authority's TTL when it was fetched. Not
   * for a negative answer on either side: its TTL is the zone's negative one, not the record's.
   */
  private static String since(Source worst, Truth truth) {
    long left = worst.answer().ttl();
    return truth.ttl() >= 0 && left >= 0 && !worst.answer().nxdomain() && !truth.nxdomain()
        ? "the record changed in the last " + Math.max(0, truth.ttl() - left) + " s"
        : "the record changed since it was cached";
  }

  /**
   * Inconclusive: a change moments ago and an answer that depends on who asks cannot be told apart
   * from this node. Says which, and how to find out.
   */
  private Finding undecided(String name, Source node, List<Source> unsure, Truth truth) {
    Source worst = worst(node, unsure);
    String summary =
        holder(name, node, worst)
            + ", which "
            + truth.label()
            + " does not hand out ("
            + (truth.nxdomain() ? "NXDOMAIN" : text(truth.addresses()))
            + ", asked "
            + truth.asked()
            + " times), but within "
            + (truth.ttl() >= 0 ? "its TTL of " + truth.ttl() + " s" : "its TTL")
            + ": either "
            + since(worst, truth)
            + ", or the authority answers by who asks (GeoDNS, a CDN, a rotating pool)";
    String remediation =
        remediation(unsure)
            + "; if the same old answer comes back, the resolver is handed it: GeoDNS, not a ghost";
    Finding f = Findings.inconclusive(key(), name, summary);
    f.setRemediation(remediation);
    return f;
  }

  /**
   * A resolver that does not know a name the hosts file gives: a name kept out of DNS on purpose (a
   * pod's hostAliases, a node's own names), which getaddrinfo never asks a resolver for. Not stale:
   * a real cluster DNS answers NXDOMAIN for every hostAliases name.
   */
  static boolean outsideDns(Source s, Source node) {
    return node != null
        && node.lines() != null
        && s.lines() == null
        && s.answer().answered()
        && (s.answer().nxdomain() || s.answer().empty());
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
  static boolean differs(Source s, Truth truth) {
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

  /**
   * What systemd-resolved's upstreams say of the stale answer its stub gives: all of them current
   * puts it in resolved's own cache, one still stale would hand it back after a flush of resolved's
   * alone. Empty when the worst source is not resolved's, or no upstream answered.
   */
  static String resolvedClause(Source worst, List<Source> sources, Truth truth) {
    if (worst.layer() == Layer.RESOLVED_PROXY) {
      return "; "
          + Addresses.text(worst.server())
          + " is systemd-resolved's proxy stub, which keeps no cache: the answer is its upstream's";
    }
    List<Source> upstreams =
        sources.stream().filter(s -> s.layer() == Layer.UPSTREAM && s.answered()).toList();
    if (worst.layer() != Layer.RESOLVED_CACHE || upstreams.isEmpty()) {
      return "";
    }
    if (upstreams.stream().allMatch(s -> standing(s, truth) == Standing.CURRENT)) {
      return "; "
          + its(upstreams)
          + " already "
          + said(upstreams)
          + ": the stale answer is systemd-resolved's own cache";
    }
    List<Source> stale =
        upstreams.stream().filter(s -> standing(s, truth) == Standing.STALE).toList();
    return stale.isEmpty()
        ? ""
        : "; "
            + its(stale)
            + " still "
            + said(stale)
            + " too: flushed alone, systemd-resolved would fetch the stale answer again";
  }

  /** "its upstream 192.0.2.66", or "its upstreams 192.0.2.66, 192.0.2.67". */
  private static String its(List<Source> upstreams) {
    return "its upstream"
        + (upstreams.size() > 1 ? "s " : " ")
        + upstreams.stream().map(s -> Addresses.text(s.server())).collect(Collectors.joining(", "));
  }

  /** "answers 203.0.113.40" (or "answer", for more than one): what they hand out together. */
  private static String said(List<Source> sources) {
    Set<InetAddress> all = new LinkedHashSet<>();
    sources.forEach(s -> all.addAll(s.addresses()));
    boolean nxdomain = sources.stream().allMatch(s -> s.answer().nxdomain());
    return (sources.size() > 1 ? "answer " : "answers ") + (nxdomain ? "NXDOMAIN" : text(all));
  }

  /**
   * The flushes, in an order that works: an upstream's before systemd-resolved's, which flushed
   * first would fetch the same stale answer again from the upstream still holding it.
   */
  static String remediation(List<Source> sources) {
    List<Source> ordered = flushOrder(sources);
    boolean upstreamFirst = ordered.stream().anyMatch(s -> s.layer() == Layer.UPSTREAM);
    return ordered.stream()
        .map(
            s ->
                upstreamFirst && s.layer() == Layer.RESOLVED_CACHE
                    ? "then, not before (systemd-resolved would fetch the same stale answer"
                        + " again), "
                        + s.flush()
                    : s.flush())
        .distinct()
        .collect(Collectors.joining("; "));
  }

  /** The sources in their order, with systemd-resolved's upstreams moved before its stubs. */
  static List<Source> flushOrder(List<Source> sources) {
    List<Source> others = sources.stream().filter(s -> s.layer() != Layer.UPSTREAM).toList();
    int stub = 0;
    while (stub < others.size() && !others.get(stub).layer().resolved()) {
      stub++;
    }
    List<Source> ordered = new ArrayList<>(others.subList(0, stub));
    sources.stream().filter(s -> s.layer() == Layer.UPSTREAM).forEach(ordered::add);
    ordered.addAll(others.subList(stub, others.size()));
    return ordered;
  }

  /**
   * The search expansions of a short name, asked at the first nameserver of resolv.conf as glibc
   * asks them, each within the per-query timeout; {@link DnsSearch.Expansion#NONE} when the name is
   * asked as it is first.
   */
  private DnsSearch.Expansion expand(
      String name, List<InetAddress> nodeResolvers, Read files, CheckContext context) {
    List<String> names = DnsSearch.expansions(name, files.search(), files.ndots());
    if (names.isEmpty() || nodeResolvers.isEmpty()) {
      return DnsSearch.Expansion.NONE;
    }
    InetAddress first = nodeResolvers.get(0);
    List<DnsSearch.Tried> tried =
        DnsSearch.ask(
            name, names, n -> dns.addresses(first, n, true, context.atMost(QUERY_TIMEOUT)));
    DnsSearch.Tried winner = DnsSearch.winner(tried);
    Source source =
        winner == null
            ? null
            : firstNameserver(winner.name(), winner.answer(), nodeResolvers, files, context);
    return new DnsSearch.Expansion(tried, winner, source, files.ndots());
  }

  /** resolv.conf's first nameserver as the source of an answer it gave for {@code asked}. */
  private Source firstNameserver(
      String asked, Answer a, List<InetAddress> nodeResolvers, Read files, CheckContext context) {
    InetAddress first = nodeResolvers.get(0);
    Layer layer = layer(first, files.search(), context.services().clusterDns());
    return new Source(
        resolverLabel(0, first, layer), flush(layer, first, asked, a.ttl()), a, null, layer, first);
  }

  private Source nodeResolverSource(
      int index, InetAddress resolver, List<String> search, String name, CheckContext context) {
    Layer layer = layer(resolver, search, context.services().clusterDns());
    return resolverSource(resolverLabel(index, resolver, layer), resolver, name, layer, context);
  }

  /** "cluster DNS 203.0.113.226 (first in /etc/resolv.conf)": what the layer is, and where. */
  private String resolverLabel(int index, InetAddress resolver, Layer layer) {
    return switch (layer) {
          case RESOLVED_CACHE, RESOLVED_PROXY -> "systemd-resolved ";
          case CLUSTER_DNS -> "cluster DNS ";
          case NODE_LOCAL_CACHE -> "NodeLocal DNSCache ";
          default -> "resolver ";
        }
        + Addresses.text(resolver)
        + " ("
        + ordinal(index)
        + " in "
        + resolvConf
        + ")";
  }

  /**
   * An upstream of systemd-resolved, asked directly with recursion desired, the way resolved itself
   * asks it. Not through resolved: every query there that bypasses its cache (resolvectl query
   * --cache=no, the 127.0.0.54 proxy, a +cd query when DNSSEC is off) still stores the fresh answer
   * in that cache, replacing the stale entry, so it would change the node it is to observe. Asking
   * the upstream is the only way to see, without side effects, what resolved would fetch now.
   */
  private Source upstreamSource(InetAddress upstream, String name, CheckContext context) {
    String label =
        "upstream "
            + Addresses.text(upstream)
            + " of systemd-resolved (in "
            + RESOLVED_UPSTREAMS
            + ")";
    return resolverSource(label, upstream, name, Layer.UPSTREAM, context);
  }

  private Source resolverSource(
      String label, InetAddress resolver, String name, Layer layer, CheckContext context) {
    Answer a = dns.addresses(resolver, name, true, context.atMost(QUERY_TIMEOUT));
    return new Source(label, flush(layer, resolver, name, a.ttl()), a, null, layer, resolver);
  }

  /** How to rid a resolver of its answer, {@code ttl} seconds before it expires by itself. */
  static String flush(Layer layer, InetAddress resolver, String name, long ttl) {
    return switch (layer) {
      case RESOLVED_CACHE ->
          "flush systemd-resolved's cache on the node: sudo resolvectl flush-caches"
              + (ttl >= 0 ? " (or wait " + ttl + " s for the cached answer to expire)" : "");
      case RESOLVED_PROXY ->
          "nothing to flush at systemd-resolved's proxy stub "
              + Addresses.text(resolver)
              + ", which keeps no cache: flush the upstream it forwards to";
      // CoreDNS has no flush: each pod's cache goes with the pod, and a rollout replaces them one
      // by one while the Service keeps answering.
      case CLUSTER_DNS ->
          "restart the cluster DNS, whose every pod has a cache of its own: kubectl -n kube-system"
              + " rollout restart deployment coredns"
              + (ttl >= 0 ? " (or wait " + ttl + " s for the cached answer to expire)" : "");
      case NODE_LOCAL_CACHE ->
          "restart NodeLocal DNSCache (its pod on this node caches the answer): kubectl -n"
              + " kube-system rollout restart daemonset node-local-dns"
              + (ttl >= 0 ? " (or wait " + ttl + " s for the cached answer to expire)" : "");
      default ->
          "flush "
              + name
              + " on resolver "
              + Addresses.text(resolver)
              + " ("
              + flushCommand(name)
              + ")"
              + (ttl >= 0 ? " or wait " + ttl + " s for the cached answer to expire" : "");
    };
  }

  private static String flushCommand(String name) {
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
    return again(truth, good.values(), name, context).at(new At(name, List.copyOf(good.values())));
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
          false,
          null);
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
        varied,
        so.at());
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

  static String text(Collection<InetAddress> addresses) {
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
