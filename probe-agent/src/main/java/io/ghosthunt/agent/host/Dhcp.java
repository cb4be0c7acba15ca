package io.ghosthunt.agent.host;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/** DHCPv4 (RFC 2131) as far as counting servers needs: a DISCOVER out, OFFERs read back. */
public final class Dhcp {
  private Dhcp() {}

  static final int MAGIC_COOKIE = 0x63825363;
  public static final int SERVER_PORT = 67;
  public static final int CLIENT_PORT = 68;

  /**
   * A broadcast DISCOVER from {@code mac}, asking for the broadcast flag so that offers reach a
   * client without an address.
   */
  public static byte[] discover(byte[] mac, int xid) {
    ByteBuffer b = ByteBuffer.allocate(300);
    b.put((byte) 1)
        .put((byte) 1)
        .put((byte) 6)
        .put((byte) 0)
        .putInt(xid)
        .putShort((short) 0)
        .putShort((short) 0x8000);
    b.put(new byte[16]);
    b.put(mac).put(new byte[10]);
    b.put(new byte[64 + 128]);
    b.putInt(MAGIC_COOKIE);
    b.put((byte) 53).put((byte) 1).put((byte) 1);
    b.put((byte) 55).put((byte) 4).put((byte) 1).put((byte) 3).put((byte) 6).put((byte) 54);
    b.put((byte) 255);
    return b.array();
  }

  /**
   * One OFFER: the server identifier (option 54, else the IP source), the address offered, its
   * subnet mask (option 1) and router (option 3), and the MAC it came from.
   */
  public record Offer(
      Inet4Address server,
      Inet4Address offered,
      Inet4Address mask,
      Inet4Address router,
      String mac) {}

  /** The OFFER for our {@code xid} in a UDP payload, or null for anything else. */
  public static Offer offer(Frames.Udp udp, int xid) {
    byte[] p = udp.payload();
    if (udp.srcPort() != SERVER_PORT || p.length < 240 || p[0] != 2) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(p);
    if (b.getInt(4) != xid || b.getInt(236) != MAGIC_COOKIE) {
      return null;
    }
    Inet4Address offered = Frames.v4(Frames.slice(p, 16, 4));
    Inet4Address server = null;
    Inet4Address router = null;
    Inet4Address mask = null;
    int type = 0;
    for (int i = 240; i < p.length; ) {
      int code = p[i] & 0xff;
      if (code == 255) {
        break;
      }
      if (code == 0) {
        i++;
        continue;
      }
      if (i + 1 >= p.length) {
        break;
      }
      int len = p[i + 1] & 0xff;
      if (i + 2 + len > p.length) {
        break;
      }
      if (code == 53 && len == 1) {
        type = p[i + 2];
      } else if (code == 54 && len == 4) {
        server = Frames.v4(Frames.slice(p, i + 2, 4));
      } else if (code == 1 && len == 4) {
        mask = Frames.v4(Frames.slice(p, i + 2, 4));
      } else if (code == 3 && len >= 4) {
        router = Frames.v4(Frames.slice(p, i + 2, 4));
      }
      i += 2 + len;
    }
    if (type != 2) {
      return null;
    }
    return new Offer(
        server != null ? server : udp.src(), offered, mask, router, Frames.mac(udp.frameSource()));
  }
}
