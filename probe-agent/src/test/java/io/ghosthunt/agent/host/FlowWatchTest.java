package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FlowWatchTest {

  static byte[] tcp(String src, int sport, String dst, int dport, int flags) throws Exception {
    byte[] segment =
        ByteBuffer.allocate(20)
            .putShort((short) sport)
            .putShort((short) dport)
            .putInt(1)
            .putInt(2)
            .put((byte) 0x50)
            .put((byte) flags)
            .putShort((short) 64240)
            .putShort((short) 0)
            .putShort((short) 0)
            .array();
    byte[] ip =
        Frames.ipv4(
            (Inet4Address) InetAddress.getByName(src),
            (Inet4Address) InetAddress.getByName(dst),
            6,
            1,
            true,
            segment);
    return Frames.ethernet(new byte[6], new byte[6], 0x0800, ip);
  }

  @Test
  void aFramesFlowAndFlagsAreReadAndOnlyAHandshakesLaterPacketsCount() throws Exception {
    FlowWatch.Packet ack =
        FlowWatch.parse(tcp("198.51.100.10", 40000, "203.0.113.10", 80, 0x18)).orElseThrow();
    assertEquals(new FlowWatch.Flow("198.51.100.10", 40000, "203.0.113.10", 80), ack.flow());
    assertEquals("PSH+ACK", ack.flagWords());
    assertFalse(ack.syn());
    assertFalse(ack.rst());
    FlowWatch.Packet syn =
        FlowWatch.parse(tcp("198.51.100.10", 40000, "203.0.113.10", 80, 0x02)).orElseThrow();
    assertTrue(syn.syn());
    assertEquals("198.51.100.10:40000 -> 203.0.113.10:80", syn.flow().describe());
  }

  @Test
  void anythingButIpv4TcpIsNoPacketOfAFlow() throws Exception {
    byte[] udp = tcp("198.51.100.10", 40000, "203.0.113.10", 53, 0x10);
    udp[14 + 9] = 17;
    assertTrue(FlowWatch.parse(udp).isEmpty());
    byte[] arp = tcp("198.51.100.10", 40000, "203.0.113.10", 80, 0x10);
    arp[13] = 0x06;
    assertTrue(FlowWatch.parse(arp).isEmpty());
    assertTrue(FlowWatch.parse(new byte[20]).isEmpty());
  }
}
