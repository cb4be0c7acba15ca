package io.ghosthunt.api;

import io.ghosthunt.api.spec.Patterns;
import io.ghosthunt.api.spec.Selector;
import io.ghosthunt.api.spec.SelectorOperator;
import io.ghosthunt.api.spec.SelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The schema's rules for a label selector again, for a hunt no API server checked (a local run, or
 * a hunt stored before the schema had them): each problem names its field, e.g. {@code
 * spec.nodes.selector.matchExpressions[0].operator}.
 */
final class SelectorRules {

  private static final Pattern KEY = Pattern.compile(Patterns.LABEL_KEY_ANCHORED);
  // Searched for, as CEL's matches() does: a hit is a prefix over 253 characters.
  private static final Pattern LONG_PREFIX = Pattern.compile(Patterns.LABEL_KEY_LONG_PREFIX);
  private static final Pattern VALUE = Pattern.compile(Patterns.LABEL_VALUE_ANCHORED);
  private static final String OPERATORS = "In, NotIn, Exists, DoesNotExist";

  /**
   * Problems listed per selector, and characters quoted per key or value: a selector stored before
   * the schema bounded it may be huge, and its problems go into the hunt's status, which must stay
   * writable.
   */
  static final int MAX_PROBLEMS = 20;

  static final int MAX_QUOTED = 100;

  private SelectorRules() {}

  static void check(String path, Selector selector, List<String> problems) {
    if (selector == null) {
      return;
    }
    List<String> found = new ArrayList<>();
    checkAll(path, selector, found);
    problems.addAll(found.subList(0, Math.min(found.size(), MAX_PROBLEMS)));
    if (found.size() > MAX_PROBLEMS) {
      problems.add(path + ": " + (found.size() - MAX_PROBLEMS) + " more problems");
    }
  }

  private static void checkAll(String path, Selector selector, List<String> problems) {
    Map<String, String> labels = selector.getMatchLabels();
    if (labels != null) {
      size(path + ".matchLabels", labels.size(), problems);
      labels.forEach(
          (k, v) -> {
            if (!labelKey(k)) {
              problems.add(
                  path + ".matchLabels: " + quote(k) + " is not a label key: " + Selector.KEY_FORM);
            }
            String field = path + ".matchLabels[" + shorten(k) + "]";
            if (v == null) {
              // The client would send a bare key, which selects every value: not what was written.
              problems.add(field + ": no value; write \"\" to select the empty value");
            } else if (!VALUE.matcher(v).matches()) {
              problems.add(
                  field + ": " + quote(v) + " is not a label value: " + Selector.VALUE_FORM);
            }
          });
    }
    List<SelectorRequirement> expressions = selector.getMatchExpressions();
    if (expressions != null) {
      size(path + ".matchExpressions", expressions.size(), problems);
      for (int i = 0; i < expressions.size(); i++) {
        requirement(path + ".matchExpressions[" + i + "]", expressions.get(i), problems);
      }
    }
  }

  private static void requirement(String path, SelectorRequirement r, List<String> problems) {
    if (r == null) {
      problems.add(path + ": an empty requirement; it needs a key and an operator");
      return;
    }
    if (r.getKey() == null) {
      problems.add(path + ".key: required");
    } else if (!labelKey(r.getKey())) {
      problems.add(
          path + ".key: " + quote(r.getKey()) + " is not a label key: " + Selector.KEY_FORM);
    }
    SelectorOperator operator = SelectorOperator.of(r.getOperator());
    if (r.getOperator() == null) {
      problems.add(path + ".operator: required, one of " + OPERATORS);
    } else if (operator == null) {
      problems.add(path + ".operator: " + quote(r.getOperator()) + " is not one of " + OPERATORS);
    }
    List<String> values = r.getValues();
    int count = values == null ? 0 : values.size();
    if (operator != null && operator.takesValues() && count == 0) {
      problems.add(path + ".values: must not be empty when operator is " + operator);
    } else if (operator != null && !operator.takesValues() && count > 0) {
      problems.add(
          path
              + ".values: must be empty when operator is "
              + operator
              + " (it lists "
              + count
              + ")");
    }
    if (values != null) {
      size(path + ".values", count, problems);
      for (int i = 0; i < count; i++) {
        String v = values.get(i);
        if (v == null || !VALUE.matcher(v).matches()) {
          problems.add(
              path
                  + ".values["
                  + i
                  + "]: "
                  + quote(v)
                  + " is not a label value: "
                  + Selector.VALUE_FORM);
        }
      }
    }
  }

  /** The text in quotes, its middle left out when it is long. */
  private static String quote(String text) {
    return text == null ? "null" : "'" + shorten(text) + "'";
  }

  private static String shorten(String text) {
    return text.length() <= MAX_QUOTED
        ? text
        : text.substring(0, MAX_QUOTED / 2)
            + "…("
            + text.length()
            + " characters)…"
            + text.substring(text.length() - MAX_QUOTED / 2);
  }

  private static boolean labelKey(String key) {
    return key != null && KEY.matcher(key).matches() && !LONG_PREFIX.matcher(key).find();
  }

  private static void size(String field, int size, List<String> problems) {
    if (size > Selector.MAX_ENTRIES) {
      problems.add(field + ": " + size + " entries, at most " + Selector.MAX_ENTRIES);
    }
  }
}
