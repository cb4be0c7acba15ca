package io.ghosthunt.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.lab.cluster.Images;
import io.ghosthunt.lab.cluster.LabNode;
import io.ghosthunt.operator.GhostHuntOperator;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.testing.ControlPlaneExtension;
import io.ghosthunt.operator.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The rendered chart installed into the real API server (RBAC on), and the operator run under the
 * chart's own service account: its permissions suffice for a whole hunt (probes, agent RBAC, the
 * CA-bundle binding, leader election), and it is denied Secrets and other namespaces' objects.
 */
@ExtendWith(ControlPlaneExtension.class)
class ChartIT {

  static final String RELEASE_NS = "chart-ops";
  static final String PROBES = "chart-probes";
  static final String WATCHED = "chart-team-a";
  static final String OTHER = "chart-team-b";

  @Test
  void theOperatorUnderTheChartsServiceAccountCompletesAHuntAndIsDeniedTheRest(ControlPlane cp)
      throws Exception {
    KubernetesClient admin = cp.admin();
    Fixtures.installCrd(cp);
    for (String ns : List.of(RELEASE_NS, WATCHED, OTHER)) {
      cp.namespace(ns);
    }
    List<JsonNode> docs =
        Chart.render(RELEASE_NS, Map.of("watchNamespaces[0]", WATCHED, "probes.namespace", PROBES));
    int applied = 0;
    for (JsonNode doc : docs) {
      String kind = doc.path("kind").asText();
      // No kubelet runs the operator's own pod: the test runs the operator in-process instead.
      if (Set.of("Deployment", "Service", "ServiceMonitor").contains(kind) || Chart.isHook(doc)) {
        continue;
      }
      HasMetadata object =
          admin.getKubernetesSerialization().unmarshal(Chart.YAML.writeValueAsString(doc));
      // forced: the shared control plane may hold the report policy from another test's CRD
      // install.
      admin.resource(object).forceConflicts().serverSideApply();
      applied++;
    }
    assertTrue(applied >= 10, "applied " + applied + " objects");
    admin
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("web-ca")
                .withNamespace(WATCHED)
                .endMetadata()
                .addToData("ca.crt", "not a certificate")
                .build())
        .serverSideApply();

    try (Lab lab = new Lab();
        KubernetesClient operatorClient =
            ControlPlane.tokenClient(admin, RELEASE_NS, "ghosthunt-operator")) {
      LabHost host = lab.host("chart-node");
      host.listen("0.0.0.0", 8080);
      cp.awaitRootCa(PROBES);
      try (LabNode node =
          LabNode.start(cp, host, "chart-node", LabNode.Setup.READY, Images.forNodes())) {
        node.awaitReady(admin, true, java.time.Duration.ofMinutes(2));
        OperatorMetrics metrics = new OperatorMetrics();
        GhostHuntOperator operator =
            new GhostHuntOperator(
                operatorClient,
                new OperatorConfig(
                    PROBES,
                    Images.probeAgent(),
                    false,
                    Set.of(WATCHED),
                    OperatorConfig.ProbeResources.DEFAULT,
                    List.of("probe-registry")),
                metrics,
                RELEASE_NS);
        operator.start();
        try {
          GhostHunt hunt =
              admin
                  .getKubernetesSerialization()
                  .unmarshal(
                      """
              apiVersion: ghosthunt.io/v1alpha1
              kind: GhostHunt
              metadata: {name: chart-hunt, namespace: %s}
              spec:
                nodes: {names: [chart-node]}
                checks:
                  portOwner: {ports: [8080], expectedProcess: python3}
                  http2: {urls: ["https://192.0.2.80/"], caBundleConfigMap: {name: web-ca}}
                timeoutSeconds: 90
              """
                          .formatted(WATCHED),
                      GhostHunt.class);
          admin.resource(hunt).serverSideApply();
          GhostHunt done =
              admin
                  .resources(GhostHunt.class)
                  .inNamespace(WATCHED)
                  .withName("chart-hunt")
                  .waitUntilCondition(
                      h ->
                          h != null
                              && h.getStatus() != null
                              && h.getStatus().getPhase() == HuntPhase.Complete,
                      120,
                      TimeUnit.SECONDS);
          // No ghost; the http2 check could not use the bundle (not a certificate), so not all
          // Clear.
          assertEquals(
              HuntVerdict.Inconclusive,
              done.getStatus().getVerdict(),
              done.getStatus().getSummary());
          List<Finding> findings =
              io.ghosthunt.agent.cli.HuntCommand.withReports(admin, done)
                  .getNodes()
                  .get(0)
                  .getFindings();
          assertEquals(
              FindingVerdict.Clear,
              findings.stream()
                  .filter(f -> f.getCheck() == CheckKey.PORT_OWNER)
                  .findFirst()
                  .orElseThrow()
                  .getVerdict());
          Finding http2 =
              findings.stream()
                  .filter(f -> f.getCheck() == CheckKey.HTTP2)
                  .findFirst()
                  .orElseThrow();
          // The probe read the CA bundle through the binding the operator made (a PEM error, not a
          // 403).
          assertEquals(FindingVerdict.Error, http2.getVerdict(), http2.getSummary());
          assertEquals(
              "cannot use the CA bundle web-ca/ca.crt: No certificate data found",
              http2.getSummary());
          assertTrue(
              metrics.render().contains("ghosthunt_hunts_total{verdict=\"Inconclusive\"} 1.0"),
              metrics.render());
          // Leader election ran under the chart's Role.
          assertNotEquals(
              null,
              admin.leases().inNamespace(RELEASE_NS).withName(GhostHuntOperator.LEASE_NAME).get());
        } finally {
          operator.close();
        }
      }

      denied(() -> operatorClient.secrets().inNamespace(WATCHED).list());
      denied(() -> operatorClient.secrets().inNamespace(WATCHED).withName("web-ca").get());
      denied(() -> operatorClient.secrets().inNamespace(RELEASE_NS).list());
      // Pods of a watched namespace are read (pod hunts select them), never made there.
      operatorClient.pods().inNamespace(WATCHED).list();
      denied(
          () ->
              operatorClient
                  .pods()
                  .inNamespace(WATCHED)
                  .resource(
                      new io.fabric8.kubernetes.api.model.PodBuilder()
                          .withNewMetadata()
                          .withName("not-a-probe")
                          .endMetadata()
                          .withNewSpec()
                          .addNewContainer()
                          .withName("c")
                          .withImage("x")
                          .endContainer()
                          .endSpec()
                          .build())
                  .create());
      denied(() -> operatorClient.pods().inNamespace(OTHER).list());
      denied(() -> operatorClient.resources(GhostHunt.class).inNamespace(OTHER).list());
      denied(() -> operatorClient.rbac().roles().inNamespace(OTHER).list());
    }
  }

  private static void denied(Executable call) {
    KubernetesClientException e = assertThrows(KubernetesClientException.class, call);
    assertEquals(403, e.getCode(), e.getMessage());
  }
}
