package io.ghosthunt.lab;

import java.nio.file.Path;

/**
 * One Ethernet segment (a bridge in the {@code sw} host) with the node plugged in as 192.0.2.10
 * ({@link #NODE_MAC}); tests plug in more hosts, squatters and DHCP servers.
 */
public final class SegmentLab {

  public static final String NODE = "192.0.2.10";
  public static final String NODE_MAC = "02:00:00:00:00:10";

  private final Lab lab;
  public final LabHost sw;
  public final LabHost node;

  public SegmentLab(Lab lab) {
    this.lab = lab;
    sw = lab.host("sw");
    lab.bridge(sw, "br0");
    node = lab.host("node");
    lab.plug(sw, "br0", "p-node", node, "eth0", NODE + "/24", NODE_MAC);
    node.sh("ip route add default via 192.0.2.1");
  }

  /**
   * Another host on the segment, e.g. {@code host("twin", "192.0.2.20/24", "02:00:00:00:00:20")}.
   */
  public LabHost host(String role, String cidr, String mac) {
    LabHost h = lab.host(role);
    lab.plug(sw, "br0", "p-" + role, h, "eth0", cidr, mac);
    return h;
  }

  /**
   * A DHCP server (ISC dhcpd from Debian's isc-dhcp-server) on a new host at {@code address},
   * handing out {@code pool}; dhcpd forks into the background once it listens.
   */
  public LabHost dhcpServer(
      String role, String address, String mac, String poolStart, String poolEnd) {
    return dhcpServer(role, address, mac, poolStart, poolEnd, address);
  }

  /** A DHCP server as above that hands out {@code router} as the clients' gateway. */
  public LabHost dhcpServer(
      String role, String address, String mac, String poolStart, String poolEnd, String router) {
    LabHost h = host(role, address + "/24", mac);
    Path leases = h.file("dhcpd.leases", "");
    Path conf =
        h.file(
            "dhcpd.conf",
            """
        default-lease-time 600;
        max-lease-time 600;
        ping-check false;
        authoritative;
        subnet 192.0.2.0 netmask 255.255.255.0 { range %s %s; option routers %s; }
        """
                .formatted(poolStart, poolEnd, router));
    h.daemon(
        "dhcpd -4 -q -cf " + conf + " -lf " + leases + " -pf " + h.file("dhcpd.pid", "") + " eth0",
        "dhcpd.log");
    return h;
  }
}
