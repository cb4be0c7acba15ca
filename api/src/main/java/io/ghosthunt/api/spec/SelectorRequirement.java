package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One requirement of a {@link Selector}: the JSON shape of a Kubernetes LabelSelectorRequirement.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.operator) || !(self.operator in ['In', 'NotIn'])"
            + " || (has(self.values) && size(self.values) > 0)",
    message = "values must not be empty when operator is In or NotIn",
    fieldPath = ".values")
@ValidationRule(
    value =
        "!has(self.operator) || !(self.operator in ['Exists', 'DoesNotExist'])"
            + " || !has(self.values) || size(self.values) == 0",
    message = "values must be empty when operator is Exists or DoesNotExist",
    fieldPath = ".values")
public class SelectorRequirement {

  @JsonPropertyDescription("The label key the requirement applies to, e.g. kubernetes.io/os.")
  @Required
  @Size(max = Selector.MAX_KEY_LENGTH)
  @ValidationRule(
      value =
          "self.matches(r'"
              + Patterns.LABEL_KEY_ANCHORED
              + "') && !self.matches(r'"
              + Patterns.LABEL_KEY_LONG_PREFIX
              + "')",
      message = "key must be a label key: " + Selector.KEY_FORM)
  private String key;

  @JsonPropertyDescription(
      "In, NotIn (values must not be empty), Exists or DoesNotExist (values must be empty).")
  @Required
  @SchemaFrom(type = SelectorOperator.class)
  private String operator;

  @JsonPropertyDescription("The label values, for In and NotIn.")
  @Size(max = Selector.MAX_ENTRIES)
  @ValidationRule(
      value = "self.all(v, v.matches(r'" + Patterns.LABEL_VALUE_ANCHORED + "'))",
      message = "every value must be a label value: " + Selector.VALUE_FORM)
  private List<@Size(max = Selector.MAX_VALUE_LENGTH) String> values;

  public SelectorRequirement() {}

  public SelectorRequirement(String key, String operator, List<String> values) {
    this.key = key;
    this.operator = operator;
    this.values = values;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getOperator() {
    return operator;
  }

  public void setOperator(String operator) {
    this.operator = operator;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }
}
