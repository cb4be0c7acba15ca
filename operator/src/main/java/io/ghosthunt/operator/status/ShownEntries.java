package io.ghosthunt.operator.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The node entries the hunt object carries: haunted nodes with their ghosts and evidence first,
 * then the nodes not hunted. Every node's whole findings are in its report, so the hunt stays small
 * (well under 64 KiB) at any number of nodes.
 */
final class ShownEntries {

  /** Bytes of node entries the hunt object carries. */
  private static final int NODE_ENTRIES_BUDGET = 40 * 1024;

  private static final ObjectMapper SIZES = new ObjectMapper();

  private ShownEntries() {}

  /**
   * Haunted nodes (their ghost findings only) worst first, then Failed and Unreachable ones, within
   * the budget.
   */
  static List<NodeStatus> of(List<NodeStatus> all) {
    List<NodeStatus> candidates = new ArrayList<>();
    all.stream()
        .filter(NodeEntries::haunted)
        .sorted(Comparator.comparingInt(ShownEntries::worstGhostRank))
        .map(ShownEntries::ghostsOnly)
        .forEach(candidates::add);
    all.stream().filter(NodeEntries::notHunted).forEach(candidates::add);
    List<NodeStatus> shown = new ArrayList<>();
    int bytes = 0;
    for (NodeStatus n : candidates) {
      bytes += size(n);
      if (bytes > NODE_ENTRIES_BUDGET) {
        break;
      }
      shown.add(n);
    }
    return shown;
  }

  private static NodeStatus ghostsOnly(NodeStatus n) {
    NodeStatus ghosts = new NodeStatus(n.getNode(), n.getPhase());
    ghosts.setPod(n.getPod());
    ghosts.setGeneration(n.getGeneration());
    // e.g. that the node was lost after it reported
    ghosts.setMessage(n.getMessage());
    n.getFindings().stream().filter(Finding::isGhost).forEach(ghosts::addFinding);
    return ghosts;
  }

  private static int worstGhostRank(NodeStatus n) {
    return n.getFindings().stream()
        .filter(Finding::isGhost)
        .mapToInt(f -> Summaries.rank(f.getGhost()))
        .min()
        .orElse(99);
  }

  private static int size(NodeStatus n) {
    try {
      return SIZES.writeValueAsBytes(n).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
