package io.ghosthunt.agent.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Ethernet, ARP, IPv4, ICMP and UDP frames as bytes: built exactly as the probes need them (the DF
 * bit, a zero sender address) and parsed from what the capture hands back. Pure functions.
 */
public final class Frames {
  private Frames() {}

  public static final int ETHERNET_HEADER = 14;
  public static final int IPV4_HEADER = 20;
  public static final int ICMP_HEADER = 8;
  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_ARP = 0x0806;
  public static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
  static final byte[] ZERO_MAC = new byte[6];

  public static byte[] ethernet(byte[] dst, byte[] src, int etherType, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + payload.length);
    b.put(dst).put(src).putShort((short) etherType).put(payload);
    return b.array();
  }

  /** An IPv4 packet; {@code dontFragment} sets DF, which is what path MTU probes are about. */
  public static byte[] ipv4(
      Inet4Address src,
      Inet4Address dst,
      int protocol,
      int id,
      boolean dontFragment,
      byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(IPV4_HEADER + payload.length);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) (IPV4_HEADER + payload.length))
        .putShort((short) id)
        .putShort((short) (dontFragment ? 0x4000 : 0))
        .put((byte) 64)
        .put((byte) protocol)
        .putShort((short) 0)
        .put(src.getAddress())
        .put(dst.getAddress());
    byte[] bytes = b.array();
    int sum = checksum(bytes, 0, IPV4_HEADER);
    bytes[10] = (byte) (sum >> 8);
    bytes[11] = (byte) sum;
    System.arraycopy(payload, 0, bytes, IPV4_HEADER, payload.length);
    return bytes;
  }

  /**
   * An IPv4 datagram of exactly {@code size} bytes (headers included) carrying an ICMP echo
   * request.
   */
  public static byte[] echoRequest(Inet4Address src, Inet4Address dst, int id, int seq, int size) {
    byte[] icmp = new byte[size - IPV4_HEADER];
    icmp[0] = 8;
    icmp[4] = (byte) (id >> 8);
    icmp[5] = (byte) id;
    icmp[6] = (byte) (seq >> 8);
    icmp[7] = (byte) seq;
    for (int i = ICMP_HEADER; i < icmp.length; i++) {
      icmp[i] = (byte) i;
    }
    int sum = checksum(icmp, 0, icmp.length);
    icmp[2] = (byte) (sum >> 8);
    icmp[3] = (byte) sum;
    return ipv4(src, dst, 1, seq, true, icmp);
  }

  /** ARP who-has {@code target}; a zero {@code senderIp} makes it an RFC 5227 probe. */
  public static byte[] arpRequest(byte[] senderMac, byte[] senderIp, byte[] target) {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.putShort((short) 1)
        .putShort((short) ETHERTYPE_IPV4)
        .put((byte) 6)
        .put((byte) 4)
        .putShort((short) 1)
        .put(senderMac)
        .put(senderIp)
        .put(ZERO_MAC)
        .put(target);
    return ethernet(BROADCAST, senderMac, ETHERTYPE_ARP, b.array());
  }

  /** A UDP datagram inside IPv4; the checksum is left zero, which IPv4 allows. */
  public static byte[] udp(
      Inet4Address src, Inet4Address dst, int srcPort, int dstPort, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.putShort((short) srcPort)
        .putShort((short) dstPort)
        .putShort((short) (8 + payload.length))
        .putShort((short) 0)
        .put(payload);
    return ipv4(src, dst, 17, 0, false, b.array());
  }

  /** The Internet checksum (RFC 1071). */
  public static int checksum(byte[] b, int off, int len) {
    long sum = 0;
    for (int i = 0; i + 1 < len; i += 2) {
      sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    }
    if ((len & 1) == 1) {
      sum += (b[off + len - 1] & 0xff) << 8;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /** An ARP packet seen on the wire. */
  public record Arp(
      int op, byte[] senderMac, Inet4Address senderIp, Inet4Address targetIp, byte[] frameSource) {
    public boolean reply() {
      return op == 2;
    }
  }

  /** The ARP packet in an Ethernet frame, or null. */
  public static Arp arp(byte[] frame) {
    if (frame.length < ETHERNET_HEADER + 28 || etherType(frame) != ETHERTYPE_ARP) {
      return null;
    }
    int o = ETHERNET_HEADER;
    int op = u16(frame, o + 6);
    byte[] mac = slice(frame, o + 8, 6);
    return new Arp(
        op, mac, v4(slice(frame, o + 14, 4)), v4(slice(frame, o + 24, 4)), slice(frame, 6, 6));
  }

  /**
   * An ICMP message seen on the wire: for an echo reply the id and sequence are its own; for a
   * destination-unreachable they are those of our probe quoted inside it.
   */
  public record Icmp(int type, int code, Inet4Address from, int id, int seq, int nextHopMtu) {
    public boolean echoReply() {
      return type == 0;
    }

    public boolean fragmentationNeeded() {
      return type == 3 && code == 4;
    }
  }

  /** The ICMP message in an Ethernet frame, or null. */
  public static Icmp icmp(byte[] frame) {
    if (frame.length < ETHERNET_HEADER + IPV4_HEADER + ICMP_HEADER
        || etherType(frame) != ETHERTYPE_IPV4) {
      return null;
    }
    int ip = ETHERNET_HEADER;
    int ihl = (frame[ip] & 0x0f) * 4;
    if (frame[ip + 9] != 1 || frame.length < ip + ihl + ICMP_HEADER) {
      return null;
    }
    Inet4Address from = v4(slice(frame, ip + 12, 4));
    int o = ip + ihl;
    int type = frame[o] & 0xff;
    int code = frame[o + 1] & 0xff;
    if (type == 0) {
      return new Icmp(type, code, from, u16(frame, o + 4), u16(frame, o + 6), 0);
    }
    if (type == 3 || type == 11) {
      // The quoted datagram: its IPv4 header, then the first 8 bytes of our echo request.
      int inner = o + ICMP_HEADER;
      if (frame.length < inner + IPV4_HEADER) {
        return null;
      }
      int innerIhl = (frame[inner] & 0x0f) * 4;
      int q = inner + innerIhl;
      if (frame.length < q + ICMP_HEADER || frame[inner + 9] != 1) {
        return new Icmp(type, code, from, -1, -1, u16(frame, o + 6));
      }
      return new Icmp(
          type,
          code,
          from,
          u16(frame, q + 4),
          u16(frame, q + 6),
          type == 3 ? u16(frame, o + 6) : 0);
    }
    return new Icmp(type, code, from, -1, -1, 0);
  }

  /** A UDP datagram seen on the wire: addresses, ports and payload, or null. */
  public record Udp(
      Inet4Address src,
      Inet4Address dst,
      int srcPort,
      int dstPort,
      byte[] frameSource,
      byte[] payload) {}

  public static Udp udp(byte[] frame) {
    if (frame.length < ETHERNET_HEADER + IPV4_HEADER + 8 || etherType(frame) != ETHERTYPE_IPV4) {
      return null;
    }
    int ip = ETHERNET_HEADER;
    int ihl = (frame[ip] & 0x0f) * 4;
    if (frame[ip + 9] != 17 || frame.length < ip + ihl + 8) {
      return null;
    }
    int o = ip + ihl;
    int len = Math.min(u16(frame, o + 4), frame.length - o);
    return new Udp(
        v4(slice(frame, ip + 12, 4)),
        v4(slice(frame, ip + 16, 4)),
        u16(frame, o),
        u16(frame, o + 2),
        slice(frame, 6, 6),
        slice(frame, o + 8, Math.max(0, len - 8)));
  }

  public static String mac(byte[] mac) {
    return HexFormat.ofDelimiter(":").formatHex(mac);
  }

  public static byte[] macBytes(String mac) {
    return HexFormat.ofDelimiter(":").parseHex(mac);
  }

  static int etherType(byte[] frame) {
    return u16(frame, 12);
  }

  static int u16(byte[] b, int o) {
    return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
  }

  static byte[] slice(byte[] b, int o, int len) {
    byte[] s = new byte[len];
    System.arraycopy(b, o, s, 0, len);
    return s;
  }

  public static Inet4Address v4(byte[] address) {
    try {
      return (Inet4Address) InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
