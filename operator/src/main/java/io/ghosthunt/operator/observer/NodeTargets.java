package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.spec.NodeSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which nodes a hunt targets, and whether each is there and Ready. */
public final class NodeTargets {

  private final KubernetesClient client;

  public NodeTargets(KubernetesClient client) {
    this.client = client;
  }

  public List<HuntTarget> resolve(NodeSelection selection) {
    Map<String, Node> chosen = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    boolean byName =
        selection != null && selection.getNames() != null && !selection.getNames().isEmpty();
    LabelSelector selector =
        selection == null || selection.getSelector() == null
            ? null
            : selection.getSelector().toLabelSelector();
    if (byName) {
      for (String name : selection.getNames()) {
        Node n = client.nodes().withName(name).get();
        if (n == null) {
          missing.add(name);
        } else {
          chosen.put(name, n);
        }
      }
    }
    if (selector != null) {
      client
          .nodes()
          .withLabelSelector(selector)
          .list()
          .getItems()
          .forEach(n -> chosen.putIfAbsent(n.getMetadata().getName(), n));
    }
    if (!byName && selector == null) {
      client.nodes().list().getItems().stream()
          .filter(NodeTargets::linux)
          .forEach(n -> chosen.put(n.getMetadata().getName(), n));
    }
    List<HuntTarget> targets = new ArrayList<>();
    chosen.values().stream()
        .sorted(java.util.Comparator.comparing(n -> n.getMetadata().getName()))
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

  static Optional<String> notReady(Node n) {
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
}
