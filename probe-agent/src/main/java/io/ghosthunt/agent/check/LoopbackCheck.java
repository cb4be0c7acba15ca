package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.FirewallRule;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.GaiOrder;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.agent.host.ProcessInfo;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.Ruleset;
import io.ghosthunt.agent.host.Socket;
import io.ghosthunt.agent.host.SocketTable;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Localhost can't connect: is lo up with its addresses, who listens on loopback, what a connect
 * does, which live firewall rule eats loopback traffic, and whether "localhost" resolves to an
 * address the service listens on. Ghost {@code LoopbackBlocked}.
 */
public final class LoopbackCheck implements Check {

  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);

  /**
   * Enough for a pod's hosts file and, without a localhost line there, one round of its servers.
   */
  private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(5);

  private static final InetAddress V4 = Addresses.literal("127.0.0.1");
  private static final InetAddress V6 = Addresses.literal("::1");

  private final SocketTable sockets;
  private final ProcessTable processes;

  private final HostsFile hosts;
  private final ForeignRoot root;
  private final String gaiConf;
  private final PodResolver names;

  /**
   * @param hosts the hosts file "localhost" is looked up in, as getaddrinfo's files backend does
   * @param root the node's or pod's files, in which gai.conf's links are followed
   * @param gaiConf the path inside {@code root} of the gai.conf whose precedence orders the answers
   * @param names how a pod resolves "localhost" (its hosts file, then its nameservers); null on a
   *     node, where the hosts file alone is read and both loopbacks stand in for a missing line
   */
  public LoopbackCheck(
      SocketTable sockets,
      ProcessTable processes,
      HostsFile hosts,
      ForeignRoot root,
      String gaiConf,
      PodResolver names) {
    this.sockets = sockets;
    this.processes = processes;
    this.hosts = hosts;
    this.root = root;
    this.gaiConf = gaiConf;
    this.names = names;
  }

  @Override
  public CheckKey key() {
    return CheckKey.LOOPBACK;
  }

  /**
   * What "localhost" resolves to, in getaddrinfo's order, and which source said so.
   *
   * @param resolvedBy the pod's source that answered; null on a node, and when nothing did
   * @param failure why it does not resolve, when it does not
   * @param denied whether that is the sources' own word rather than silence or an unread file
   */
  record Localhost(
      List<InetAddress> addresses, String resolvedBy, String failure, boolean denied) {}

  /** Connect outcome: "connected", "refused", "timed out" or another error. */
  record Connect(InetAddress address, String outcome) {
    boolean ok() {
      return "connected".equals(outcome);
    }
  }

  @Override
  public void prefetch() {
    processes.prefetch();
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    List<Integer> ports = checks.getLoopback().getPorts();
    Set<Integer> wanted = new HashSet<>(ports);
    NetworkInterface lo = NetworkInterface.getByName("lo");
    boolean loUp = lo != null && lo.isUp();
    List<InetAddress> loAddresses =
        lo == null
            ? List.of()
            : Collections.list(lo.getInetAddresses()).stream()
                .map(LoopbackCheck::withoutScope)
                .toList();
    boolean has4 =
        loAddresses.stream().anyMatch(a -> a.getAddress().length == 4 && a.getAddress()[0] == 127);
    boolean has6 = loAddresses.contains(V6);

    List<Socket> listeners =
        sockets.read("tcp", wanted::contains).stream().filter(Socket::listening).toList();
    ProcessTable.Holders holders =
        processes.holders(
            listeners.stream().map(Socket::inode).filter(i -> i != 0).collect(Collectors.toSet()));
    Ruleset.Read ruleset = Ruleset.read(context.atMost(Duration.ofSeconds(5)));
    GaiOrder order = GaiOrder.read(root, gaiConf);
    Localhost localhost = localhost(order, has4, has6, context);

    List<Finding> findings = new ArrayList<>();
    for (int port : ports) {
      long started = System.nanoTime();
      String target = "localhost:" + port;
      List<Socket> onPort =
          listeners.stream().filter(s -> s.localPort() == port && reachableOnLoopback(s)).toList();
      List<FirewallRule> rules =
          ruleset.rules().stream().filter(r -> coverage(r, port) == Cover.YES).toList();
      // Rules whose ports are a named set or map: they may cover the port, they prove nothing.
      List<FirewallRule> unsure =
          ruleset.rules().stream().filter(r -> coverage(r, port) == Cover.MAYBE).toList();

      List<Connect> connects = connects(loUp && has4, loUp && has6, port, context);

      Finding f =
          judge(port, target, loUp, has4, onPort, holders, connects, rules, unsure, localhost);
      f.evidence(
          "lo",
          (lo == null ? "missing" : loUp ? "up" : "down")
              + (loAddresses.isEmpty()
                  ? ""
                  : " "
                      + loAddresses.stream()
                          .map(Addresses::text)
                          .collect(Collectors.joining(" "))));
      f.evidence(
          "listeners",
          onPort.isEmpty()
              ? "none"
              : onPort.stream()
                  .map(s -> s.local() + owner(s, holders))
                  .collect(Collectors.joining(", ")));
      for (Connect c : connects) {
        f.evidence("connect " + Addresses.text(c.address()), c.outcome());
      }
      f.evidence(
          "localhost",
          localhost.addresses().isEmpty()
              ? "does not resolve: " + localhost.failure()
              : localhost.addresses().stream()
                  .map(Addresses::text)
                  .collect(Collectors.joining(" ")));
      f.evidence("resolvedBy", localhost.resolvedBy());
      f.evidence("localhostOrder", "getaddrinfo's (glibc): " + order.source());
      for (int i = 0; i < rules.size(); i++) {
        f.evidence(
            i == 0 ? "rule" : "rule" + (i + 1), rules.get(i).where() + ": " + rules.get(i).text());
      }
      for (int i = 0; i < unsure.size(); i++) {
        f.evidence(
            i == 0 ? "ruleUnknown" : "ruleUnknown" + (i + 1),
            unsure.get(i).where() + ": " + unsure.get(i).text());
      }
      if (!ruleset.problems().isEmpty()) {
        f.evidence("firewallUnread", String.join("; ", ruleset.problems()));
      }
      f.setDurationMs((System.nanoTime() - started) / 1_000_000);
      findings.add(f);
    }
    return findings;
  }

  private Finding judge(
      int port,
      String target,
      boolean loUp,
      boolean has4,
      List<Socket> onPort,
      ProcessTable.Holders holders,
      List<Connect> connects,
      List<FirewallRule> rules,
      List<FirewallRule> unsure,
      Localhost localhost) {
    if (!loUp) {
      return Findings.ghost(
          key(),
          target,
          GhostName.LoopbackBlocked,
          "the loopback interface lo is down",
          "ip link set lo up");
    }
    if (!has4) {
      return Findings.ghost(
          key(),
          target,
          GhostName.LoopbackBlocked,
          "lo has no 127.0.0.1",
          "ip addr add 127.0.0.1/8 dev lo");
    }
    FirewallRule rule = rules.isEmpty() ? null : rules.get(0);
    String ruleName = rule == null ? null : rule.where() + " (" + rule.text() + ")";
    if (onPort.isEmpty()) {
      if (rule != null) {
        return Findings.ghost(
            key(),
            target,
            GhostName.LoopbackBlocked,
            "firewall rule "
                + ruleName
                + " "
                + rule.verdict()
                + "s loopback traffic to port "
                + port
                + "; nothing listens there either",
            deleteRule(rule));
      }
      return Findings.inconclusive(
          key(),
          target,
          "nothing listens on port "
              + port
              + " on loopback: start the service (portOwner shows who holds the port)"
              + (unsure.isEmpty() ? "" : "; " + mayCover(unsure.get(0), port)));
    }
    // A connect to an address some listener serves is what a local client does.
    List<Connect> served = connects.stream().filter(c -> servedBy(c.address(), onPort)).toList();
    List<Connect> failed = served.stream().filter(c -> !c.ok()).toList();
    if (!failed.isEmpty()) {
      Connect c = failed.get(0);
      String what =
          "connect to "
              + Socket.format(c.address(), port)
              + " "
              + c.outcome()
              + " although "
              + describeListener(onPort.get(0), holders)
              + " listens";
      if (rule != null) {
        return Findings.ghost(
            key(),
            target,
            GhostName.LoopbackBlocked,
            what + ": firewall rule " + ruleName + " " + rule.verdict() + "s it",
            deleteRule(rule));
      }
      if (!unsure.isEmpty()) {
        return Findings.ghost(
            key(),
            target,
            GhostName.LoopbackBlocked,
            what + "; " + mayCover(unsure.get(0), port),
            "check whether port "
                + port
                + " is in the rule's set, and if so "
                + deleteRule(unsure.get(0)));
      }
      return Findings.ghost(
          key(),
          target,
          GhostName.LoopbackBlocked,
          what + "; no nftables or iptables rule explains it",
          "look for eBPF programs or a full accept queue"
              + " (ss -ltn 'sport = :"
              + port
              + "'), and for other firewalls on this node");
    }
    Finding byName = byLocalhost(port, target, onPort, connects, localhost, rule, ruleName);
    if (byName != null) {
      return byName;
    }
    return Findings.clear(
        key(),
        target,
        "localhost:"
            + port
            + " connects to "
            + describeListener(onPort.get(0), holders)
            + refusedFirst(localhost.addresses(), onPort)
            + (rule == null
                ? ""
                : "; rule " + rule.where() + " matches loopback but did not block the connect"));
  }

  /**
   * A ghost in what "localhost" leads a client to, or null: no address it resolves to is served, or
   * the first one (getaddrinfo's order) holds the connect instead of refusing it, so that every
   * client waits there before it falls back.
   */
  private Finding byLocalhost(
      int port,
      String target,
      List<Socket> onPort,
      List<Connect> connects,
      Localhost named,
      FirewallRule rule,
      String ruleName) {
    List<InetAddress> localhost = named.addresses();
    if (localhost.isEmpty()) {
      return unresolved(port, named, hosts.shown());
    }
    if (localhost.stream().noneMatch(a -> servedBy(a, onPort))) {
      return Findings.ghost(
          key(),
          target,
          GhostName.LoopbackBlocked,
          "localhost resolves to "
              + join(localhost)
              + " but the service listens on "
              + onPort.stream().map(Socket::local).collect(Collectors.joining(", "))
              + " only",
          "make the service listen on "
              + join(localhost)
              + " too, or fix the localhost line in /etc/hosts");
    }
    InetAddress first = localhost.get(0);
    Connect tried =
        connects.stream().filter(c -> c.address().equals(first)).findFirst().orElse(null);
    if (servedBy(first, onPort) || tried == null || tried.outcome().equals("refused")) {
      return null;
    }
    return Findings.ghost(
        key(),
        target,
        GhostName.LoopbackBlocked,
        "localhost resolves to "
            + Addresses.text(first)
            + " first, where a connect to port "
            + port
            + " "
            + tried.outcome()
            + (rule == null ? "" : " (firewall rule " + ruleName + ")")
            + ": clients wait for it before they fall back to "
            + join(localhost.subList(1, localhost.size())),
        rule != null
            ? deleteRule(rule)
            : "make the service listen on " + Addresses.text(first) + " too");
  }

  /**
   * "localhost" resolving to nothing in a pod: every client of localhost:PORT fails before it
   * connects. Said as a ghost only when the pod's sources deny the name; silence or a file the
   * probe could not read leaves it open.
   */
  static Finding unresolved(int port, Localhost named, String hostsFile) {
    String target = "localhost:" + port;
    String what =
        "localhost does not resolve ("
            + named.failure()
            + "): clients of localhost:"
            + port
            + " fail before they connect, although the service listens";
    if (!named.denied()) {
      return Findings.inconclusive(CheckKey.LOOPBACK, target, what);
    }
    return Findings.ghost(
        CheckKey.LOOPBACK,
        target,
        GhostName.LoopbackBlocked,
        what,
        "give "
            + hostsFile
            + " its localhost lines (127.0.0.1 localhost, ::1 localhost); in a pod the kubelet"
            + " writes them, unless a container mounts a hosts file of its own over it");
  }

  /** The note for a first address that refuses at once: most clients fall back, some do not. */
  private static String refusedFirst(List<InetAddress> localhost, List<Socket> onPort) {
    if (localhost.isEmpty() || servedBy(localhost.get(0), onPort)) {
      return "";
    }
    String first = Addresses.text(localhost.get(0));
    return "; localhost resolves to "
        + first
        + " first, where nothing listens: clients are refused there at once and fall back"
        + " (one that tries only the first address, as Node.js before 20 does, fails: listen on "
        + first
        + " too)";
  }

  private static String deleteRule(FirewallRule rule) {
    String[] w = rule.where().split(" ");
    if ("nft".equals(w[0])) {
      return "nft delete rule "
          + w[1]
          + " "
          + w[2]
          + " "
          + w[3]
          + " handle "
          + w[5]
          + ", then find what installed it so it does not come back";
    }
    return "remove it: " + rule.text().replaceFirst("^-A ", "iptables -D ");
  }

  /**
   * Whether a connect to {@code a} reaches one of the listeners (a wildcard on :: also takes IPv4).
   */
  private static boolean servedBy(InetAddress a, List<Socket> listeners) {
    for (Socket s : listeners) {
      InetAddress l = s.localAddress();
      if (l.equals(a)
          || l.isAnyLocalAddress() && (l instanceof Inet6Address || !(a instanceof Inet6Address))) {
        return true;
      }
    }
    return false;
  }

  private static boolean reachableOnLoopback(Socket s) {
    return s.localAddress().isAnyLocalAddress() || s.localAddress().isLoopbackAddress();
  }

  private static String mayCover(FirewallRule rule, int port) {
    return "firewall rule "
        + rule.where()
        + " ("
        + rule.text()
        + ") "
        + rule.verdict()
        + "s loopback traffic to ports this check cannot read (a named set or map): it may cover "
        + port;
  }

  /** Whether a rule covers loopback traffic to a port: yes, no, or maybe (ports it cannot read). */
  enum Cover {
    YES,
    MAYBE,
    NO
  }

  /**
   * A drop or reject rule in an input/output path whose conditions cover loopback traffic to the
   * port.
   */
  static boolean blocksLoopback(FirewallRule r, int port) {
    return coverage(r, port) == Cover.YES;
  }

  static Cover coverage(FirewallRule r, int port) {
    if (!r.drops()
        || !(r.hook() == null || "input".equals(r.hook()) || "output".equals(r.hook()))) {
      return Cover.NO;
    }
    boolean loopback = false;
    for (FirewallRule.Match m : r.matches()) {
      if (namesLoopback(m)) {
        if (m.negated()) {
          // "not from 127.0.0.0/8", "not on lo": the rule excludes exactly our traffic. Every
          // kubelet installs one such (KUBE-FIREWALL drops only martians addressed to 127.0.0.0/8).
          return Cover.NO;
        }
        loopback = true;
      }
    }
    if (!loopback) {
      return Cover.NO;
    }
    boolean unknown = false;
    for (FirewallRule.Match m : r.matching("tcp dport", "th dport")) {
      boolean covers = m.values().stream().anyMatch(v -> Boolean.TRUE.equals(coversPort(v, port)));
      if (!covers && m.values().stream().anyMatch(v -> coversPort(v, port) == null)) {
        unknown = true;
        continue;
      }
      if (covers == m.negated()) {
        return Cover.NO;
      }
    }
    // A rule only for UDP, or for one interface that is not lo, does not touch our TCP connect.
    boolean tcpOnLo =
        r.matching("udp dport").isEmpty()
            && r.matches().stream()
                .noneMatch(
                    m ->
                        !m.negated()
                            && (m.key().equals("iifname") || m.key().equals("oifname"))
                            && !m.values().contains("lo"));
    return !tcpOnLo ? Cover.NO : unknown ? Cover.MAYBE : Cover.YES;
  }

  /** A condition on the loopback interface or on loopback addresses. */
  private static boolean namesLoopback(FirewallRule.Match m) {
    String k = m.key();
    return (k.equals("iifname") || k.equals("oifname") || k.equals("iif") || k.equals("oif"))
            && m.values().contains("lo")
        || (k.equals("ip saddr") || k.equals("ip daddr"))
            && m.values().stream().anyMatch(v -> v.startsWith("127."))
        || (k.equals("ip6 saddr") || k.equals("ip6 daddr"))
            && m.values().stream().anyMatch(v -> v.startsWith("::1"));
  }

  /**
   * Whether a port value covers the port; null for one this check cannot read (@set, a map, a
   * name).
   */
  private static Boolean coversPort(String v, int port) {
    try {
      int dash = v.indexOf('-');
      if (dash > 0) {
        return port >= Integer.parseInt(v.substring(0, dash))
            && port <= Integer.parseInt(v.substring(dash + 1));
      }
      return Integer.parseInt(v) == port;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * 127.0.0.1 and ::1 at the same time: a dropped SYN costs its timeout once, not once per family
   * (what a firewall's drop on lo does to both), and IPv4's outcome is listed first as before.
   */
  private List<Connect> connects(boolean v4, boolean v6, int port, CheckContext context) {
    CompletableFuture<Connect> six =
        v6
            ? CompletableFuture.supplyAsync(
                () -> connect(V6, port, context),
                task -> {
                  Thread t = new Thread(task, "loopback-connect-v6");
                  t.setDaemon(true);
                  t.start();
                })
            : null;
    List<Connect> connects = new ArrayList<>();
    if (v4) {
      connects.add(connect(V4, port, context));
    }
    if (six != null) {
      connects.add(six.join());
    }
    return connects;
  }

  private Connect connect(InetAddress address, int port, CheckContext context) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(
          new InetSocketAddress(address, port), (int) context.atMost(CONNECT_TIMEOUT).toMillis());
      return new Connect(address, "connected");
    } catch (SocketTimeoutException e) {
      return new Connect(address, "timed out after " + CONNECT_TIMEOUT.toMillis() + " ms");
    } catch (ConnectException e) {
      return new Connect(address, "refused");
    } catch (IOException e) {
      return new Connect(address, e.getMessage());
    }
  }

  private String owner(Socket s, ProcessTable.Holders holders) {
    List<ProcessInfo> ps = holders.byInode().getOrDefault(s.inode(), List.of());
    return ps.isEmpty() ? "" : " (PID " + ps.get(0).pid() + " " + ps.get(0).comm() + ")";
  }

  private String describeListener(Socket s, ProcessTable.Holders holders) {
    List<ProcessInfo> ps = holders.byInode().getOrDefault(s.inode(), List.of());
    return ps.isEmpty() ? s.local() : "PID " + ps.get(0).describe() + " on " + s.local();
  }

  /**
   * "localhost" in getaddrinfo's order: in a pod as the pod resolves it, on a node from the hosts
   * file.
   */
  private Localhost localhost(GaiOrder order, boolean has4, boolean has6, CheckContext context) {
    Predicate<InetAddress> usable = a -> a.getAddress().length == 4 ? has4 : has6;
    if (names == null) {
      return new Localhost(order.sort(localhostAddresses(), usable), null, null, false);
    }
    PodResolver.Result r = names.resolve("localhost", context.atMost(RESOLVE_TIMEOUT));
    return new Localhost(
        order.sort(unique(r.addresses()), usable), r.resolvedBy(), r.failure(), r.denied());
  }

  /**
   * What the hosts file says "localhost" is, as getaddrinfo's files backend reads it; without a
   * line, both loopbacks, as glibc's and systemd's resolvers synthesize them.
   */
  private List<InetAddress> localhostAddresses() {
    List<InetAddress> found = List.of();
    try {
      found = unique(hosts.lookup("localhost").stream().map(HostsFile.Line::address).toList());
    } catch (IOException e) {
      // An unreadable hosts file resolves as a missing one.
    }
    return found.isEmpty() ? List.of(V4, V6) : found;
  }

  /** Each address once, in order, without a zone: what the connects and listeners compare. */
  private static List<InetAddress> unique(List<InetAddress> addresses) {
    Map<String, InetAddress> unique = new LinkedHashMap<>();
    addresses.forEach(a -> unique.putIfAbsent(Addresses.text(a), withoutScope(a)));
    return List.copyOf(unique.values());
  }

  private static InetAddress withoutScope(InetAddress a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException e) {
      return a;
    }
  }

  private static String join(List<InetAddress> addresses) {
    return addresses.stream().map(Addresses::text).collect(Collectors.joining(" and "));
  }
}
