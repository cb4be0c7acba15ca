package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the agent writes into a report (pure logic; the write itself is the operator ITs'). */
class AgentCommandTest {

  @Test
  void aReportHoldsNoSecretWhateverPathTheEntryCameBy() {
    // A pod hunt's failure carries its child's stderr; a pod's entry is read back from the child's
    // JSON. Neither passed this probe's check runner.
    NodeStatus failed = new NodeStatus("node-a", NodePhase.Failed);
    failed.setMessage(
        "the checks could not run inside pod web (exit 3): Exception: cannot open"
            + " postgres://app:hunter2@db/app");
    GhostHuntReportStatus report = AgentCommand.reportStatus(failed, Instant.EPOCH);
    assertEquals(
        "the checks could not run inside pod web (exit 3): Exception: cannot open"
            + " postgres://***@db/app",
        report.getMessage());

    NodeStatus done = new NodeStatus("node-a", NodePhase.Done);
    Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost);
    f.setSummary("port 8080 is held by PID 7 (app --api-key=abc123 -v)");
    f.evidence("command", "app --api-key=abc123");
    done.addFinding(f);
    report = AgentCommand.reportStatus(done, Instant.EPOCH);
    Finding written = report.getFindings().get(0);
    assertEquals("port 8080 is held by PID 7 (app --api-key=*** -v)", written.getSummary());
    assertEquals("app --api-key=***", written.getEvidence().get("command"));
    assertEquals(1, report.getGhosts());
  }
}
