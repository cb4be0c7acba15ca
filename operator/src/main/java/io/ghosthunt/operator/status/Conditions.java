package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Kubernetes conditions whose lastTransitionTime moves only when their status changes. */
public final class Conditions {

  public static final String COMPLETE = "Complete";
  public static final String GHOST_FOUND = "GhostFound";

  private Conditions() {}

  public static Condition of(
      String type,
      String status,
      String reason,
      String message,
      long generation,
      List<Condition> previous,
      Instant now) {
    String since =
        previous == null
            ? null
            : previous.stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since != null ? since : now.toString())
        .build();
  }
}
