package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The Tuesday possession, reproduced: a crashed worker's child squats the port java wants. */
class PortOwnerIT {

  private Lab lab;
  private LabHost node;

  @BeforeEach
  void lab() {
    lab = new Lab();
    node = lab.host("node");
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt(int port, String expected) {
    String spec = "checks:\n  portOwner:\n    ports: [" + port + "]\n" + (expected == null ? "" : "    expectedProcess: " + expected + "\n");
    return node.ghosthunt("check", "-f", node.file("hunt.yaml", Hunts.hunt("tuesday", spec)).toString(), "-o", "json",
        "--node", "node-a");
  }

  @Test
  void orphanedChildOfACrashedWorkerIsNamedWithItsPid() {
    int squatter = node.orphanedListener("0.0.0.0", 8080);

    LabHost.Run run = hunt(8080, "java");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    assertEquals("node-a", Hunts.node(run).getNode());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.OrphanedPort, f.getGhost());
    assertEquals(Integer.toString(squatter), f.getEvidence().get("pid"));
    assertEquals("sleep 3600", f.getEvidence().get("command"));
    assertEquals("sleep", f.getEvidence().get("process"));
    assertEquals("0.0.0.0:8080", f.getEvidence().get("listen"));
    assertTrue(f.getEvidence().get("orphaned").startsWith("yes"), f.getEvidence().toString());
    assertTrue(f.getSummary().startsWith("port 8080 is held by PID " + squatter + " (sleep 3600)"), f.getSummary());
    assertTrue(f.getSummary().endsWith("not by java; its parent exited"), f.getSummary());
    assertTrue(f.getRemediation().startsWith("kill " + squatter + ", then restart java"), f.getRemediation());
  }

  @Test
  void cleanTwinTheExpectedProcessHoldsThePort() {
    int owner = node.listen("0.0.0.0", 8080);

    LabHost.Run run = hunt(8080, "python3");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertNull(f.getGhost());
    assertEquals(Integer.toString(owner), f.getEvidence().get("pid"));
    assertTrue(f.getSummary().endsWith("the expected python3"), f.getSummary());
  }

  @Test
  void withoutAnExpectedProcessTheHolderIsNamedAndTheVerdictStaysClear() {
    int owner = node.orphanedListener("127.0.0.1", 9090);

    LabHost.Run run = hunt(9090, null);

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/9090");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals(Integer.toString(owner), f.getEvidence().get("pid"));
    assertEquals("127.0.0.1:9090", f.getEvidence().get("listen"));
  }

  @Test
  void aFreePortIsClearAndSaysTheGhostIsElsewhere() {
    node.listen("0.0.0.0", 8081);

    LabHost.Run run = hunt(8080, "java");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals("port 8080 is free: the ghost is elsewhere", f.getSummary());
    assertNull(f.getEvidence());
  }
}
