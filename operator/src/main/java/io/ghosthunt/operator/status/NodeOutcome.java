package io.ghosthunt.operator.status;

import io.ghosthunt.api.status.NodePhase;

/**
 * What the operator observed about one targeted node before reading its agent's entry.
 *
 * @param node the node's name
 * @param reachable false when the node is gone or NotReady; {@code reason} says which
 * @param podPhase the probe pod's phase (Pending, Running, Succeeded, Failed), or null without a pod
 * @param reason why the node is unreachable or why its pod failed, for the node entry's message
 */
public record NodeOutcome(String node, boolean reachable, String podPhase, String reason) {

  public static NodeOutcome unreachable(String node, String reason) {
    return new NodeOutcome(node, false, null, reason);
  }

  public static NodeOutcome pod(String node, String podPhase, String reason) {
    return new NodeOutcome(node, true, podPhase, reason);
  }

  NodePhase pendingPhase() {
    return "Running".equals(podPhase) ? NodePhase.Running : NodePhase.Pending;
  }
}
