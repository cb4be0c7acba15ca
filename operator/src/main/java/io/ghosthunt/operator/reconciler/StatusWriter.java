package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;

/**
 * Writes a hunt's status with server-side apply, from a fresh object that holds only name,
 * namespace and status: no resourceVersion, so it never conflicts with whatever else changed the
 * object.
 */
public final class StatusWriter {

  public static final String FIELD_MANAGER = "ghosthunt-operator";

  private final KubernetesClient client;

  public StatusWriter(KubernetesClient client) {
    this.client = client;
  }

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

  public void apply(GhostHunt hunt, GhostHuntStatus status) {
    client
        .resource(fresh(hunt, status))
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(FIELD_MANAGER)
                .withForce(true)
                .build());
  }

  /**
   * A new generation starts from an empty node list. Server-side apply cannot remove entries other
   * managers own, so this one write is a JSON merge patch.
   */
  public void clearNodes(GhostHunt hunt) {
    client
        .resources(GhostHunt.class)
        .inNamespace(hunt.getMetadata().getNamespace())
        .withName(hunt.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"nodes\":null}}");
  }
}
