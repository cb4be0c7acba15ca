package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.List;

/** The write an agent makes (its node's entry, by server-side apply), for identity tests. */
public final class AgentWrites {
  private AgentWrites() {}

  public static void writeEntry(KubernetesClient as, String namespace, String hunt, String node) {
    GhostHunt patch = new GhostHunt();
    patch.setMetadata(new ObjectMetaBuilder().withName(hunt).withNamespace(namespace).build());
    GhostHuntStatus status = new GhostHuntStatus();
    NodeStatus entry = new NodeStatus(node, NodePhase.Running);
    status.setNodes(List.of(entry));
    patch.setStatus(status);
    as.resource(patch).subresource("status").patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager("ghosthunt-agent-" + node).withForce(true).build());
  }
}
