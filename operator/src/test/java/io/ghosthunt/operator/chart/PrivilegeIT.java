package io.ghosthunt.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.probes.AgentRbac;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.probes.ProbePodFactory;
import io.ghosthunt.operator.testing.ControlPlaneExtension;
import io.ghosthunt.operator.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The privilege model as a security review tries it, against the real API server with the chart
 * applied (RBAC and its admission policies): the operator's own token cannot reach a Secret however
 * it binds, nor create anything but probes and agent identities; a namespace editor hunts pods but
 * not nodes until an admin grants it. Each refusal has its clean twin that passes.
 */
@ExtendWith(ControlPlaneExtension.class)
class PrivilegeIT {

  static final String RELEASE_NS = "priv-ops";
  static final String PROBES = "priv-probes";
  static final String TEAM = "priv-team";
  static final String PROBE_IMAGE = "ghcr.io/ghosthunt/probe-agent:0.1.0";

  static KubernetesClient admin;
  static KubernetesClient operator;

  @BeforeAll
  static void installTheChart(ControlPlane cp) throws Exception {
    admin = cp.admin();
    Fixtures.installCrd(cp);
    for (String ns : List.of(RELEASE_NS, TEAM)) {
      cp.namespace(ns);
    }
    io.ghosthunt.lab.cluster.OpenReportsCrd.install(admin);
    for (JsonNode doc :
        Chart.render(RELEASE_NS, Map.of("probes.namespace", PROBES, "openReports.enabled", true))) {
      // No kubelet runs the operator's own pod; this test acts with its token instead.
      if (Set.of("Deployment", "Service", "ServiceMonitor").contains(doc.path("kind").asText())
          || Chart.isHook(doc)) {
        continue;
      }
      HasMetadata object =
          admin.getKubernetesSerialization().unmarshal(Chart.YAML.writeValueAsString(doc));
      admin.resource(object).forceConflicts().serverSideApply();
    }
    operator = ControlPlane.tokenClient(admin, RELEASE_NS, "ghosthunt-operator");
    awaitPolicies();
  }

  @Test
  void theOperatorsTokenReachesNoSecretWhateverItBindsAndMakesOnlyProbesAndAgents()
      throws Exception {
    admin
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db-password")
                .withNamespace("kube-system")
                .endMetadata()
                .addToStringData("password", "hunter2")
                .build())
        .serverSideApply();
    String me = "ghosthunt-operator";
    List<String> bound = new ArrayList<>();
    for (ClusterRole role : admin.rbac().clusterRoles().list().getItems()) {
      String name = role.getMetadata().getName();
      // Named as the operator's own objects, so that only RBAC's escalation check and the
      // binding rules can stop it.
      var binding =
          new RoleBindingBuilder()
              .withNewMetadata()
              .withName("ghosthunt-agent-" + Math.abs(name.hashCode()))
              .withNamespace("kube-system")
              .addToLabels("app.kubernetes.io/managed-by", "ghosthunt-operator")
              .endMetadata()
              .withNewRoleRef()
              .withApiGroup("rbac.authorization.k8s.io")
              .withKind("ClusterRole")
              .withName(name)
              .endRoleRef()
              .addNewSubject()
              .withKind("ServiceAccount")
              .withName(me)
              .withNamespace(RELEASE_NS)
              .endSubject()
              .build();
      try {
        operator.resource(binding).create();
        bound.add(name);
      } catch (KubernetesClientException e) {
        assertEquals(403, e.getCode(), name + ": " + e.getMessage());
      }
    }
    assertEquals(List.of(), bound, "ClusterRoles the operator could bind to itself");
    // Nor a Role of its own that grants Secrets (RBAC's escalation check: it holds none).
    forbidden(
        () ->
            operator
                .resource(
                    new RoleBuilder()
                        .withNewMetadata()
                        .withName("ghosthunt-agent-secrets")
                        .withNamespace("kube-system")
                        .addToLabels("app.kubernetes.io/managed-by", "ghosthunt-operator")
                        .endMetadata()
                        .addNewRule()
                        .withApiGroups("")
                        .withResources("secrets")
                        .withVerbs("get")
                        .endRule()
                        .build())
                .create(),
        "");
    forbidden(
        () -> operator.secrets().inNamespace("kube-system").withName("db-password").get(), "");
    forbidden(() -> operator.secrets().inNamespace(PROBES).list(), "");
    // Services: one by name (a pod hunt's dns names, the cluster DNS), never the list of them.
    admin
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("catalog")
                .withNamespace(TEAM)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .serverSideApply();
    assertEquals(
        "catalog",
        operator.services().inNamespace(TEAM).withName("catalog").get().getMetadata().getName());
    forbidden(() -> operator.services().inNamespace(TEAM).list(), "");
    forbidden(() -> operator.services().inAnyNamespace().list(), "");
    forbidden(() -> operator.services().inNamespace(TEAM).withName("catalog").delete(), "");
    // OpenReports: its own Report applied server-side, never read, listed or deleted (the garbage
    // collector removes it with its hunt); another tool's neither written nor taken over.
    var report = report("ghosthunt-priv", "ghosthunt-operator");
    operator.resource(report).fieldManager("ghosthunt-operator").forceConflicts().serverSideApply();
    var reports = operator.genericKubernetesResources("openreports.io/v1alpha1", "Report");
    forbidden(() -> reports.inNamespace(TEAM).list(), "");
    forbidden(() -> reports.inNamespace(TEAM).withName("ghosthunt-priv").get(), "");
    forbidden(() -> reports.inNamespace(TEAM).withName("ghosthunt-priv").delete(), "");
    var kyverno = report("ghosthunt-lookalike", "kyverno");
    forbidden(
        () ->
            operator
                .resource(kyverno)
                .fieldManager("ghosthunt-operator")
                .forceConflicts()
                .serverSideApply(),
        "may only touch the probes, agent identities and Reports it makes");
    admin.resource(kyverno).serverSideApply();
    forbidden(
        () ->
            operator
                .resource(report("ghosthunt-lookalike", "ghosthunt-operator"))
                .fieldManager("ghosthunt-operator")
                .forceConflicts()
                .serverSideApply(),
        "may not take over an object it did not make");
    admin.resource(kyverno).delete();
    admin.resource(report).delete();

    // Its clean twin: the agent identity and the probe pod of a real hunt pass, under its token.
    GhostHunt hunt =
        Fixtures.applyHunt(
            admin,
            TEAM,
            "priv-hunt",
            "{nodes: {names: [priv-node]}, checks: {portOwner: {ports: [8080]}, http2: {urls:"
                + " [\"https://192.0.2.80/\"], caBundleConfigMap: {name: web-ca}}}}");
    OperatorConfig config =
        new OperatorConfig(
            PROBES, PROBE_IMAGE, false, Set.of(), OperatorConfig.ProbeResources.DEFAULT, List.of());
    // Holding no bind verb, the operator may bind the agent's Role only once the API server can
    // read that Role's rules: its RoleBinding first is refused, which is why it goes last.
    AgentRbac rbac = new AgentRbac(operator, config);
    HasMetadata binding = AgentRbac.rounds(rbac.objects(hunt)).get(1).get(0);
    assertEquals("RoleBinding", binding.getKind());
    KubernetesClientException early =
        assertThrows(
            KubernetesClientException.class,
            () ->
                operator
                    .resource(binding)
                    .fieldManager(Labels.OPERATOR)
                    .forceConflicts()
                    .serverSideApply());
    assertEquals(404, early.getCode(), early.getMessage());
    // The Role and its binding share the agent's name: the one not found is the Role to bind.
    assertTrue(
        early.getMessage().contains("\"" + Labels.agentName(hunt) + "\" not found"),
        early.getMessage());
    rbac.apply(hunt);
    Pod probe = new ProbePodFactory(config).build(hunt, "priv-node", 60, List.of(), 0);
    operator.resource(probe).create();
    operator.resource(probe).withGracePeriod(0).delete();

    // Anything else in the probe namespace is refused at admission: another image, the probe image
    // running a shell, a lifecycle hook, an extra volume.
    forbidden(
        () -> operator.resource(withImage(probe, "busybox")).create(),
        "may only create probe pods");
    Pod shell = copy(probe);
    shell.getSpec().getContainers().get(0).setCommand(List.of("sh", "-c", "cat /host/etc/shadow"));
    forbidden(() -> operator.resource(shell).create(), "may only create probe pods");
    Pod env = copy(probe);
    env.getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .add(
            new io.fabric8.kubernetes.api.model.EnvVar(
                "JAVA_TOOL_OPTIONS", "-XX:OnOutOfMemoryError=sh", null));
    forbidden(() -> operator.resource(env).create(), "may only create probe pods");
    Pod root = copy(probe);
    root.getSpec()
        .getVolumes()
        .add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("root")
                .withNewHostPath()
                .withPath("/")
                .endHostPath()
                .build());
    forbidden(() -> operator.resource(root).create(), "may only create probe pods");
    forbidden(
        () ->
            operator
                .resource(
                    new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("not-an-agent")
                        .withNamespace(PROBES)
                        .addToLabels("app.kubernetes.io/managed-by", "ghosthunt-operator")
                        .endMetadata()
                        .build())
                .create(),
        "may only touch the probes, agent identities and Reports it makes");

    // Someone else's RoleBinding in a hunt namespace: it may neither delete nor take it over.
    admin
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("team-viewers")
                .withNamespace(TEAM)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("view")
                .endRoleRef()
                .addNewSubject()
                .withKind("Group")
                .withName("team")
                .endSubject()
                .build())
        .serverSideApply();
    forbidden(
        () -> operator.rbac().roleBindings().inNamespace(TEAM).withName("team-viewers").delete(),
        "may only touch the probes, agent identities and Reports it makes");
    // Its own agent binding it may remove (the clean twin of the delete).
    new AgentRbac(operator, config).delete(hunt);
    admin.resource(hunt).delete();
  }

  @Test
  void aNamespaceEditorHuntsItsPodsButNotNodesUntilGrantedTheRightToHuntNodes() throws Exception {
    admin
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("ci")
                .withNamespace(TEAM)
                .endMetadata()
                .build())
        .serverSideApply();
    bindCi("ci-edit", "edit");
    // The chart's ghosthunt-edit reaches edit through the aggregation controller.
    Fixtures.awaitEditAggregatesHunts(admin);
    try (KubernetesClient ci = ControlPlane.tokenClient(admin, TEAM, "ci")) {
      String nodeHunt = "{nodes: {names: [priv-node]}, checks: {portOwner: {ports: [9443]}}}";
      KubernetesClientException refused =
          assertThrows(
              KubernetesClientException.class,
              () -> Fixtures.applyHunt(ci, TEAM, "ci-nodes", nodeHunt));
      assertEquals(403, refused.getCode(), refused.getMessage());
      assertTrue(
          refused
              .getMessage()
              .contains(
                  "system:serviceaccount:priv-team:ci may not hunt nodes: a node hunt needs verb"
                      + " hunt on nodes.ghosthunt.io in namespace priv-team (ClusterRole"
                      + " ghosthunt-node-hunter"),
          refused.getMessage());
      // Hunting every node (no nodes named) is a node hunt too.
      forbidden(
          () -> Fixtures.applyHunt(ci, TEAM, "ci-all", "{checks: {loopback: {ports: [80]}}}"),
          "may not hunt nodes");
      // Its pods it may hunt.
      GhostHunt pods =
          Fixtures.applyHunt(
              ci,
              TEAM,
              "ci-pods",
              "{pods: {selector: {matchLabels: {app: web}}}, checks: {loopback: {ports: [80]}}}");
      assertEquals("ci-pods", pods.getMetadata().getName());
      // A pod hunt may not turn into a node hunt either.
      forbidden(
          () ->
              Fixtures.applyHunt(
                  ci,
                  TEAM,
                  "ci-pods",
                  "{nodes: {names: [priv-node]}, checks: {loopback: {ports: [80]}}}"),
          "may not hunt nodes");

      // A node hunt an admin scheduled (and suspended): asking it to run now is hunting nodes.
      Fixtures.applyHunt(
          admin,
          TEAM,
          "admin-weekly",
          "{schedule: '@weekly', suspend: true, nodes: {names: [priv-node]},"
              + " checks: {portOwner: {ports: [9443]}}}");
      forbidden(() -> Fixtures.runNow(ci, TEAM, "admin-weekly", "now"), "may not hunt nodes");
      // Its clean twin: a label is no run, and ci may edit the hunt's labels.
      ci.resources(GhostHunt.class)
          .inNamespace(TEAM)
          .withName("admin-weekly")
          .edit(
              h -> {
                h.getMetadata().setLabels(Map.of("team", "web"));
                return h;
              });

      // An admin grants node hunts to this namespace's ci only; the same hunt is admitted.
      bindCi("ci-node-hunter", "ghosthunt-node-hunter");
      GhostHunt granted = awaitAdmitted(ci, "ci-nodes", nodeHunt);
      assertEquals("ci-nodes", granted.getMetadata().getName());
      GhostHunt asked = Fixtures.runNow(ci, TEAM, "admin-weekly", "now");
      assertEquals("now", asked.getMetadata().getAnnotations().get(GhostHunt.RUN_NOW));
      for (String name : List.of("ci-nodes", "ci-pods", "admin-weekly")) {
        admin.resources(GhostHunt.class).inNamespace(TEAM).withName(name).delete();
      }
    }
  }

  /** Binds the ClusterRole to the service account ci of the team's namespace, there. */
  private static void bindCi(String name, String clusterRole) {
    admin
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(TEAM)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(clusterRole)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("ci")
                .withNamespace(TEAM)
                .endSubject()
                .build())
        .serverSideApply();
  }

  /** RBAC bindings take effect within moments, not at once: retried until admitted or 20 s. */
  private static GhostHunt awaitAdmitted(KubernetesClient client, String name, String spec)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return Fixtures.applyHunt(client, TEAM, name, spec);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 403 || System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * The API server loads a new policy a moment after it is created, through an informer. Until then
   * nothing is enforced, so the test waits for a dry run (which goes through admission and stores
   * nothing) of a request each policy must refuse to be refused.
   */
  private static void awaitPolicies() throws InterruptedException {
    var stranger =
        new ServiceAccountBuilder()
            .withNewMetadata()
            .withName("not-an-agent")
            .withNamespace(PROBES)
            .endMetadata()
            .build();
    var nodeHunt =
        admin
            .getKubernetesSerialization()
            .unmarshal(
                "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: probe,"
                    + " namespace: "
                    + TEAM
                    + "}\nspec: {checks: {loopback: {ports: [80]}}}\n",
                GhostHunt.class);
    KubernetesClient nobody =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(admin.getConfiguration())
                    .withImpersonateUsername("nobody")
                    .withImpersonateGroups("system:authenticated")
                    .build())
            .build();
    admin
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("nobody-edits")
                .withNamespace(TEAM)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("ghosthunt-edit")
                .endRoleRef()
                .addNewSubject()
                .withKind("User")
                .withName("nobody")
                .endSubject()
                .build())
        .serverSideApply();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    boolean operatorConfined = false;
    boolean nodeHuntsConfined = false;
    while (!(operatorConfined && nodeHuntsConfined) && System.nanoTime() < until) {
      operatorConfined =
          operatorConfined || refused(() -> operator.resource(stranger).dryRun().create());
      nodeHuntsConfined =
          nodeHuntsConfined || refused(() -> nobody.resource(nodeHunt).dryRun().create());
      Thread.sleep(100);
    }
    nobody.close();
    assertTrue(operatorConfined && nodeHuntsConfined, "the chart's policies are not enforced");
  }

  private static boolean refused(Runnable call) {
    try {
      call.run();
      return false;
    } catch (KubernetesClientException e) {
      return e.getCode() == 403 && e.getMessage().contains("ValidatingAdmissionPolicy");
    }
  }

  /** An OpenReports Report in the team's namespace, labelled as made by {@code manager}. */
  private static io.fabric8.kubernetes.api.model.GenericKubernetesResource report(
      String name, String manager) {
    return new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("openreports.io/v1alpha1")
        .withKind("Report")
        .withNewMetadata()
        .withName(name)
        .withNamespace(TEAM)
        .addToLabels("app.kubernetes.io/managed-by", manager)
        .endMetadata()
        .build();
  }

  private static Pod copy(Pod pod) {
    return new PodBuilder(pod).build();
  }

  private static Pod withImage(Pod pod, String image) {
    Pod p = copy(pod);
    p.getSpec().getContainers().get(0).setImage(image);
    return p;
  }

  private static void forbidden(Executable call, String saying) {
    KubernetesClientException e = assertThrows(KubernetesClientException.class, call);
    assertEquals(403, e.getCode(), e.getMessage());
    assertTrue(e.getMessage().contains(saying), e.getMessage());
  }
}
