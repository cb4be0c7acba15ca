package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FramesTest {

  private static final Inet4Address NODE = (Inet4Address) Addresses.literal("192.0.2.10");
  private static final Inet4Address FAR = (Inet4Address) Addresses.literal("203.0.113.10");
  private static final Inet4Address ROUTER = (Inet4Address) Addresses.literal("192.0.2.1");
  private static final byte[] MAC_A = Frames.macBytes("02:00:00:00:00:0a");
  private static final byte[] MAC_B = Frames.macBytes("02:00:00:00:00:0b");

  @Test
  void anEchoRequestHasExactlyTheProbedSizeTheDfBitAndValidChecksums() {
    byte[] ip = Frames.echoRequest(NODE, FAR, 0x1234, 7, 1400);
    assertEquals(1400, ip.length);
    assertEquals(0x40, ip[6] & 0xe0, "DF set");
    assertEquals(0, Frames.checksum(ip, 0, 20), "header checksum verifies to zero");
    assertEquals(0, Frames.checksum(ip, 20, ip.length - 20), "ICMP checksum verifies to zero");
  }

  @Test
  void aFragNeededQuotingOurProbeGivesItsIdSequenceAndNextHopMtu() {
    byte[] probe = Frames.echoRequest(NODE, FAR, 0x1234, 7, 1500);
    // What a router sends back: type 3 code 4, next-hop MTU 1400, our IP header and 8 bytes quoted.
    ByteBuffer icmp = ByteBuffer.allocate(8 + 28);
    icmp.put((byte) 3)
        .put((byte) 4)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 1400)
        .put(probe, 0, 28);
    byte[] frame =
        Frames.ethernet(
            MAC_A, MAC_B, 0x0800, Frames.ipv4(ROUTER, NODE, 1, 99, false, icmp.array()));

    Frames.Icmp parsed = Frames.icmp(frame);

    assertTrue(parsed.fragmentationNeeded());
    assertEquals(ROUTER, parsed.from());
    assertEquals(0x1234, parsed.id());
    assertEquals(7, parsed.seq());
    assertEquals(1400, parsed.nextHopMtu());
  }

  @Test
  void anEchoReplyIsReadFromItsOwnHeader() {
    byte[] reply = Frames.echoRequest(FAR, NODE, 0x1234, 9, 100);
    reply[20] = 0;
    Frames.Icmp parsed = Frames.icmp(Frames.ethernet(MAC_A, MAC_B, 0x0800, reply));
    assertTrue(parsed.echoReply());
    assertEquals(9, parsed.seq());
  }

  @Test
  void anArpProbeCarriesAZeroSenderAndIsReadBack() {
    byte[] frame = Frames.arpRequest(MAC_A, new byte[4], NODE.getAddress());
    assertArrayEquals(Frames.BROADCAST, java.util.Arrays.copyOf(frame, 6));
    Frames.Arp arp = Frames.arp(frame);
    assertEquals(1, arp.op());
    assertEquals("0.0.0.0", arp.senderIp().getHostAddress());
    assertEquals(NODE, arp.targetIp());
    assertEquals("02:00:00:00:00:0a", Frames.mac(arp.senderMac()));
    assertNull(Frames.icmp(frame));
  }
}
