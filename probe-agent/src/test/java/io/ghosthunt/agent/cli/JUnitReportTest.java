package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class JUnitReportTest {

  private static Finding finding(
      CheckKey check, String target, FindingVerdict verdict, String summary) {
    Finding f = new Finding(check, target, verdict);
    f.setSummary(summary);
    f.setDurationMs(12L);
    return f;
  }

  private static GhostHuntStatus status() {
    Finding ghost =
        finding(
            CheckKey.PORT_OWNER,
            "tcp/8080",
            FindingVerdict.Ghost,
            "port 8080 is held by PID 42 (sleep 3600) <not java>");
    ghost.setGhost(GhostName.OrphanedPort);
    ghost.evidence("pid", "42");
    ghost.setRemediation("kill 42");
    NodeStatus a = new NodeStatus("node-a", NodePhase.Done);
    a.addFinding(ghost);
    a.addFinding(finding(CheckKey.LOOPBACK, "localhost:8080", FindingVerdict.Clear, null));
    NodeStatus b = new NodeStatus("node-b", NodePhase.Unreachable);
    b.setMessage("node node-b is not Ready");
    NodeStatus c = new NodeStatus("node-c", NodePhase.Done);
    c.addFinding(finding(CheckKey.DNS, "app.example.com", FindingVerdict.Error, "no resolver"));
    c.addFinding(
        finding(
            CheckKey.MTU, "192.0.2.1", FindingVerdict.Inconclusive, "does not answer ICMP echo"));
    GhostHuntStatus s = new GhostHuntStatus();
    s.setPhase(HuntPhase.Complete);
    s.setVerdict(HuntVerdict.Haunted);
    s.setStartedAt("2026-11-25T12:00:00Z");
    s.setNodes(List.of(a, b, c));
    return s;
  }

  @Test
  void aGhostIsAFailureWithItsEvidenceAnUnhuntedNodeAnErrorAndUnsureIsSkipped() throws Exception {
    String xml = JUnitReport.of("prod", "tuesday", status());
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

    Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
    assertEquals("ghosthunt.prod.tuesday", suite.getAttribute("name"));
    assertEquals("5", suite.getAttribute("tests"));
    assertEquals("1", suite.getAttribute("failures"));
    assertEquals("2", suite.getAttribute("errors"));
    assertEquals("1", suite.getAttribute("skipped"));

    NodeList cases = doc.getElementsByTagName("testcase");
    Element portOwner = (Element) cases.item(0);
    assertEquals("ghosthunt.tuesday.node-a", portOwner.getAttribute("classname"));
    assertEquals("portOwner", portOwner.getAttribute("name"));
    assertEquals("0.012", portOwner.getAttribute("time"));
    Element failure = (Element) portOwner.getElementsByTagName("failure").item(0);
    assertEquals("OrphanedPort", failure.getAttribute("type"));
    assertEquals(
        "tcp/8080: port 8080 is held by PID 42 (sleep 3600) <not java>",
        failure.getAttribute("message"));
    assertTrue(
        failure.getTextContent().contains("  pid: 42\n  fix: kill 42\n"), failure.getTextContent());

    Element loopback = (Element) cases.item(1);
    assertEquals(
        0, loopback.getElementsByTagName("*").getLength(), "a clear check is a passing test case");

    Element probe = (Element) cases.item(2);
    assertEquals("probe", probe.getAttribute("name"));
    assertEquals(
        "node-b was not hunted: node node-b is not Ready",
        ((Element) probe.getElementsByTagName("error").item(0)).getAttribute("message"));
    assertEquals(
        "Error",
        ((Element) ((Element) cases.item(3)).getElementsByTagName("error").item(0))
            .getAttribute("type"));
    assertEquals(
        "192.0.2.1: does not answer ICMP echo",
        ((Element) ((Element) cases.item(4)).getElementsByTagName("skipped").item(0))
            .getAttribute("message"));
  }

  @Test
  void exitCodesGhostBeatsErrorAndErrorBeatsClear() throws Exception {
    assertEquals(1, HuntCommand.exitCode(status()));
    GhostHuntStatus clear = new GhostHuntStatus();
    clear.setPhase(HuntPhase.Complete);
    clear.setVerdict(HuntVerdict.Clear);
    NodeStatus n = new NodeStatus("node-a", NodePhase.Done);
    n.addFinding(finding(CheckKey.LOOPBACK, "localhost:8080", FindingVerdict.Clear, null));
    clear.setNodes(List.of(n));
    assertEquals(0, HuntCommand.exitCode(clear));
    n.addFinding(finding(CheckKey.DNS, "x", FindingVerdict.Error, "no resolver"));
    assertEquals(2, HuntCommand.exitCode(clear));
  }

  @Test
  void timeoutsReadLikeKubectls() throws Exception {
    assertEquals(90, HuntCommand.duration("90s").toSeconds());
    assertEquals(300, HuntCommand.duration("5m").toSeconds());
    assertEquals(3600, HuntCommand.duration("1h").toSeconds());
    assertEquals(42, HuntCommand.duration("42").toSeconds());
    org.junit.jupiter.api.Assertions.assertThrows(
        UsageException.class, () -> HuntCommand.duration("soon"));
    org.junit.jupiter.api.Assertions.assertThrows(
        UsageException.class, () -> HuntCommand.duration("0s"));
  }
}
