package io.ghosthunt.lab;

/**
 * A client and a server with two routers between them. {@code fw} is the node under test: a
 * stateful firewall (nft: forward policy drop, established accepted, and INVALID dropped and
 * counted, or only by the policy, as most firewalls are written). {@code r2} is a plain router. The
 * client always sends through fw; the server replies through fw (symmetric, the clean twin) or
 * through r2 (asymmetric: fw never sees a reply).
 *
 * <pre>
 *   client 198.51.100.10 ── 198.51.100.1  fw  203.0.113.1  ── 203.0.113.10 server
 *   client 198.51.100.18 ── 198.51.100.17 r2  203.0.113.17 ── 203.0.113.18 server
 * </pre>
 */
public final class AsymmetricLab {

  public static final String SERVER = "203.0.113.10";
  public static final String CLIENT = "198.51.100.10";

  /** See {@link #downPeer}. */
  public static final String DOWN = "203.0.113.11";

  public final LabHost client;
  public final LabHost fw;
  public final LabHost r2;
  public final LabHost server;

  public AsymmetricLab(Lab lab, boolean asymmetric) {
    this(lab, asymmetric, true);
  }

  /**
   * @param invalidRule whether a rule drops (and counts) INVALID packets, or only the policy drops
   *     them
   */
  public AsymmetricLab(Lab lab, boolean asymmetric, boolean invalidRule) {
    client = lab.host("client");
    fw = lab.host("fw");
    r2 = lab.host("r2");
    server = lab.host("server");
    lab.link(client, "c-fw", "198.51.100.10/28", fw, "fw-c", "198.51.100.1/28");
    lab.link(client, "c-r2", "198.51.100.18/28", r2, "r2-c", "198.51.100.17/28");
    lab.link(fw, "fw-s", "203.0.113.1/28", server, "s-fw", "203.0.113.10/28");
    lab.link(r2, "r2-s", "203.0.113.17/28", server, "s-r2", "203.0.113.18/28");
    fw.sh("sysctl -qw net.ipv4.ip_forward=1");
    r2.sh("sysctl -qw net.ipv4.ip_forward=1 && ip route add 198.51.100.0/28 via 198.51.100.18");
    client.sh("ip route add 203.0.113.0/24 via 198.51.100.1");
    server.sh("ip route add 198.51.100.0/24 via " + (asymmetric ? "203.0.113.17" : "203.0.113.1"));
    fw.sh(
        "nft add table inet ghfw"
            + " && nft add chain inet ghfw forward '{ type filter hook forward priority 0; policy drop; }'"
            + (invalidRule
                ? " && nft add rule inet ghfw forward ct state invalid counter drop"
                : "")
            + " && nft add rule inet ghfw forward ct state established,related accept"
            + " && nft add rule inet ghfw forward iifname fw-c tcp dport 80 ct state new accept");
  }

  /** The client tries {@code count} requests to the server, each bounded to half a second. */
  public void traffic(int count) {
    server.listen(SERVER, 80);
    client.sh("python3 " + tries(count, SERVER));
  }

  /**
   * A second address of the server, {@link #DOWN}, that drops every connection attempt: a peer that
   * is down or filtered, which the client keeps trying every second in the background.
   */
  public void downPeer(int count) {
    server.sh(
        "ip addr add "
            + DOWN
            + "/28 dev s-fw && nft add table inet ghdown"
            + " && nft add chain inet ghdown input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghdown input ip daddr "
            + DOWN
            + " tcp dport 80 drop");
    client.daemon(
        "setsid -f sh -c 'while true; do python3 " + tries(count, DOWN) + "; sleep 1; done'",
        "down.log");
  }

  /**
   * Like {@link #traffic}, then again every {@code seconds} in the background, as a client keeps
   * retrying: stuck flows stay in the firewall's table beyond conntrack's 120 s for SYN_SENT, for
   * hunts that come minutes after the lab was built.
   */
  public void keepTrying(int count, int seconds) {
    traffic(count);
    client.daemon(
        "setsid -f sh -c 'while sleep "
            + seconds
            + "; do python3 "
            + tries(count, SERVER)
            + "; done'",
        "retries.log");
  }

  private java.nio.file.Path tries(int count, String target) {
    return client.file(
        "tries-" + count + "-" + target + ".py",
        """
        import socket
        for i in range(%d):
            try:
                s = socket.create_connection(('%s', 80), timeout=0.5)
                s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
                s.close()
            except OSError:
                pass
        """
            .formatted(count, target));
  }
}
