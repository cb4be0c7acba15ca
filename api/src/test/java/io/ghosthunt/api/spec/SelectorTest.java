package io.ghosthunt.api.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our selector reads and writes what a Kubernetes LabelSelector does, and converts to one. */
class SelectorTest {

  private final KubernetesSerialization json = new KubernetesSerialization();

  private static final String SELECTOR =
      """
      matchLabels: {role: web, kubernetes.io/os: linux, empty: ""}
      matchExpressions:
      - {key: tier, operator: In, values: [web, api]}
      - {key: zone, operator: Exists}
      - {key: example.com/env, operator: NotIn, values: [dev]}
      - {key: gpu, operator: DoesNotExist}
      """;

  @Test
  void theJsonShapeIsALabelSelectors() {
    Selector ours = json.unmarshal(SELECTOR, Selector.class);
    LabelSelector theirs = json.unmarshal(SELECTOR, LabelSelector.class);
    assertEquals(
        json.convertValue(theirs, JsonNode.class), json.convertValue(ours, JsonNode.class));
    assertEquals(
        json.convertValue(json.unmarshal("{}", LabelSelector.class), JsonNode.class),
        json.convertValue(json.unmarshal("{}", Selector.class), JsonNode.class));
  }

  @Test
  void convertsToTheClientsLabelSelector() {
    Selector ours = json.unmarshal(SELECTOR, Selector.class);
    LabelSelector converted = ours.toLabelSelector();
    assertEquals(
        Map.of("role", "web", "kubernetes.io/os", "linux", "empty", ""),
        converted.getMatchLabels());
    assertEquals(
        List.of(
            new LabelSelectorRequirement("tier", "In", List.of("web", "api")),
            new LabelSelectorRequirement("zone", "Exists", List.of()),
            new LabelSelectorRequirement("example.com/env", "NotIn", List.of("dev")),
            new LabelSelectorRequirement("gpu", "DoesNotExist", List.of())),
        converted.getMatchExpressions());
    assertEquals(new LabelSelector(), new Selector().toLabelSelector());
  }

  @Test
  void anOperatorTheSchemaDoesNotKnowStillReads() {
    Selector s = json.unmarshal("matchExpressions: [{key: a, operator: Foo}]\n", Selector.class);
    assertEquals("Foo", s.getMatchExpressions().get(0).getOperator());
  }
}
