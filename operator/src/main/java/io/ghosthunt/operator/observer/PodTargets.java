package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which pods a pod hunt targets, in the hunt's own namespace only, and whether each can be hunted
 * in.
 */
public final class PodTargets {

  private PodTargets() {}

  /**
   * The pods the selector matches now, plus those this round already has a report for (a pod that
   * ended during the hunt is reported as such, not silently dropped).
   *
   * @param pods the pods of the hunt's namespace its selector matches, from the cache
   * @param reported this round's pod reports, by pod name: the pod (its UID) and node each was
   *     started for
   * @param nodes the nodes by name, from the cache
   */
  public static List<HuntTarget> resolve(
      List<Pod> pods, Map<String, HuntTarget> reported, Map<String, Node> nodes) {
    Map<String, Optional<String>> problems = new HashMap<>();
    for (Pod p : pods) {
      String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (n != null) {
        problems.computeIfAbsent(
            n,
            k ->
                nodes.containsKey(k)
                    ? NodeTargets.notReady(nodes.get(k))
                    : Optional.of("node not found"));
      }
    }
    return decide(pods, reported, problems);
  }

  /** Pure: each pod's target, with the reason it cannot be hunted in, if any. */
  static List<HuntTarget> decide(
      List<Pod> pods,
      Map<String, HuntTarget> reported,
      Map<String, Optional<String>> nodeProblems) {
    List<HuntTarget> targets = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .forEach(
            p -> {
              String name = p.getMetadata().getName();
              String uid = p.getMetadata().getUid();
              String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
              HuntTarget started = reported.get(name);
              seen.add(name);
              if (started != null && !uid.equals(started.podUid())) {
                // Same name, new pod (a StatefulSet's replacement): the one this hunt started on is
                // gone.
                targets.add(new HuntTarget(started.node(), name, started.podUid(), ended(name)));
                return;
              }
              targets.add(
                  new HuntTarget(
                      node, name, uid, problem(p, node == null ? null : nodeProblems.get(node))));
            });
    reported.forEach(
        (name, started) -> {
          if (!seen.contains(name)) {
            targets.add(new HuntTarget(started.node(), name, started.podUid(), ended(name)));
          }
        });
    return targets;
  }

  private static String ended(String name) {
    return "pod " + name + " ended during the hunt (deleted or replaced) before its findings came";
  }

  static String problem(Pod p, Optional<String> nodeProblem) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return "the pod is terminating";
    }
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return "the pod has ended (" + phase + "): no network namespace left to hunt in";
    }
    if (p.getSpec().getNodeName() == null) {
      return "the pod is not scheduled to a node yet (Pending)";
    }
    if (Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
      return "the pod uses its node's network (hostNetwork): hunt node "
          + p.getSpec().getNodeName()
          + " with spec.nodes";
    }
    if (!"Running".equals(phase)) {
      return "the pod is not running (" + phase + "): its containers have not started";
    }
    return nodeProblem == null
        ? null
        : nodeProblem
            .map(why -> "its node " + p.getSpec().getNodeName() + " is " + why)
            .orElse(null);
  }
}
