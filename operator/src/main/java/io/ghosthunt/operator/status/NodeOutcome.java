package io.ghosthunt.operator.status;

import io.ghosthunt.api.status.NodePhase;

/**
 * What the operator observed about one targeted node before reading its agent's entry.
 *
 * @param node the node's name (a pod's node; null for a pod that was never scheduled)
 * @param pod in a pod hunt, the pod's name
 * @param reachable false when the node is gone or NotReady; {@code reason} says which
 * @param podPhase the probe pod's phase (Pending, Running, Succeeded, Failed), or null without a
 *     pod
 * @param reason why the node is unreachable or why its pod failed, for the node entry's message
 */
public record NodeOutcome(
    String node, String pod, boolean reachable, String podPhase, String reason) {

  public static NodeOutcome unreachable(String node, String reason) {
    return new NodeOutcome(node, null, false, null, reason);
  }

  public static NodeOutcome pod(String node, String podPhase, String reason) {
    return new NodeOutcome(node, null, true, podPhase, reason);
  }

  /** The same outcome for a target pod on the node (its probe pod is the node's). */
  public NodeOutcome inPod(String targetPod) {
    return new NodeOutcome(node, targetPod, reachable, podPhase, reason);
  }

  /** The key of the target's entry: the node, or {@code pod/NAME}. */
  public String key() {
    return pod == null ? node : "pod/" + pod;
  }

  NodePhase pendingPhase() {
    return "Running".equals(podPhase) ? NodePhase.Running : NodePhase.Pending;
  }
}
