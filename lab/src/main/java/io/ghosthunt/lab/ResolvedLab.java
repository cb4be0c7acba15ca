package io.ghosthunt.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A node that resolves as most managed Kubernetes nodes do (Ubuntu, Amazon Linux 2023, Fedora
 * CoreOS): through systemd-resolved. Its {@code /etc/resolv.conf} is the usual relative link to
 * {@code ../run/systemd/resolve/stub-resolv.conf} (the stub, 127.0.0.53), resolved writes its
 * upstreams into {@code /run/systemd/resolve/resolv.conf}, and its cache serves what it fetched.
 * The upstream is an unbound on a lab host of its own, authoritative for {@code corp.test}: {@link
 * #migrate} moves {@link #APP} there, and resolved's cache keeps the old answer, which is the only
 * stale layer (the seed's {@code resolvectl flush-caches}); {@link #DB} never changes, the clean
 * twin.
 *
 * <pre>
 *   node 192.0.2.65 (resolved on 127.0.0.53) ── 192.0.2.66 upstream, authority of corp.test
 * </pre>
 *
 * <p>resolved is Debian's binary, unpacked by scripts/install-deps.sh, never installed (it would
 * take over this machine's own resolv.conf). It runs without systemd as PID 1 and without a bus, as
 * its own user, in the node's namespace and view (its drop-in laid over /etc, a lab folder at
 * /run/systemd/resolve), and tells it is ready the way it tells systemd: {@code READY=1} on {@code
 * $NOTIFY_SOCKET}. {@code resolvectl} needs the bus, so {@link #flush} sends what {@code resolvectl
 * flush-caches} makes resolved do without one, SIGUSR2.
 */
public final class ResolvedLab {

  public static final String NODE = "192.0.2.65";
  public static final String UPSTREAM = "192.0.2.66";
  public static final String ZONE = "corp.test";
  public static final String APP = "app.corp.test";
  public static final String DB = "db.corp.test";
  public static final String OLD = "203.0.113.30";
  public static final String NEW = "203.0.113.40";
  public static final String DB_ADDRESS = "203.0.113.31";

  /**
   * A name of corp.test for the cluster DNS's cache (CoreDNS forwards to this upstream): {@link
   * #set} moves it, whoever cached it before keeps the old answer.
   */
  public static final String SHOP = "shop.corp.test";

  public static final int TTL = 3600;

  /**
   * What {@link #captureUnder} captures in the cluster's pods on this node: every name under
   * example.test, whose expansion with the search domain corp.test (resolved's {@code Domains=},
   * which the kubelet adds to a pod's search list) is asked before the name itself under ndots:5.
   */
  public static final String CAPTURED = "example.test";

  /** The address every captured name resolves to. */
  public static final String CAPTURE = "203.0.113.66";

  /** The record's TTL after {@link #migrate}: cut with the change, as in {@link DnsLab}. */
  public static final int MIGRATED_TTL = 300;

  /** The user systemd-resolved runs as (Debian's package makes systemd-resolve, uid 991). */
  private static final int RESOLVED_UID = 991;

  /** Waits for resolved's READY=1 as systemd does; the bound is the lab's. */
  private static final String NOTIFY =
      """
      import os, socket, subprocess, sys
      # An abstract socket: resolved's user need not reach the lab's private folder.
      name = sys.argv[1]
      s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
      s.bind('\\0' + name)
      s.settimeout(20)
      p = subprocess.Popen(sys.argv[2:], env=dict(os.environ, NOTIFY_SOCKET='@' + name),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           start_new_session=True)
      try:
          while b'READY=1' not in s.recv(4096):
              pass
      except socket.timeout:
          sys.exit('systemd-resolved did not say READY=1 in 20 s')
      print(p.pid)
      """;

  public final LabHost node;
  public final LabHost upstream;
  private final Path control;
  private final int pid;

  public ResolvedLab(Lab lab, LabHost node) {
    this.node = node;
    this.upstream = lab.host("upstream");
    lab.link(node, "n-up", NODE + "/28", upstream, "up-n", UPSTREAM + "/28");
    control = startUpstream();
    // What ip netns exec shows the node's tools; the view has the link instead.
    node.resolvConf("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n");
    node.etcLink("resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
    // corp.test a search domain too, as a corporate network's DHCP hands out: resolved writes it
    // as "search corp.test" into both its resolv.conf files, and the kubelet, which reads the
    // uplink one, appends it to the search list of this node's pods (see captureUnder).
    node.etcLayerFile(
        "systemd/resolved.conf.d/ghosthunt-lab.conf",
        """
        [Resolve]
        DNS=%s
        Domains=%s ~.
        DNSSEC=no
        LLMNR=no
        MulticastDNS=no
        Cache=yes
        """
            .formatted(UPSTREAM, ZONE));
    Path run = node.mountedDir("/run/systemd/resolve");
    node.sh("chown " + RESOLVED_UID + ":" + RESOLVED_UID + " " + run);
    pid = startResolved();
  }

  /** Debian's systemd-resolved, as scripts/install-deps.sh unpacked it. */
  public static Path binary() {
    String dir = System.getenv("GHOSTHUNT_RESOLVED");
    Path root =
        dir != null
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".cache", "ghosthunt", "systemd-resolved");
    Path bin = root.resolve("lib/systemd/systemd-resolved");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(
          bin + " is missing: scripts/install-deps.sh unpacks systemd-resolved there");
    }
    return bin;
  }

  private Path startUpstream() {
    Path socket = upstream.file("unbound.ctl", "").resolveSibling(upstream.ns() + "-unbound.sock");
    Path conf =
        upstream.file(
            "unbound.conf",
            """
            server:
              interface: %1$s
              do-daemonize: yes
              username: ""
              chroot: ""
              pidfile: "%2$s"
              use-syslog: no
              module-config: "iterator"
              access-control: 0.0.0.0/0 allow
              # Only corp.test: anything else is answered at once (refused, or NXDOMAIN from unbound's own
              # test. zone), never looked for on the Internet.
              local-zone: "." refuse
              local-zone: "corp.test." static
              local-data: "corp.test. 3600 IN SOA ns1.corp.test. hostmaster.corp.test. 1 3600 600 86400 300"
              local-data: "corp.test. 3600 IN NS ns1.corp.test."
              local-data: "ns1.corp.test. 3600 IN A %1$s"
              local-data: "%3$s. %4$d IN A %5$s"
              local-data: "%6$s. %4$d IN A %7$s"
            remote-control:
              control-enable: yes
              control-use-cert: no
              control-interface: "%8$s"
            """
                .formatted(
                    UPSTREAM,
                    upstream.file("unbound.pid", ""),
                    APP,
                    TTL,
                    OLD,
                    DB,
                    DB_ADDRESS,
                    socket));
    upstream.daemon("unbound -c " + conf, "unbound.log");
    return conf;
  }

  private int startResolved() {
    Path script = node.file("notify.py", NOTIFY);
    List<String> resolved =
        List.of(
            "env",
            "SYSTEMD_LOG_TARGET=console",
            "setpriv",
            "--reuid=" + RESOLVED_UID,
            "--regid=" + RESOLVED_UID,
            "--clear-groups",
            // What its unit grants it: the stub's port 53, and SO_BINDTODEVICE on links.
            "--inh-caps=+net_bind_service,+net_raw,+setpcap",
            "--ambient-caps=+net_bind_service,+net_raw,+setpcap",
            binary().toString());
    List<String> cmd =
        node.inView(List.of("python3", script.toString(), "ghosthunt-" + node.ns() + "-resolved"));
    String line =
        String.join(" ", cmd.stream().map(ResolvedLab::quote).toList())
            + " "
            + String.join(" ", resolved.stream().map(ResolvedLab::quote).toList())
            + " 2>>"
            + node.file("resolved.log", "");
    return Integer.parseInt(Lab.run(List.of("sh", "-c", line)).trim());
  }

  private static String quote(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  /** resolved looks the names up through its stub, so that its cache holds today's answers. */
  public void prime(String... names) {
    for (String n : names) {
      node.sh("dig +tries=1 +time=2 @127.0.0.53 " + n + " A >/dev/null");
    }
  }

  /** The migration: {@link #APP} moves from OLD to NEW at the upstream, its TTL cut. */
  public void migrate() {
    record(MIGRATED_TTL, NEW);
  }

  /**
   * The ghost, afresh: {@link #APP} back at OLD in resolved's cache, whatever the cache held, and
   * {@link #DB} in it too, then the migration. resolved empties its whole cache whenever an address
   * on the node comes or goes (measured: one IPv4 address added to a link empties it; a pod's veth,
   * which has none on the node's side, does not), as a node's first pod gives the CNI bridge its
   * address: a lab whose node has changed since it was built haunts it again right before a hunt.
   */
  public void haunt() {
    record(TTL, OLD);
    // Through the proxy stub, which skips the cache and stores what it fetched: no race with a
    // flush signal that resolved may handle after the next query.
    for (String name : List.of(APP, DB)) {
      node.sh("dig +tries=1 +time=2 @127.0.0.54 " + name + " A >/dev/null");
    }
    String cached = node.sh("dig +short +tries=1 +time=2 @127.0.0.53 " + APP + " A").trim();
    if (!cached.equals(OLD)) {
      throw new IllegalStateException(
          "systemd-resolved's cache holds " + cached + " for " + APP + ", not " + OLD);
    }
    migrate();
  }

  private void record(int ttl, String address) {
    set(APP, ttl, address);
  }

  /** {@code name}'s only A record at the upstream, from now on. */
  public void set(String name, int ttl, String address) {
    String ctl = "unbound-control -c " + control;
    upstream.sh(
        ctl
            + " local_data_remove "
            + name
            + " && "
            + ctl
            + " local_data '"
            + name
            + ". "
            + ttl
            + " IN A "
            + address
            + "'");
  }

  /**
   * A wildcard-like capture at the upstream: every name under {@code <suffix>.corp.test} (and that
   * name itself) answers {@code address}, as a {@code *.<suffix>.corp.test} record would. A
   * redirect zone, since unbound's local data has no wildcards (its manual sends those to a stub
   * zone).
   */
  public void captureUnder(String suffix, String address) {
    String zone = suffix + "." + ZONE + ".";
    String ctl = "unbound-control -c " + control;
    upstream.sh(
        ctl
            + " local_zone "
            + zone
            + " redirect && "
            + ctl
            + " local_data '"
            + zone
            + " "
            + TTL
            + " IN A "
            + address
            + "'");
  }

  /** Takes {@link #captureUnder}'s zone away again: its names are corp.test's NXDOMAIN. */
  public void release(String suffix) {
    upstream.sh(
        "unbound-control -c " + control + " local_zone_remove " + suffix + "." + ZONE + ".");
  }

  /** What {@code resolvectl flush-caches} has resolved do. */
  public void flush() {
    node.sh("kill -USR2 " + pid);
  }
}
