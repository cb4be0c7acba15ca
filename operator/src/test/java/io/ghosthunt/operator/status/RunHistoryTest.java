package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostChange;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.RunChanges;
import io.ghosthunt.api.status.RunSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunHistoryTest {

  static NodeStatus node(String name, Finding... findings) {
    NodeStatus n = new NodeStatus(name, NodePhase.Done);
    for (Finding f : findings) {
      n.addFinding(f);
    }
    return n;
  }

  static Finding ghost(CheckKey check, String target, GhostName ghost, String pid) {
    Finding f = new Finding(check, target, FindingVerdict.Ghost);
    f.setGhost(ghost);
    f.setSummary("held by PID " + pid);
    f.setEvidence(Map.of("pid", pid));
    return f;
  }

  static RunSummary run(int number, List<NodeStatus> entries) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setVerdict(HuntVerdict.Haunted);
    s.setGhosts(1);
    return RunHistory.summary(
        number,
        "2026-12-01T09:0" + number + ":00Z",
        Instant.parse("2026-12-01T09:00:30Z"),
        s,
        entries);
  }

  @Test
  void aRunNamesTheGhostsThatAppearedWithTheirEvidenceAndThoseGone() {
    List<NodeStatus> tuesday =
        List.of(
            node("node-a", ghost(CheckKey.PORT_OWNER, "tcp/8080", GhostName.OrphanedPort, "4242")),
            node("node-b", new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Clear)));
    List<NodeStatus> wednesday =
        List.of(
            node("node-a", new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Clear)),
            node("node-b", ghost(CheckKey.PORT_OWNER, "tcp/8080", GhostName.OrphanedPort, "77")));

    RunSummary first = run(1, tuesday);
    assertEquals(1, first.getFound().size());
    assertNull(
        first.getFound().get(0).getEvidence(), "a summary keeps which ghost, not its evidence");
    assertNull(RunHistory.changes(1, null, tuesday), "a first run has nothing to compare with");

    RunChanges changes = RunHistory.changes(2, first, wednesday);
    assertEquals(1, changes.getSince());
    GhostChange appeared = changes.getAppeared().get(0);
    assertEquals("node-b portOwner tcp/8080 OrphanedPort", appeared.describe());
    assertEquals(Map.of("pid", "77"), appeared.getEvidence());
    assertEquals("held by PID 77", appeared.getSummary());
    assertEquals(
        List.of("node-a portOwner tcp/8080 OrphanedPort"),
        changes.getGone().stream().map(GhostChange::describe).toList());

    RunChanges same = RunHistory.changes(3, run(2, wednesday), wednesday);
    assertNull(same.getAppeared(), "the same ghost again is no change, whatever its PID");
    assertNull(same.getGone());
  }

  @Test
  void theHistoryKeepsTheNewestRunsUpToTheLimit() {
    List<RunSummary> before = List.of(run(3, List.of()), run(2, List.of()), run(1, List.of()));
    assertEquals(
        List.of(4, 3, 2),
        RunHistory.history(run(4, List.of()), before, 3).stream().map(RunSummary::getRun).toList());
    assertEquals(
        List.of(4),
        RunHistory.history(run(4, List.of()), before, 1).stream().map(RunSummary::getRun).toList());
    assertEquals(
        List.of(1),
        RunHistory.history(run(1, List.of()), null, 3).stream().map(RunSummary::getRun).toList());
  }
}
