package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.ghosthunt.api.spec.NodeSelection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Which nodes a hunt targets, and whether each is there and Ready: pure, over the node cache. */
public final class NodeTargets {

  private NodeTargets() {}

  /**
   * The nodes named (a missing one says so), those the selector matches, or every Linux node when
   * the hunt names neither; sorted by name, named but missing nodes last.
   */
  public static List<HuntTarget> resolve(NodeSelection selection, Collection<Node> nodes) {
    Map<String, Node> byName = new HashMap<>();
    nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
    List<String> names =
        selection == null || selection.getNames() == null ? List.of() : selection.getNames();
    LabelSelector selector =
        selection == null || selection.getSelector() == null
            ? null
            : selection.getSelector().toLabelSelector();
    Map<String, Node> chosen = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (byName.containsKey(name)) {
        chosen.put(name, byName.get(name));
      } else {
        missing.add(name);
      }
    }
    for (Node n : nodes) {
      boolean wanted =
          selector != null
              ? SelectorMatch.matches(selector, n.getMetadata().getLabels())
              : names.isEmpty() && linux(n);
      if (wanted) {
        chosen.putIfAbsent(n.getMetadata().getName(), n);
      }
    }
    List<HuntTarget> targets = new ArrayList<>();
    chosen.values().stream()
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .forEach(
            n -> targets.add(HuntTarget.node(n.getMetadata().getName(), notReady(n).orElse(null))));
    missing.forEach(m -> targets.add(HuntTarget.node(m, "node not found")));
    return targets;
  }

  private static boolean linux(Node n) {
    String os =
        n.getMetadata().getLabels() == null
            ? null
            : n.getMetadata().getLabels().get("kubernetes.io/os");
    return os == null || "linux".equals(os);
  }

  /** Why a node cannot be hunted on: it is not Ready (or says nothing about it). */
  public static Optional<String> notReady(Node n) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) {
      return Optional.of("NotReady: the node reports no conditions");
    }
    for (NodeCondition c : n.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus())
            ? Optional.empty()
            : Optional.of(
                "NotReady ("
                    + c.getStatus()
                    + ")"
                    + (c.getReason() == null ? "" : ": " + c.getReason())
                    + (c.getMessage() == null ? "" : " - " + c.getMessage()));
      }
    }
    return Optional.of("NotReady: no Ready condition");
  }

  /** The Ready condition's status ("True", "False", "Unknown"), or null: what a hunt reacts to. */
  public static String readiness(Node n) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) {
      return null;
    }
    return n.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(NodeCondition::getStatus)
        .findFirst()
        .orElse(null);
  }
}
