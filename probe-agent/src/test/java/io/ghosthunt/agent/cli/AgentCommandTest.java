package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ProbeTimeline;
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
    GhostHuntReportStatus report = AgentCommand.reportStatus(failed, null, Instant.EPOCH);
    assertEquals(
        "the checks could not run inside pod web (exit 3): Exception: cannot open"
            + " postgres://***@db/app",
        report.getMessage());

    NodeStatus done = new NodeStatus("node-a", NodePhase.Done);
    Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost);
    f.setSummary("port 8080 is held by PID 7 (app --api-key=abc123 -v)");
    f.evidence("command", "app --api-key=abc123");
    done.addFinding(f);
    report = AgentCommand.reportStatus(done, null, Instant.EPOCH);
    Finding written = report.getFindings().get(0);
    assertEquals("port 8080 is held by PID 7 (app --api-key=*** -v)", written.getSummary());
    assertEquals("app --api-key=***", written.getEvidence().get("command"));
    assertEquals(1, report.getGhosts());
  }

  @Test
  void aReportCarriesItsProbesTimelineToTheMillisecond() {
    Instant began = Instant.parse("2026-12-06T12:00:01.234567891Z");
    GhostHuntReportStatus report =
        AgentCommand.reportStatus(
            new NodeStatus("node-a", NodePhase.Done),
            AgentCommand.timeline(began, began.plusMillis(16)),
            began.plusMillis(40));
    ProbeTimeline t = report.getTimeline();
    assertEquals("2026-12-06T12:00:01.234Z", t.getChecksStartedAt());
    assertEquals("2026-12-06T12:00:01.250Z", t.getChecksFinishedAt());
    Instant process = Instant.parse(t.getProcessStartedAt());
    assertEquals(0, process.getNano() % 1_000_000, "milliseconds");
    assertTrue(process.isBefore(Instant.now()), "this JVM's start");

    ProbeTimeline none = AgentCommand.timeline(null, null);
    assertNull(none.getChecksStartedAt(), "no checks ran: no time for them");
    assertNotNull(none.getProcessStartedAt());
  }
}
