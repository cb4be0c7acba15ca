package io.ghosthunt.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * A node and a DNS host: unbound as the authority of {@code example.test} (192.0.2.54, its NS
 * {@code ns1.example.test}) and a second unbound as the node's caching resolver (192.0.2.53) with a
 * stub zone pointing at the authority. {@link #migrate} moves {@code app.example.test} from {@link
 * #OLD} to {@link #NEW} at the authority, as a migration does; whatever the resolver cached before
 * keeps being served until its TTL runs out. Like unbound anywhere without its subnetcache module,
 * the authority ignores EDNS Client Subnet: it answers every subnet the same. {@link #pool} starts
 * a second authority, for {@code cdn.test}, that answers {@code app.cdn.test} by who asks or with a
 * rotating part of a pool.
 *
 * <pre>
 *   node 192.0.2.10 ── 192.0.2.53 resolver, 192.0.2.54 authority (dns)
 * </pre>
 */
public final class DnsLab {

  public static final String RESOLVER = "192.0.2.53";
  public static final String AUTHORITY = "192.0.2.54";
  public static final String OLD = "203.0.113.10";
  public static final String NEW = "203.0.113.20";
  public static final int TTL = 3600;

  /**
   * The record's TTL after {@link #migrate}: cut with the change, as runbooks that forget to cut it
   * a day ahead do, so that a cache still holding the old answer holds it longer than the
   * authority's TTL allows a fresh one.
   */
  public static final int MIGRATED_TTL = 300;

  public static final String POOL_AUTHORITY = "192.0.2.55";
  public static final String POOL_NAME = "app.cdn.test";
  public static final List<String> POOL =
      List.of(
          "198.51.100.31",
          "198.51.100.32",
          "198.51.100.33",
          "198.51.100.34",
          "198.51.100.35",
          "198.51.100.36");

  public final LabHost node;
  public final LabHost dns;
  private final String dnsInterface;
  private final Path control;

  public DnsLab(Lab lab) {
    this(lab.host("node"), lab.host("dns"), lab);
  }

  /**
   * The same daemons on hosts the caller has already connected: {@code dns} must hold {@link
   * #RESOLVER} on an interface the node reaches; the authority's address is added to it.
   */
  public DnsLab(LabHost node, LabHost dns, String dnsInterface) {
    this.node = node;
    this.dns = dns;
    this.dnsInterface = dnsInterface;
    dns.sh("ip addr add " + AUTHORITY + "/24 dev " + dnsInterface);
    control = start();
  }

  private DnsLab(LabHost node, LabHost dns, Lab lab) {
    this.node = node;
    this.dns = dns;
    this.dnsInterface = "dns-n";
    lab.link(node, "n-dns", "192.0.2.10/24", dns, "dns-n", RESOLVER + "/24");
    dns.sh("ip addr add " + AUTHORITY + "/24 dev dns-n");
    control = start();
  }

  private Path start() {
    node.resolvConf("nameserver " + RESOLVER + "\n");
    node.hostsFile("127.0.0.1 localhost\n");
    Path control = dns.file("authority.ctl", "").resolveSibling(dns.ns() + "-authority.sock");
    Path authority =
        dns.file(
            "authority.conf",
            server(AUTHORITY, "authority")
                + """
          local-zone: "example.test." static
          local-data: "example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300"
          local-data: "example.test. 3600 IN NS ns1.example.test."
          local-data: "ns1.example.test. 3600 IN A 192.0.2.54"
          local-data: "app.example.test. %d IN A %s"
          local-data: "www.example.test. %d IN CNAME app.example.test."
        remote-control:
          control-enable: yes
          control-use-cert: no
          control-interface: "%s"
        """
                    .formatted(TTL, OLD, TTL, control));
    Path resolver =
        dns.file(
            "resolver.conf",
            server(RESOLVER, "resolver")
                + """
        stub-zone:
          name: "example.test"
          stub-addr: %s
        stub-zone:
          name: "cdn.test"
          stub-addr: %s
        """
                    .formatted(AUTHORITY, POOL_AUTHORITY));
    dns.daemon("unbound -c " + authority, "authority.log");
    dns.daemon("unbound -c " + resolver, "resolver.log");
    return control;
  }

  private String server(String address, String role) {
    Path base = dns.file(role + ".pid", "");
    // unbound blocks the special-use test. zone unless told; the iterator alone skips DNSSEC.
    return """
        server:
          interface: %s
          do-daemonize: yes
          username: ""
          chroot: ""
          pidfile: "%s"
          use-syslog: no
          module-config: "iterator"
          access-control: 0.0.0.0/0 allow
          local-zone: "test." nodefault
        """
        .formatted(address, base);
  }

  /** The node's resolver looks the names up, so that it caches today's answers. */
  public void prime(String... names) {
    for (String n : names) {
      node.sh("dig +tries=1 +time=2 @" + RESOLVER + " " + n + " A >/dev/null");
    }
  }

  /**
   * The authority changes a record now (the zone operator's update), e.g. {@code app.example.test.
   * 3600 IN A ...}.
   */
  public void authorityData(String record) {
    dns.sh(
        "unbound-control -c "
            + control.resolveSibling(dns.ns() + "-authority.conf")
            + " local_data "
            + record);
  }

  /** The migration: app.example.test moves from OLD to NEW, its TTL cut to MIGRATED_TTL. */
  public void migrate() {
    migrate(MIGRATED_TTL);
  }

  /** The migration with the record's new TTL. */
  public void migrate(int ttl) {
    dns.sh(
        "unbound-control -c "
            + control.resolveSibling(dns.ns() + "-authority.conf")
            + " local_data_remove app.example.test");
    authorityData("app.example.test. " + ttl + " IN A " + NEW);
  }

  /**
   * An authority for {@code cdn.test} at {@link #POOL_AUTHORITY}, TTL 60: {@code geo} answers the
   * node (192.0.2.10) with the pool's last two addresses and everyone else (the resolver) with its
   * first two, as GeoDNS answers by who asks; like Route 53 or NS1 it goes by the EDNS Client
   * Subnet (RFC 7871) when a query carries one, and returns it with scope /24, which is coarser
   * than its choice (one address against the rest) but no resolver here caches by scope. {@code
   * rotate} answers each query with two of the six at random, as a CDN's pool does, whatever the
   * subnet. A few lines of Python: no daemon in Debian rotates a subset.
   */
  public void pool(String mode) {
    dns.sh("ip addr add " + POOL_AUTHORITY + "/24 dev " + dnsInterface);
    Path script =
        dns.file(
            "pool.py",
            """
        import random, socket, struct, sys
        addr, mode, node = sys.argv[1], sys.argv[2], sys.argv[3]
        pool = sys.argv[4:]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 53))
        while True:
            q, (ip, port) = s.recvfrom(4096)
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode().lower())
                i += q[i] + 1
            qtype = struct.unpack('!H', q[i + 1:i + 3])[0]
            end = i + 5
            who, ecs = ip, b''
            # An OPT RR (root name, type 41) first in the additional section: its options.
            if mode == 'geo' and q[10:12] != b'\\0\\0' and q[end:end + 3] == b'\\0\\0\\x29':
                o, stop = end + 11, end + 11 + struct.unpack('!H', q[end + 9:end + 11])[0]
                while o + 4 <= stop:
                    code, n = struct.unpack('!HH', q[o:o + 4])
                    if code == 8:
                        fam, src = struct.unpack('!HB', q[o + 4:o + 7])
                        raw = q[o + 8:o + 4 + n]
                        af, size = (socket.AF_INET, 4) if fam == 1 else (socket.AF_INET6, 16)
                        who = socket.inet_ntop(af, raw.ljust(size, b'\\0'))
                        ecs = struct.pack('!HHHBB', 8, n, fam, src, 24) + raw
                    o += 4 + n
            answers = []
            if qtype == 1 and '.'.join(labels) == 'app.cdn.test':
                if mode == 'rotate':
                    answers = random.sample(pool, 2)
                else:
                    answers = pool[4:6] if who == node else pool[0:2]
            rd = struct.unpack('!H', q[2:4])[0] & 0x0100
            r = q[:2] + struct.pack('!HHHHH', 0x8400 | rd, 1, len(answers), 0, 1 if ecs else 0)
            r += q[12:end]
            for a in answers:
                r += b'\\xc0\\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton(a)
            if ecs:
                r += b'\\0' + struct.pack('!HHIH', 41, 1232, 0, len(ecs)) + ecs
            s.sendto(r, (ip, port))
        """);
    dns.daemon(
        "setsid -f python3 "
            + script
            + " "
            + POOL_AUTHORITY
            + " "
            + mode
            + " 192.0.2.10 "
            + String.join(" ", POOL),
        "pool.log");
    // Serving once it answers; the bound is the lab's, not a retry of the check's.
    dns.sh(
        "for i in $(seq 50); do dig +short +time=1 +tries=1 @"
            + POOL_AUTHORITY
            + " "
            + POOL_NAME
            + " | grep -q . && exit 0; sleep 0.1; done; exit 1");
  }
}
