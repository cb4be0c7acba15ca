package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Dhcp;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Second MACs and second DHCP servers that are there by design, not by accident: the rules that let
 * them through, each with the reason the evidence gives. Pure functions.
 */
final class SharedAddresses {
  private SharedAddresses() {}

  /** VRRP's virtual MACs (RFC 5798): 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6. */
  static boolean vrrp(String mac) {
    return mac.startsWith("00:00:5e:00:01:") || mac.startsWith("00:00:5e:00:02:");
  }

  /**
   * Which of the MACs that answered for one address are no second host, and why: the default
   * gateway's MAC (a router answering by proxy ARP for what it routes), and the one physical MAC
   * beside a VRRP virtual MAC (keepalived's {@code use_vmac}: the master's own interface answers
   * for the virtual address too while arp_ignore is 0). Two physical MACs beside a virtual one stay
   * claims: two hosts answer.
   */
  static Map<String, String> explained(Set<String> macs, String gatewayMac, String gateway) {
    Map<String, String> accepted = new LinkedHashMap<>();
    if (macs.size() < 2) {
      return accepted;
    }
    if (gatewayMac != null && macs.contains(gatewayMac)) {
      accepted.put(
          gatewayMac,
          gatewayMac
              + " is the default gateway's ("
              + gateway
              + "): a router answering by proxy ARP for an address it routes, not a second host");
    }
    List<String> physical =
        macs.stream().filter(m -> !vrrp(m) && !accepted.containsKey(m)).toList();
    Optional<String> virtual = macs.stream().filter(SharedAddresses::vrrp).findFirst();
    if (virtual.isPresent() && physical.size() == 1) {
      String vmac = virtual.get();
      accepted.put(
          physical.get(0),
          physical.get(0)
              + " answers beside the VRRP virtual MAC "
              + vmac
              + " (virtual router "
              + Integer.parseInt(vmac.substring(15), 16)
              + "): the VRRP master's own interface, which answers for the virtual address too"
              + " while arp_ignore is 0 (keepalived use_vmac); set arp_ignore 1 on the VRRP"
              + " hosts and only the virtual MAC answers");
    }
    return accepted;
  }

  /**
   * Why several DHCP servers offering is by design, or empty when it is not: every one offers the
   * same router and an address in the same subnet, as the two servers of a failover pair or a split
   * scope do. A rogue server (a home router plugged in, a test dhcpd) hands out its own.
   */
  static Optional<String> agreeingServers(List<Dhcp.Offer> offers) {
    if (offers.size() < 2) {
      return Optional.empty();
    }
    Dhcp.Offer first = offers.get(0);
    String subnet = subnet(first);
    boolean agree =
        first.router() != null
            && subnet != null
            && offers.stream()
                .allMatch(
                    o -> Objects.equals(o.router(), first.router()) && subnet.equals(subnet(o)));
    if (!agree) {
      return Optional.empty();
    }
    return Optional.of(
        offers.size()
            + " servers offer the same router "
            + first.router().getHostAddress()
            + " and addresses in "
            + subnet
            + ", as the two servers of a failover pair or a split scope do; list them in"
            + " dhcpServers to pin them, and any other that offers is rogue");
  }

  /** The offered address's subnet, "192.0.2.0/24", or null without a subnet mask. */
  static String subnet(Dhcp.Offer o) {
    if (o.mask() == null) {
      return null;
    }
    byte[] a = o.offered().getAddress();
    byte[] m = o.mask().getAddress();
    byte[] n = new byte[4];
    int bits = 0;
    for (int i = 0; i < 4; i++) {
      n[i] = (byte) (a[i] & m[i]);
      bits += Integer.bitCount(m[i] & 0xff);
    }
    try {
      return Inet4Address.getByAddress(n).getHostAddress() + "/" + bits;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
