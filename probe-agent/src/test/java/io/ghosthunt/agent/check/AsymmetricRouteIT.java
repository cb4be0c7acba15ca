package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.AsymmetricLab;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Works one direction: a stateful firewall on a path whose return takes another router. */
class AsymmetricRouteIT {

  private Lab lab;

  @BeforeEach
  void lab() {
    lab = new Lab();
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private static LabHost.Run hunt(LabHost node, String... peers) {
    String spec = "checks:\n  asymmetricRoute:\n    peers: [" + String.join(", ", peers) + "]\n";
    return node.ghosthunt(
        "check",
        "-f",
        node.file("hunt.yaml", Hunts.hunt("one-way", spec)).toString(),
        "-o",
        "json");
  }

  @Test
  void flowsStuckUnrepliedWhileInvalidPacketsAreDroppedAreAnAsymmetricRoute() {
    AsymmetricLab net = new AsymmetricLab(lab, true);
    net.keepTrying(3, 1);

    LabHost.Run run = hunt(net.fw, AsymmetricLab.SERVER);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, AsymmetricLab.SERVER);
    assertEquals(FindingVerdict.Ghost, f.getVerdict(), f.getSummary() + f.getEvidence());
    assertEquals(GhostName.AsymmetricRoute, f.getGhost());
    assertTrue(Integer.parseInt(f.getEvidence().get("stuck")) >= 3, f.getEvidence().toString());
    assertEquals("0", f.getEvidence().get("replied"), f.getEvidence().toString());
    assertTrue(
        f.getEvidence()
            .get("stuckFlow")
            .matches(
                "tcp 198\\.51\\.100\\.10:\\d+ -> 203\\.0\\.113\\.10:80 SYN_SENT \\[UNREPLIED]"),
        f.getEvidence().toString());
    assertTrue(
        Long.parseLong(f.getEvidence().get("invalidDropped")) > 0, f.getEvidence().toString());
    assertTrue(
        f.getEvidence().get("invalidDropRule").startsWith("nft inet ghfw forward handle"),
        f.getEvidence().toString());
    // The flow's own packet: the client's ACK (or data, or FIN) for a handshake this node never saw
    // answered.
    assertTrue(
        f.getEvidence()
            .get("handshakeCompleting")
            .matches(
                "\\S*ACK\\S* 198\\.51\\.100\\.10:\\d+ -> 203\\.0\\.113\\.10:80 on fw-c after \\d+ ms"),
        f.getEvidence().toString());
    assertEquals("dev fw-s src 203.0.113.1", f.getEvidence().get("route"));
    assertTrue(
        f.getSummary()
            .matches(
                "\\d+ flows with 203\\.0\\.113\\.10 stuck SYN_SENT \\[UNREPLIED] while the firewall"
                    + " drops INVALID packets \\(nft inet ghfw forward handle .*"),
        f.getSummary());
    assertTrue(
        f.getSummary().endsWith("replies take another path than dev fw-s src 203.0.113.1"),
        f.getSummary());
  }

  @Test
  void aFirewallThatDropsByItsPolicyAloneIsFoundByTheFlowsOwnPackets() {
    AsymmetricLab net = new AsymmetricLab(lab, true, false);
    net.keepTrying(3, 1);

    LabHost.Run run = hunt(net.fw, AsymmetricLab.SERVER);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, AsymmetricLab.SERVER);
    assertEquals(FindingVerdict.Ghost, f.getVerdict(), f.getSummary() + f.getEvidence());
    assertFalse(
        f.getEvidence().containsKey("invalidDropRule"),
        "no rule names INVALID: " + f.getEvidence());
    assertTrue(
        f.getEvidence().get("handshakeCompleting").contains(" 198.51.100.10:"),
        f.getEvidence().toString());
    assertTrue(
        f.getSummary()
            .contains(
                "while the firewall drops what it never saw answered (its policy), yet their clients send"),
        f.getSummary());
  }

  @Test
  void aPeerThatIsDownStaysInconclusiveEvenWhileTheNodeCountsInvalidPackets() {
    AsymmetricLab net = new AsymmetricLab(lab, true);
    // INVALID drops counting on this node (as kube-proxy's rule does on every node), for other
    // flows.
    net.keepTrying(3, 1);
    net.downPeer(2);
    net.fw.sh("sleep 2");

    for (int i = 0; i < 3; i++) {
      LabHost.Run run = hunt(net.fw, AsymmetricLab.DOWN);
      assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
      Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, AsymmetricLab.DOWN);
      assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), f.getSummary() + f.getEvidence());
      assertTrue(Integer.parseInt(f.getEvidence().get("stuck")) > 0, f.getEvidence().toString());
      assertTrue(
          Long.parseLong(f.getEvidence().get("invalidDropped")) > 0, f.getEvidence().toString());
      assertTrue(
          f.getEvidence()
              .get("watched")
              .matches("in 2500 ms on fw-c no packet of them arrived but SYNs"),
          f.getEvidence().toString());
      assertTrue(
          f.getSummary()
              .endsWith("the peer may be down or filtered; hunt again while the clients fail"),
          f.getSummary());
    }
  }

  @Test
  void cleanTwinWithTheReturnThroughTheFirewall() {
    AsymmetricLab net = new AsymmetricLab(lab, false);
    net.traffic(3);

    LabHost.Run run = hunt(net.fw, AsymmetricLab.SERVER);

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, AsymmetricLab.SERVER);
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertNull(f.getGhost());
    assertEquals("0", f.getEvidence().get("stuck"), f.getEvidence().toString());
    assertEquals("3", f.getEvidence().get("replied"), f.getEvidence().toString());
    assertFalse(f.getEvidence().containsKey("stuckFlow"));
  }

  @Test
  void aPeerWithoutTrafficIsInconclusiveAndSaysWhatToDo() {
    AsymmetricLab net = new AsymmetricLab(lab, true);
    net.traffic(1);

    LabHost.Run run = hunt(net.fw, "203.0.113.99");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, "203.0.113.99");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertTrue(f.getSummary().contains("generate traffic"), f.getSummary());
    assertEquals("0", f.getEvidence().get("flows"));
  }
}
