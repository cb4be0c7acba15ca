package io.ghosthunt.operator.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.OperatorConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentRbacTest {

  private static final OperatorConfig CONFIG =
      new OperatorConfig(
          "probes",
          "img",
          false,
          Set.of(),
          OperatorConfig.ProbeResources.DEFAULT,
          List.of("probe-registry"));

  private static GhostHunt hunt(String checks) {
    GhostHunt h =
        new KubernetesSerialization()
            .unmarshal(
                """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: h, namespace: team-a, uid: 0f0e0d0c-0000-4000-8000-000000000001, generation: 1}
        spec: {checks: %s}
        """
                    .formatted(checks),
                GhostHunt.class);
    return h;
  }

  /**
   * The operator may bind a Role only once the API server can read it (PrivilegeIT shows the 404).
   */
  @Test
  void theRoleBindingIsAppliedOnlyAfterTheRoleAndTheServiceAccount() {
    List<List<HasMetadata>> rounds =
        AgentRbac.rounds(new AgentRbac(null, CONFIG).objects(hunt("{loopback: {ports: [80]}}")));
    assertEquals(
        List.of(List.of("ServiceAccount", "Role"), List.of("RoleBinding")),
        rounds.stream().map(r -> r.stream().map(HasMetadata::getKind).toList()).toList());
  }

  @Test
  void theAgentMayReadItsHuntAndPatchReportStatusOnlyAndPullsWithTheConfiguredSecret() {
    List<HasMetadata> objects =
        new AgentRbac(null, CONFIG).objects(hunt("{loopback: {ports: [80]}}"));

    assertEquals(3, objects.size());
    ServiceAccount sa = (ServiceAccount) objects.get(0);
    assertEquals("probes", sa.getMetadata().getNamespace());
    assertEquals("probe-registry", sa.getImagePullSecrets().get(0).getName());
    Role role = (Role) objects.get(1);
    assertEquals("team-a", role.getMetadata().getNamespace());
    assertEquals(2, role.getRules().size());
    assertEquals(List.of("ghosthunts"), role.getRules().get(0).getResources());
    assertEquals(List.of("h"), role.getRules().get(0).getResourceNames());
    assertEquals(List.of("get"), role.getRules().get(0).getVerbs());
    // Report status only; the report policy narrows it to the probe's own node of its own hunt.
    assertEquals(List.of("ghosthuntreports/status"), role.getRules().get(1).getResources());
    assertEquals(List.of("patch"), role.getRules().get(1).getVerbs());
    // Owned by the hunt, so that they go with it even when no operator is left to delete them.
    for (HasMetadata o : objects.subList(1, 3)) {
      assertEquals(
          "0f0e0d0c-0000-4000-8000-000000000001",
          o.getMetadata().getOwnerReferences().get(0).getUid(),
          o.getKind());
      assertEquals("GhostHunt", o.getMetadata().getOwnerReferences().get(0).getKind());
    }
  }

  @Test
  void aHuntNamingACaBundleMayReadThatOneConfigMapAndNoSecretAndBindsOnlyItsOwnRole() {
    List<HasMetadata> objects =
        new AgentRbac(null, CONFIG)
            .objects(
                hunt(
                    "{http2: {urls: [\"https://192.0.2.80/\"], caBundleConfigMap: {name: app-ca}}}"));

    assertEquals(3, objects.size());
    Role role = (Role) objects.get(1);
    assertEquals(3, role.getRules().size());
    assertEquals(List.of("configmaps"), role.getRules().get(2).getResources());
    assertEquals(List.of("app-ca"), role.getRules().get(2).getResourceNames());
    assertEquals(List.of("get"), role.getRules().get(2).getVerbs());
    assertTrue(
        role.getRules().stream().noneMatch(r -> r.getResources().contains("secrets")),
        "no Secret, ever");
    RoleBinding binding = (RoleBinding) objects.get(2);
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
  }
}
