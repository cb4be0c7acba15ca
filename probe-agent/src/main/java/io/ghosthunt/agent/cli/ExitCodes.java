package io.ghosthunt.agent.cli;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.List;

/**
 * One rule for `ghosthunt check` and `ghosthunt hunt`, so that a pipeline reads the same outcome
 * the same way: 1 a ghost anywhere; else 2 when something could not be checked (the hunt failed, a
 * node was not hunted, a check could not run: verdict Error); else 0, Inconclusive findings
 * included (the check ran, and the live state did not let it tell; the output says why). Bad input
 * is 2 as well.
 */
public final class ExitCodes {

  public static final int CLEAR = 0;
  public static final int GHOST = 1;
  public static final int UNCHECKED = 2;

  private ExitCodes() {}

  public static int of(boolean huntFailed, List<NodeStatus> nodes) {
    List<Finding> findings =
        nodes.stream()
            .flatMap(
                n ->
                    n.getFindings() == null
                        ? java.util.stream.Stream.<Finding>empty()
                        : n.getFindings().stream())
            .toList();
    if (findings.stream().anyMatch(Finding::isGhost)) {
      return GHOST;
    }
    boolean unchecked =
        huntFailed
            || nodes.isEmpty()
            || nodes.stream().anyMatch(n -> n.getPhase() != NodePhase.Done)
            || findings.stream().anyMatch(f -> f.getVerdict() == FindingVerdict.Error);
    return unchecked ? UNCHECKED : CLEAR;
  }
}
