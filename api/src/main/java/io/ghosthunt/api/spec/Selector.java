package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A label selector: the JSON shape of a Kubernetes LabelSelector, as a small type of our own so
 * that the schema can carry its rules (the operators, label keys and values, bounded sizes) and so
 * that a selector the API server would refuse is refused when the hunt is applied, not when the
 * operator lists nodes with it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Selector {

  /** Entries of matchLabels, matchExpressions, and values of one requirement: at most this many. */
  public static final int MAX_ENTRIES = 64;

  /** A DNS subdomain prefix (253), '/', a name (63). */
  public static final int MAX_KEY_LENGTH = 253 + 1 + 63;

  public static final int MAX_VALUE_LENGTH = 63;

  /** What a label key looks like, for the messages of the schema and of the resolver alike. */
  public static final String KEY_FORM =
      "[prefix/]name, the prefix a lower-case DNS subdomain of at most 253 characters, the name"
          + " at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or"
          + " digit, e.g. kubernetes.io/os";

  public static final String VALUE_FORM =
      "empty, or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter"
          + " or digit";

  @JsonPropertyDescription(
      "Labels the object must carry with exactly these values; ANDed with matchExpressions.")
  @Size(max = MAX_ENTRIES)
  @ValidationRule(
      value =
          "self.all(k, k.matches(r'"
              + Patterns.LABEL_KEY_ANCHORED
              + "') && !k.matches(r'"
              + Patterns.LABEL_KEY_LONG_PREFIX
              + "'))",
      message = "every key must be a label key: " + KEY_FORM)
  @ValidationRule(
      value = "self.all(k, self[k].matches(r'" + Patterns.LABEL_VALUE_ANCHORED + "'))",
      message = "every value must be a label value: " + VALUE_FORM)
  private Map<String, @Size(max = MAX_VALUE_LENGTH) String> matchLabels;

  @JsonPropertyDescription(
      "Requirements the object's labels must all meet; ANDed with matchLabels.")
  @Size(max = MAX_ENTRIES)
  private List<SelectorRequirement> matchExpressions;

  public Selector() {}

  public Selector(Map<String, String> matchLabels, List<SelectorRequirement> matchExpressions) {
    this.matchLabels = matchLabels;
    this.matchExpressions = matchExpressions;
  }

  public Map<String, String> getMatchLabels() {
    return matchLabels;
  }

  public void setMatchLabels(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }

  public List<SelectorRequirement> getMatchExpressions() {
    return matchExpressions;
  }

  public void setMatchExpressions(List<SelectorRequirement> matchExpressions) {
    this.matchExpressions = matchExpressions;
  }

  /** The same selector as the client's type, for a list call; call it on a validated one only. */
  public LabelSelector toLabelSelector() {
    LabelSelector s = new LabelSelector();
    if (matchLabels != null) {
      s.setMatchLabels(new LinkedHashMap<>(matchLabels));
    }
    if (matchExpressions != null) {
      List<LabelSelectorRequirement> out = new ArrayList<>();
      for (SelectorRequirement r : matchExpressions) {
        out.add(
            new LabelSelectorRequirement(
                r.getKey(),
                r.getOperator(),
                r.getValues() == null ? new ArrayList<>() : new ArrayList<>(r.getValues())));
      }
      s.setMatchExpressions(out);
    }
    return s;
  }
}
