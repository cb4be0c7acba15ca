package io.ghosthunt.agent.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * IPv6, ICMPv6 and Neighbor Discovery frames as bytes, built as the probes need them (an echo of an
 * exact size, a Neighbor Solicitation from the unspecified address for duplicate address detection)
 * and parsed from what the capture hands back. Pure functions, as {@link Frames}.
 */
public final class Frames6 {
  private Frames6() {}

  public static final int ETHERTYPE_IPV6 = 0x86DD;
  public static final int IPV6_HEADER = 40;
  static final int ICMPV6 = 58;
  static final int ECHO_REQUEST = 128;
  static final int ECHO_REPLY = 129;
  static final int PACKET_TOO_BIG = 2;
  static final int NEIGHBOR_SOLICITATION = 135;
  static final int NEIGHBOR_ADVERTISEMENT = 136;
  static final Inet6Address UNSPECIFIED = v6(new byte[16]);

  /** An IPv6 packet carrying {@code icmp}, its checksum computed over the pseudo-header. */
  public static byte[] icmpv6(Inet6Address src, Inet6Address dst, int hopLimit, byte[] icmp) {
    ByteBuffer pseudo = ByteBuffer.allocate(40 + icmp.length);
    pseudo.put(src.getAddress()).put(dst.getAddress()).putInt(icmp.length).putInt(ICMPV6);
    icmp[2] = 0;
    icmp[3] = 0;
    pseudo.put(icmp);
    int sum = Frames.checksum(pseudo.array(), 0, pseudo.capacity());
    icmp[2] = (byte) (sum >> 8);
    icmp[3] = (byte) sum;
    ByteBuffer b = ByteBuffer.allocate(IPV6_HEADER + icmp.length);
    b.putInt(0x60000000)
        .putShort((short) icmp.length)
        .put((byte) ICMPV6)
        .put((byte) hopLimit)
        .put(src.getAddress())
        .put(dst.getAddress())
        .put(icmp);
    return b.array();
  }

  /**
   * An IPv6 packet of exactly {@code size} bytes (headers included) carrying an ICMPv6 echo
   * request. IPv6 routers never fragment, so every probe is a don't-fragment probe.
   */
  public static byte[] echoRequest(Inet6Address src, Inet6Address dst, int id, int seq, int size) {
    byte[] icmp = new byte[size - IPV6_HEADER];
    icmp[0] = (byte) ECHO_REQUEST;
    icmp[4] = (byte) (id >> 8);
    icmp[5] = (byte) id;
    icmp[6] = (byte) (seq >> 8);
    icmp[7] = (byte) seq;
    for (int i = 8; i < icmp.length; i++) {
      icmp[i] = (byte) i;
    }
    return icmpv6(src, dst, 64, icmp);
  }

  /**
   * A Neighbor Solicitation for {@code target} as an Ethernet frame to its solicited-node group. A
   * null {@code src} sends it from the unspecified address without a link-layer option: duplicate
   * address detection (RFC 4862), to which a holder of the address answers all nodes.
   */
  public static byte[] neighborSolicitation(byte[] srcMac, Inet6Address src, Inet6Address target) {
    byte[] t = target.getAddress();
    byte[] group = new byte[16];
    group[0] = (byte) 0xff;
    group[1] = 0x02;
    group[11] = 0x01;
    group[12] = (byte) 0xff;
    System.arraycopy(t, 13, group, 13, 3);
    ByteBuffer icmp = ByteBuffer.allocate(src == null ? 24 : 32);
    icmp.put((byte) NEIGHBOR_SOLICITATION).put((byte) 0).putShort((short) 0).putInt(0).put(t);
    if (src != null) {
      icmp.put((byte) 1).put((byte) 1).put(srcMac);
    }
    byte[] groupMac = {0x33, 0x33, group[12], group[13], group[14], group[15]};
    return Frames.ethernet(
        groupMac,
        srcMac,
        ETHERTYPE_IPV6,
        icmpv6(src == null ? UNSPECIFIED : src, v6(group), 255, icmp.array()));
  }

  /**
   * An ICMPv6 message seen on the wire. For an echo reply the id and sequence are its own; for a
   * Packet Too Big they are those of our probe quoted inside it, with the MTU the router can pass;
   * for a Neighbor Advertisement {@code target} is the address advertised and {@code targetMac} the
   * link-layer address it carries (the frame's source when it carries none).
   */
  public record Icmp6(
      int type,
      Inet6Address from,
      int id,
      int seq,
      int mtu,
      Inet6Address target,
      byte[] targetMac,
      byte[] frameSource) {
    public boolean echoReply() {
      return type == ECHO_REPLY;
    }

    public boolean packetTooBig() {
      return type == PACKET_TOO_BIG;
    }

    public boolean neighborAdvertisement() {
      return type == NEIGHBOR_ADVERTISEMENT;
    }
  }

  /** The ICMPv6 message in an Ethernet frame (no extension headers), or null. */
  public static Icmp6 icmp6(byte[] frame) {
    int ip = Frames.ETHERNET_HEADER;
    int o = ip + IPV6_HEADER;
    if (frame.length < o + 8
        || Frames.etherType(frame) != ETHERTYPE_IPV6
        || (frame[ip + 6] & 0xff) != ICMPV6) {
      return null;
    }
    Inet6Address from = v6(Frames.slice(frame, ip + 8, 16));
    byte[] source = Frames.slice(frame, 6, 6);
    int type = frame[o] & 0xff;
    if (type == ECHO_REPLY) {
      return new Icmp6(
          type, from, Frames.u16(frame, o + 4), Frames.u16(frame, o + 6), 0, null, null, source);
    }
    if (type == PACKET_TOO_BIG) {
      int mtu = ByteBuffer.wrap(frame, o + 4, 4).getInt();
      // The quoted packet: its IPv6 header, then our echo request's header.
      int q = o + 8 + IPV6_HEADER;
      boolean echo =
          frame.length >= q + 8
              && (frame[o + 8 + 6] & 0xff) == ICMPV6
              && (frame[q] & 0xff) == ECHO_REQUEST;
      return new Icmp6(
          type,
          from,
          echo ? Frames.u16(frame, q + 4) : -1,
          echo ? Frames.u16(frame, q + 6) : -1,
          mtu,
          null,
          null,
          source);
    }
    if (type == NEIGHBOR_ADVERTISEMENT && frame.length >= o + 24) {
      Inet6Address target = v6(Frames.slice(frame, o + 8, 16));
      byte[] mac = source;
      for (int opt = o + 24; opt + 8 <= frame.length && frame[opt + 1] != 0; ) {
        int len = (frame[opt + 1] & 0xff) * 8;
        if (frame[opt] == 2 && len >= 8) {
          mac = Frames.slice(frame, opt + 2, 6);
        }
        opt += len;
      }
      return new Icmp6(type, from, -1, -1, 0, target, mac, source);
    }
    return new Icmp6(type, from, -1, -1, 0, null, null, source);
  }

  public static Inet6Address v6(byte[] address) {
    try {
      // getByAddress would hand back an Inet4Address for a v4-mapped address; Inet6Address keeps
      // it.
      return Inet6Address.getByAddress(null, address, null);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** True for an address this node uses only on one link (fe80::/10). */
  public static boolean linkLocal(InetAddress a) {
    return a instanceof Inet6Address && a.isLinkLocalAddress();
  }
}
