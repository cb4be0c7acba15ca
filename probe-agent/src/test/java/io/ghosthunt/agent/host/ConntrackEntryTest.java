package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConntrackEntryTest {

  @Test
  void parsesUnrepliedHandshakeAndRepliedFlows() {
    List<ConntrackEntry> entries =
        ConntrackEntry.parse(
            """
        tcp      6 117 SYN_SENT src=198.51.100.10 dst=203.0.113.10 sport=45678 dport=80 [UNREPLIED] src=203.0.113.10 dst=198.51.100.10 sport=80 dport=45678 mark=0 use=1
        tcp      6 431999 ESTABLISHED src=198.51.100.10 dst=203.0.113.10 sport=45680 dport=80 src=203.0.113.10 dst=198.51.100.10 sport=80 dport=45680 [ASSURED] mark=0 use=1
        udp      17 29 src=192.0.2.5 dst=192.0.2.53 sport=5353 dport=53 [UNREPLIED] src=192.0.2.53 dst=192.0.2.5 sport=53 dport=5353 mark=0 use=1
        """);
    assertEquals(3, entries.size());
    ConntrackEntry stuck = entries.get(0);
    assertTrue(stuck.stuck());
    assertTrue(stuck.unreplied());
    assertEquals("SYN_SENT", stuck.state());
    assertEquals("203.0.113.10", stuck.reply().get("src"));
    assertEquals(
        "tcp 198.51.100.10:45678 -> 203.0.113.10:80 SYN_SENT [UNREPLIED]", stuck.describe());
    assertTrue(stuck.involves("203.0.113.10"));
    assertFalse(stuck.involves("203.0.113.11"));

    ConntrackEntry ok = entries.get(1);
    assertFalse(ok.stuck());
    assertFalse(ok.unreplied());
    assertEquals("198.51.100.10", ok.reply().get("dst"));

    ConntrackEntry udp = entries.get(2);
    assertEquals("", udp.state());
    assertTrue(udp.unreplied());
    assertFalse(udp.stuck(), "only TCP handshakes judge a route");
  }

  @Test
  void parsesTheProcFormatWithItsLayerThreePrefix() {
    List<ConntrackEntry> entries =
        ConntrackEntry.parse(
            "ipv4     2 tcp      6 55 SYN_RECV src=203.0.113.10 dst=198.51.100.10 sport=80 dport=4000 src=198.51.100.10 dst=203.0.113.10 sport=4000 dport=80 mark=0 zone=0 use=2\n");
    assertEquals(1, entries.size());
    assertEquals("tcp", entries.get(0).protocol());
    assertEquals("SYN_RECV", entries.get(0).state());
    assertTrue(entries.get(0).stuck());
  }
}
