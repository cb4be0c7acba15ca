package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Frames6Test {

  private static final Inet6Address NODE = (Inet6Address) Addresses.literal("2001:db8:1::10");
  private static final Inet6Address FAR = (Inet6Address) Addresses.literal("2001:db8:3::10");
  private static final Inet6Address ROUTER = (Inet6Address) Addresses.literal("2001:db8:1::1");
  private static final byte[] MAC_A = Frames.macBytes("02:00:00:00:00:0a");
  private static final byte[] MAC_B = Frames.macBytes("02:00:00:00:00:0b");

  /** The ICMPv6 checksum over the pseudo-header verifies to zero, as a receiver computes it. */
  private static int verify(byte[] ip) {
    int len = ip.length - Frames6.IPV6_HEADER;
    ByteBuffer pseudo = ByteBuffer.allocate(40 + len);
    pseudo.put(ip, 8, 32).putInt(len).putInt(58).put(ip, Frames6.IPV6_HEADER, len);
    return Frames.checksum(pseudo.array(), 0, pseudo.capacity());
  }

  @Test
  void anEchoRequestHasExactlyTheProbedSizeAndAValidChecksum() {
    byte[] ip = Frames6.echoRequest(NODE, FAR, 0x1234, 7, 1400);
    assertEquals(1400, ip.length);
    assertEquals(0x60, ip[0] & 0xf0, "version 6");
    assertEquals(1360, ((ip[4] & 0xff) << 8) | (ip[5] & 0xff), "payload length");
    assertEquals(58, ip[6]);
    assertEquals(128, ip[40] & 0xff);
    assertEquals(0, verify(ip));
  }

  @Test
  void aPacketTooBigQuotingOurProbeGivesItsIdSequenceAndMtu() {
    byte[] probe = Frames6.echoRequest(NODE, FAR, 0x1234, 7, 1500);
    ByteBuffer icmp = ByteBuffer.allocate(8 + 1232);
    icmp.put((byte) 2).put((byte) 0).putShort((short) 0).putInt(1400).put(probe, 0, 1232);
    byte[] frame =
        Frames.ethernet(
            MAC_A, MAC_B, Frames6.ETHERTYPE_IPV6, Frames6.icmpv6(ROUTER, NODE, 64, icmp.array()));

    Frames6.Icmp6 parsed = Frames6.icmp6(frame);

    assertTrue(parsed.packetTooBig());
    assertEquals(ROUTER, parsed.from());
    assertEquals(0x1234, parsed.id());
    assertEquals(7, parsed.seq());
    assertEquals(1400, parsed.mtu());
  }

  @Test
  void anEchoReplyGivesItsOwnIdAndSequence() {
    byte[] icmp = {(byte) 129, 0, 0, 0, 0x12, 0x34, 0, 9, 1, 2, 3};
    byte[] frame =
        Frames.ethernet(MAC_A, MAC_B, Frames6.ETHERTYPE_IPV6, Frames6.icmpv6(FAR, NODE, 64, icmp));

    Frames6.Icmp6 parsed = Frames6.icmp6(frame);

    assertTrue(parsed.echoReply());
    assertEquals(FAR, parsed.from());
    assertEquals(0x1234, parsed.id());
    assertEquals(9, parsed.seq());
  }

  @Test
  void aDuplicateAddressProbeComesFromTheUnspecifiedAddressToTheSolicitedNodeGroup() {
    byte[] frame = Frames6.neighborSolicitation(MAC_A, null, NODE);
    assertArrayEquals(
        Frames.macBytes("33:33:ff:00:00:10"), Arrays.copyOfRange(frame, 0, 6), "group MAC");
    byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
    assertArrayEquals(new byte[16], Arrays.copyOfRange(ip, 8, 24), "source ::");
    assertEquals(
        "ff02::1:ff00:10",
        Addresses.text(Frames6.v6(Arrays.copyOfRange(ip, 24, 40))),
        "solicited-node group");
    assertEquals(255, ip[7] & 0xff, "hop limit 255, as NDP requires");
    assertEquals(135, ip[40] & 0xff);
    assertEquals(24, ip.length - 40, "no source link-layer option from ::");
    assertEquals(0, verify(ip));
  }

  @Test
  void aSolicitationFromAnAddressCarriesItsMac() {
    byte[] ip = Arrays.copyOfRange(Frames6.neighborSolicitation(MAC_A, NODE, ROUTER), 14, 14 + 72);
    assertEquals(32, ip.length - 40);
    assertEquals(1, ip[64]);
    assertArrayEquals(MAC_A, Arrays.copyOfRange(ip, 66, 72));
    assertEquals(0, verify(ip));
  }

  @Test
  void anAdvertisementGivesTheTargetAndItsLinkLayerAddress() {
    ByteBuffer icmp = ByteBuffer.allocate(32);
    icmp.put((byte) 136).put((byte) 0).putShort((short) 0).putInt(0x20000000);
    icmp.put(NODE.getAddress()).put((byte) 2).put((byte) 1).put(MAC_B);
    byte[] frame =
        Frames.ethernet(
            MAC_A,
            MAC_B,
            Frames6.ETHERTYPE_IPV6,
            Frames6.icmpv6(NODE, Frames6.v6(new byte[16]), 255, icmp.array()));

    Frames6.Icmp6 parsed = Frames6.icmp6(frame);

    assertTrue(parsed.neighborAdvertisement());
    assertEquals(NODE, parsed.target());
    assertEquals("02:00:00:00:00:0b", Frames.mac(parsed.targetMac()));
  }

  @Test
  void anIpv4FrameIsNoIcmpv6() {
    assertNull(
        Frames6.icmp6(
            Frames.ethernet(
                MAC_A,
                MAC_B,
                0x0800,
                Frames.echoRequest(
                    (java.net.Inet4Address) Addresses.literal("192.0.2.10"),
                    (java.net.Inet4Address) Addresses.literal("203.0.113.10"),
                    1,
                    1,
                    100))));
  }
}
