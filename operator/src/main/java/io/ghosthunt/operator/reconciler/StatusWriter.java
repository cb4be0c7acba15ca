package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;

/**
 * What a status write sends: a fresh object that holds only name, namespace and status, applied
 * server-side as the operator's field manager, so that it owns the status and nothing else.
 */
public final class StatusWriter {

  public static final String FIELD_MANAGER = "ghosthunt-operator";

  private StatusWriter() {}

  /** A fresh object with name, namespace and the status only: what a status apply sends. */
  public static GhostHunt fresh(GhostHunt hunt, GhostHuntStatus status) {
    GhostHunt fresh = new GhostHunt();
    fresh.setMetadata(
        new ObjectMetaBuilder()
            .withName(hunt.getMetadata().getName())
            .withNamespace(hunt.getMetadata().getNamespace())
            .build());
    fresh.setStatus(status);
    return fresh;
  }
}
