package io.ghosthunt.agent.lab;

import java.nio.file.Path;

/**
 * A node and a DNS host: unbound as the authority of {@code example.test} (192.0.2.54, its NS
 * {@code ns1.example.test}) and a second unbound as the node's caching resolver (192.0.2.53) with a
 * stub zone pointing at the authority. {@link #migrate} moves {@code app.example.test} from {@link
 * #OLD} to {@link #NEW} at the authority, as a migration does; whatever the resolver cached before
 * keeps being served until its TTL runs out.
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

  public final LabHost node;
  public final LabHost dns;
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
    dns.sh("ip addr add " + AUTHORITY + "/24 dev " + dnsInterface);
    control = start();
  }

  private DnsLab(LabHost node, LabHost dns, Lab lab) {
    this.node = node;
    this.dns = dns;
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
        """
                    .formatted(AUTHORITY));
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

  /** The migration: app.example.test moves from OLD to NEW at the authority. */
  public void migrate() {
    dns.sh(
        "unbound-control -c "
            + control.resolveSibling(dns.ns() + "-authority.conf")
            + " local_data_remove app.example.test");
    authorityData("app.example.test. " + TTL + " IN A " + NEW);
  }
}
