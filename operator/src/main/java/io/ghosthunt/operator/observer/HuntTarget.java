package io.ghosthunt.operator.observer;

/**
 * Where a hunt looks: a node, or in a pod hunt one pod on its node.
 *
 * @param node the node (a pod's node, null while the pod is not scheduled)
 * @param pod the pod's name, null for a node target
 * @param podUid the pod's UID, null for a node target
 * @param problem why it cannot be hunted, null when it can
 */
public record HuntTarget(String node, String pod, String podUid, String problem) {

  public static HuntTarget node(String node, String problem) {
    return new HuntTarget(node, null, null, problem);
  }

  /**
   * Unique among a hunt's targets, and the key of its report and entry: the node, or {@code
   * pod/NAME}.
   */
  public String key() {
    return pod == null ? node : "pod/" + pod;
  }
}
