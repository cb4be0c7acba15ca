package io.ghosthunt.operator.observer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.ghosthunt.api.spec.NodeSelection;
import io.ghosthunt.api.spec.Selector;
import io.ghosthunt.api.spec.SelectorRequirement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Targets from the caches: label selectors as the API server matches them, and node targets. */
class SelectorMatchTest {

  static LabelSelector expr(String key, String op, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(op)
        .withValues(values)
        .endMatchExpression()
        .build();
  }

  @Test
  void matchLabelsAndEveryOperatorMatchAsTheApiServerDoes() {
    Map<String, String> web = Map.of("app", "web", "tier", "front");
    assertTrue(SelectorMatch.matches(new LabelSelector(), web), "empty selects everything");
    assertFalse(SelectorMatch.matches(null, web), "no selector selects nothing");
    assertTrue(
        SelectorMatch.matches(
            new LabelSelectorBuilder().addToMatchLabels("app", "web").build(), web));
    assertFalse(
        SelectorMatch.matches(
            new LabelSelectorBuilder().addToMatchLabels("app", "db").build(), web));
    assertTrue(SelectorMatch.matches(expr("tier", "In", "front", "back"), web));
    assertFalse(SelectorMatch.matches(expr("tier", "In", "back"), web));
    assertTrue(SelectorMatch.matches(expr("tier", "NotIn", "back"), web));
    assertTrue(
        SelectorMatch.matches(expr("zone", "NotIn", "a"), web), "NotIn holds without the key");
    assertTrue(SelectorMatch.matches(expr("app", "Exists"), web));
    assertFalse(SelectorMatch.matches(expr("zone", "Exists"), web));
    assertTrue(SelectorMatch.matches(expr("zone", "DoesNotExist"), web));
    assertFalse(SelectorMatch.matches(expr("app", "Bogus", "web"), web), "unknown matches nothing");
    assertFalse(SelectorMatch.matches(expr("app", "In", "web"), null));
  }

  static Node node(String name, Map<String, String> labels, String ready) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .withReason("KubeletNotReady")
        .endCondition()
        .endStatus()
        .build();
  }

  static final List<Node> NODES =
      List.of(
          node("c", Map.of("kubernetes.io/os", "linux", "pool", "gpu"), "True"),
          node("a", Map.of("kubernetes.io/os", "linux"), "False"),
          node("win", Map.of("kubernetes.io/os", "windows", "pool", "gpu"), "True"));

  @Test
  void withoutNamesOrSelectorEveryLinuxNodeInNameOrderWithWhyItCannotBeHunted() {
    List<HuntTarget> t = NodeTargets.resolve(null, NODES);
    assertEquals(List.of("a", "c"), t.stream().map(HuntTarget::node).toList());
    assertEquals("NotReady (False): KubeletNotReady", t.get(0).problem());
    assertEquals(null, t.get(1).problem());
  }

  @Test
  void namedNodesAndSelectedNodesTogetherAndAMissingNameSaysSo() {
    NodeSelection s = new NodeSelection();
    s.setNames(List.of("a", "gone"));
    s.setSelector(new Selector(Map.of("pool", "gpu"), List.<SelectorRequirement>of()));
    List<HuntTarget> t = NodeTargets.resolve(s, NODES);
    assertEquals(List.of("a", "c", "win", "gone"), t.stream().map(HuntTarget::node).toList());
    assertEquals("node not found", t.get(3).problem());
  }
}
