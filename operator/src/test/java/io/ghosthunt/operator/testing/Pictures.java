package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import java.time.Instant;

/** Objects for the in-memory pictures the decisions' and the reconciler's unit tests hunt in. */
public final class Pictures {

  /** When every hunt of these tests was created. */
  public static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  private Pictures() {}

  /** Hunt {@code team/web} (UID uid-1) of {@code spec} at {@code generation}, with its status. */
  public static GhostHunt hunt(String spec, long generation, GhostHuntStatus status) {
    GhostHunt h =
        new KubernetesSerialization()
            .unmarshal(
                "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\n"
                    + "metadata: {name: web, namespace: team, uid: uid-1, generation: "
                    + generation
                    + ", creationTimestamp: '"
                    + T0
                    + "'}\nspec: "
                    + spec,
                GhostHunt.class);
    h.setStatus(status);
    return h;
  }

  /** A node whose Ready condition is {@code ready} ("True", "False", "Unknown"). */
  public static Node node(String name, String ready) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .endCondition()
        .endStatus()
        .build();
  }
}
