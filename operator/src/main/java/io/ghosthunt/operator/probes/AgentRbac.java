package io.ghosthunt.operator.probes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.operator.OperatorConfig;
import java.util.List;

/**
 * The agent identity of one hunt: a service account in the probe namespace whose only permissions
 * are to read its own hunt (a Role limited by resourceNames in the hunt's namespace) and to patch
 * the status of its node's report (the report policy does the narrowing), and, only for a hunt that
 * names a CA bundle, to read that one ConfigMap. Removed with the hunt, and as soon as the hunt
 * completes.
 */
public final class AgentRbac {

  private final KubernetesClient client;
  private final OperatorConfig config;

  public AgentRbac(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.config = config;
  }

  public List<HasMetadata> objects(GhostHunt hunt) {
    String name = Labels.agentName(hunt);
    OwnerReference owner = Labels.ownedBy(hunt);
    return List.of(serviceAccount(hunt, name), role(hunt, name, owner), binding(hunt, name, owner));
  }

  private ServiceAccount serviceAccount(GhostHunt hunt, String name) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(config.probeNamespace())
        .withLabels(Labels.of(hunt, "agent"))
        .withAnnotations(Labels.huntAnnotations(hunt))
        .endMetadata()
        .withImagePullSecrets(
            config.probePullSecrets().stream().map(LocalObjectReference::new).toList())
        .build();
  }

  /** The Role's and the RoleBinding's metadata: in the hunt's namespace, owned by the hunt. */
  private static ObjectMeta agentMeta(GhostHunt hunt, String name, OwnerReference owner) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(hunt.getMetadata().getNamespace())
        .withLabels(Labels.of(hunt, "agent"))
        .withOwnerReferences(owner)
        .build();
  }

  private static Role role(GhostHunt hunt, String name, OwnerReference owner) {
    return new RoleBuilder()
        .withMetadata(agentMeta(hunt, name, owner))
        .withRules(rules(hunt))
        .build();
  }

  private RoleBinding binding(GhostHunt hunt, String name, OwnerReference owner) {
    return new RoleBindingBuilder()
        .withMetadata(agentMeta(hunt, name, owner))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(name)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(name)
        .withNamespace(config.probeNamespace())
        .endSubject()
        .build();
  }

  /**
   * What the probe may do: read its own hunt, patch report statuses (the report policy narrows it
   * to its own node's report of this run), and, for a hunt naming a CA bundle, read that one
   * ConfigMap. The API server lets the operator grant only rules it holds itself (RBAC's escalation
   * check; the operator has neither bind nor escalate), so these rules are also the bound of what
   * any Role it could create may grant.
   */
  public static List<PolicyRule> rules(GhostHunt hunt) {
    List<PolicyRule> rules = new java.util.ArrayList<>();
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups(GhostHunt.GROUP)
            .withResources("ghosthunts")
            .withResourceNames(hunt.getMetadata().getName())
            .withVerbs("get")
            .build());
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups(GhostHunt.GROUP)
            .withResources("ghosthuntreports/status")
            .withVerbs("patch")
            .build());
    String caBundle = caBundleConfigMap(hunt);
    if (caBundle != null) {
      rules.add(
          new PolicyRuleBuilder()
              .withApiGroups("")
              .withResources("configmaps")
              .withResourceNames(caBundle)
              .withVerbs("get")
              .build());
    }
    return rules;
  }

  private static String caBundleConfigMap(GhostHunt hunt) {
    Http2Spec http2 =
        hunt.getSpec().getChecks() == null ? null : hunt.getSpec().getChecks().getHttp2();
    return http2 == null || http2.getCaBundleConfigMap() == null
        ? null
        : http2.getCaBundleConfigMap().getName();
  }

  /** The agent's identity, one apply after the other. */
  public void apply(GhostHunt hunt) {
    applies(hunt).forEach(round -> round.forEach(Runnable::run));
  }

  /**
   * What gives the hunt's agent its identity, one server-side apply per object, in two rounds whose
   * calls are independent: the ServiceAccount and the Role, then the RoleBinding. The operator
   * holds no bind verb, so the API server lets it bind a Role only after reading that Role's rules
   * (RBAC's escalation check): a RoleBinding applied beside its Role was refused (404, the Role not
   * found) whenever it arrived first, which failed the hunt's first start and cost a retry.
   */
  public List<List<Runnable>> applies(GhostHunt hunt) {
    return rounds(objects(hunt)).stream()
        .map(round -> round.stream().map(this::apply).toList())
        .toList();
  }

  /** The objects in the rounds {@link #applies} sends them in: every RoleBinding last. */
  public static List<List<HasMetadata>> rounds(List<HasMetadata> objects) {
    return List.of(
        objects.stream().filter(o -> !(o instanceof RoleBinding)).toList(),
        objects.stream().filter(RoleBinding.class::isInstance).toList());
  }

  private Runnable apply(HasMetadata o) {
    return () ->
        client.resource(o).fieldManager(Labels.OPERATOR).forceConflicts().serverSideApply();
  }

  public void delete(GhostHunt hunt) {
    deletions(hunt).forEach(Runnable::run);
  }

  /**
   * What removes the hunt's agent identity: its ServiceAccount, RoleBinding and Role, one call
   * each, independent of one another (the actor runs them at once).
   */
  public List<Runnable> deletions(GhostHunt hunt) {
    String uid = Labels.HUNT_UID + "=" + hunt.getMetadata().getUid();
    String ns = hunt.getMetadata().getNamespace();
    return List.of(
        () ->
            client
                .serviceAccounts()
                .inNamespace(config.probeNamespace())
                .withLabelSelector(uid)
                .delete(),
        () -> client.rbac().roleBindings().inNamespace(ns).withLabelSelector(uid).delete(),
        () -> client.rbac().roles().inNamespace(ns).withLabelSelector(uid).delete());
  }
}
