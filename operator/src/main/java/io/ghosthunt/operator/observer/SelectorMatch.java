package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Whether a label selector matches an object's labels, as the API server decides it for a list
 * call. Written here because targets are read from informer caches, and neither fabric8 nor JOSDK
 * offers an in-memory matcher for a {@link LabelSelector}.
 */
public final class SelectorMatch {

  private SelectorMatch() {}

  /** A null selector matches nothing; an empty one matches everything (as in the API). */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    return expressions == null || expressions.stream().allMatch(r -> holds(r, have));
  }

  private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      // The CRD and the resolver refuse any other operator; match nothing rather than everything.
      default -> false;
    };
  }
}
