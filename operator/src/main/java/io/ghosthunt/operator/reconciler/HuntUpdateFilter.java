package io.ghosthunt.operator.reconciler;

import io.ghosthunt.api.GhostHunt;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which changes of a hunt wake it up: those JOSDK's generation-aware processing lets through (a new
 * generation, its finalizer missing on either side, the deletion) and a new value of {@link
 * GhostHunt#RUN_NOW}, which changes no generation. JOSDK ands a filter of ours with its own, so
 * generation-aware processing is off for this controller and its rules are kept here (JOSDK 5.2's
 * InternalEventFilters are not public). Status writes, the operator's own and frequent, still wake
 * nothing.
 */
public class HuntUpdateFilter implements OnUpdateFilter<GhostHunt> {

  static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(GhostHunt.class);

  @Override
  public boolean accept(GhostHunt newHunt, GhostHunt oldHunt) {
    return newerGeneration(newHunt, oldHunt)
        || !newHunt.hasFinalizer(FINALIZER)
        || !oldHunt.hasFinalizer(FINALIZER)
        || newHunt.isMarkedForDeletion() && !oldHunt.isMarkedForDeletion()
        || !Objects.equals(GhostHunt.runNow(newHunt), GhostHunt.runNow(oldHunt));
  }

  private static boolean newerGeneration(GhostHunt newHunt, GhostHunt oldHunt) {
    Long before = oldHunt.getMetadata().getGeneration();
    Long after = newHunt.getMetadata().getGeneration();
    return before == null || after == null || before < after;
  }
}
