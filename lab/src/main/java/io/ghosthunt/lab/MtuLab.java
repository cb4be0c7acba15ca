package io.ghosthunt.lab;

/**
 * A node, two routers and a far host, dual-stack; the link between the routers carries only {@link
 * #LINK_MTU} bytes. r1 must answer a too-big packet with ICMP frag-needed (ICMPv6 Packet Too Big);
 * in the black-hole variant a firewall on r1 drops those errors, as an over-eager ICMP filter does.
 *
 * <pre>
 *   node 192.0.2.10 ── 192.0.2.1 r1 198.51.100.1 ══(mtu 1400)══ 198.51.100.2 r2 203.0.113.1 ── 203.0.113.10 far
 *   2001:db8:1::10  ── 2001:db8:1::1 r1 2001:db8:12::1 ════════ 2001:db8:12::2 r2 2001:db8:3::1 ── 2001:db8:3::10
 * </pre>
 */
public final class MtuLab {

  public static final String FAR = "203.0.113.10";
  public static final String R1 = "192.0.2.1";
  public static final String FAR6 = "2001:db8:3::10";
  public static final String R1_6 = "2001:db8:1::1";
  public static final int LINK_MTU = 1400;

  public final LabHost node;
  public final LabHost r1;
  public final LabHost r2;
  public final LabHost far;

  /**
   * @param narrowLink false for a path whose every link carries 1500 bytes
   * @param blackHole true when r1 drops the frag-needed errors it generates
   */
  public MtuLab(Lab lab, boolean narrowLink, boolean blackHole) {
    node = lab.host("node");
    r1 = lab.host("r1");
    r2 = lab.host("r2");
    far = lab.host("far");
    lab.link(node, "n-r1", "192.0.2.10/24", r1, "r1-n", R1 + "/24");
    lab.link(r1, "r1-r2", "198.51.100.1/24", r2, "r2-r1", "198.51.100.2/24");
    lab.link(r2, "r2-f", "203.0.113.1/24", far, "f-r2", FAR + "/24");
    if (narrowLink) {
      r1.sh("ip link set r1-r2 mtu " + LINK_MTU);
      r2.sh("ip link set r2-r1 mtu " + LINK_MTU);
    }
    node.sh("ip route add default via " + R1);
    r1.sh("sysctl -qw net.ipv4.ip_forward=1 && ip route add 203.0.113.0/24 via 198.51.100.2");
    r2.sh("sysctl -qw net.ipv4.ip_forward=1 && ip route add 192.0.2.0/24 via 198.51.100.1");
    far.sh("ip route add default via 203.0.113.1");
    Lab.address6(node, "n-r1", "2001:db8:1::10/64");
    Lab.address6(r1, "r1-n", R1_6 + "/64");
    Lab.address6(r1, "r1-r2", "2001:db8:12::1/64");
    Lab.address6(r2, "r2-r1", "2001:db8:12::2/64");
    Lab.address6(r2, "r2-f", "2001:db8:3::1/64");
    Lab.address6(far, "f-r2", FAR6 + "/64");
    node.sh("ip -6 route add default via " + R1_6);
    r1.sh(
        "sysctl -qw net.ipv6.conf.all.forwarding=1 && ip -6 route add 2001:db8:3::/64 via 2001:db8:12::2");
    r2.sh(
        "sysctl -qw net.ipv6.conf.all.forwarding=1 && ip -6 route add 2001:db8:1::/64 via 2001:db8:12::1");
    far.sh("ip -6 route add default via 2001:db8:3::1");
    if (blackHole) {
      r1.sh(
          "nft add table ip6 ghicmp6"
              + " && nft add chain ip6 ghicmp6 output '{ type filter hook output priority 0; }'"
              + " && nft add rule ip6 ghicmp6 output icmpv6 type packet-too-big counter drop");
      r1.sh(
          "nft add table ip ghicmp"
              + " && nft add chain ip ghicmp output '{ type filter hook output priority 0; }'"
              + " && nft add rule ip ghicmp output icmp type destination-unreachable icmp code frag-needed counter drop");
    }
  }

  /**
   * r1 drops {@code percent} % of the echo requests it forwards, of any size, at random: a policer
   * or a lossy link, no MTU problem.
   */
  public void randomLoss(int percent) {
    r1.sh(
        "nft add table ip ghloss"
            + " && nft add chain ip ghloss forward '{ type filter hook forward priority 0; }'"
            + " && nft add rule ip ghloss forward 'icmp type echo-request numgen random mod 100 < "
            + percent
            + " counter drop'");
  }
}
