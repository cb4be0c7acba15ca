package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.lab.AsymmetricLab;
import io.ghosthunt.agent.lab.Hunts;
import io.ghosthunt.agent.lab.Lab;
import io.ghosthunt.agent.lab.LabHost;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
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
    return node.ghosthunt("check", "-f", node.file("hunt.yaml", Hunts.hunt("one-way", spec)).toString(), "-o", "json");
  }

  @Test
  void flowsStuckUnrepliedWhileInvalidPacketsAreDroppedAreAnAsymmetricRoute() {
    AsymmetricLab net = new AsymmetricLab(lab, true);
    net.traffic(3);

    LabHost.Run run = hunt(net.fw, AsymmetricLab.SERVER);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.ASYMMETRIC_ROUTE, AsymmetricLab.SERVER);
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.AsymmetricRoute, f.getGhost());
    assertEquals("3", f.getEvidence().get("stuck"), f.getEvidence().toString());
    assertEquals("0", f.getEvidence().get("replied"), f.getEvidence().toString());
    assertTrue(f.getEvidence().get("stuckFlow").matches(
        "tcp 198\\.51\\.100\\.10:\\d+ -> 203\\.0\\.113\\.10:80 SYN_SENT \\[UNREPLIED]"), f.getEvidence().toString());
    assertTrue(Long.parseLong(f.getEvidence().get("invalidDropped")) > 0, f.getEvidence().toString());
    assertTrue(f.getEvidence().get("invalidDropRule").startsWith("nft inet ghfw forward handle"), f.getEvidence().toString());
    assertEquals("dev fw-s src 203.0.113.1", f.getEvidence().get("route"));
    assertTrue(f.getSummary().startsWith("3 flows with 203.0.113.10 stuck SYN_SENT [UNREPLIED] while the firewall"
        + " drops INVALID packets (nft inet ghfw forward handle"), f.getSummary());
    assertTrue(f.getSummary().endsWith("replies take another path than dev fw-s src 203.0.113.1"), f.getSummary());
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
