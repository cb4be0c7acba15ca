package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

  static NodeStatus node(NodePhase phase, FindingVerdict... verdicts) {
    NodeStatus n = new NodeStatus("n", phase);
    for (FindingVerdict v : verdicts) {
      Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", v);
      if (v == FindingVerdict.Ghost) {
        f.setGhost(GhostName.OrphanedPort);
      }
      n.addFinding(f);
    }
    return n;
  }

  @Test
  void oneRuleForCheckAndHunt() {
    assertEquals(0, ExitCodes.of(false, List.of(node(NodePhase.Done, FindingVerdict.Clear))));
    assertEquals(
        0,
        ExitCodes.of(
            false,
            List.of(node(NodePhase.Done, FindingVerdict.Clear, FindingVerdict.Inconclusive))),
        "an Inconclusive-only result: every check ran");
    assertEquals(
        1,
        ExitCodes.of(
            true, List.of(node(NodePhase.Done, FindingVerdict.Error, FindingVerdict.Ghost))),
        "a ghost wins over everything else");
    assertEquals(
        2,
        ExitCodes.of(
            false, List.of(node(NodePhase.Done, FindingVerdict.Clear, FindingVerdict.Error))));
    assertEquals(
        2,
        ExitCodes.of(
            false,
            List.of(node(NodePhase.Done, FindingVerdict.Clear), node(NodePhase.Unreachable))));
    assertEquals(2, ExitCodes.of(true, List.of()));
    assertEquals(2, ExitCodes.of(false, List.of()), "nothing was checked");
  }
}
