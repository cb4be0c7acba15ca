package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.operator.GhostHuntOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the operator's tests do to a lab control plane with the operator's own code and model: the
 * lab itself knows GhostHunt only by its chart, its images and its jars.
 */
public final class Fixtures {

  private Fixtures() {}

  /**
   * Installs the committed CRDs (the ones users apply) and the chart's report policy, as {@code
   * ghosthunt operator --install-crd} does, and waits until the CRDs are served.
   */
  public static void installCrd(ControlPlane cp) {
    KubernetesClient admin = cp.admin();
    try {
      GhostHuntOperator.installAdmissionPolicies(admin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (var crd : GhostHuntOperator.CRDS.entrySet()) {
      try {
        CustomResourceDefinition def =
            admin
                .getKubernetesSerialization()
                .unmarshal(
                    Files.readString(ControlPlane.repo().resolve("crds").resolve(crd.getKey())),
                    CustomResourceDefinition.class);
        admin.resource(def).serverSideApply();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      GhostHuntOperator.awaitEstablished(admin, crd.getValue(), 30);
    }
  }

  /**
   * Server-side applies the GhostHunt {@code namespace/name} with {@code spec} (YAML or JSON flow).
   */
  public static GhostHunt applyHunt(
      KubernetesClient client, String namespace, String name, String spec) {
    GhostHunt hunt =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: ghosthunt.io/v1alpha1
                kind: GhostHunt
                metadata: {name: %s, namespace: %s}
                spec: %s
                """
                    .formatted(name, namespace, spec),
                GhostHunt.class);
    return client.resource(hunt).serverSideApply();
  }

  /**
   * Waits until kube-controller-manager's aggregation controller has folded the chart's
   * ghosthunt-edit into Kubernetes' own edit role.
   */
  public static void awaitEditAggregatesHunts(KubernetesClient admin) {
    admin
        .rbac()
        .clusterRoles()
        .withName("edit")
        .waitUntilCondition(
            r ->
                r != null
                    && r.getRules().stream()
                        .anyMatch(
                            x ->
                                x.getResources().contains("ghosthunts")
                                    && x.getVerbs().contains("create")),
            60,
            TimeUnit.SECONDS);
  }

  /**
   * The operator in this JVM, as its main starts it: probes in {@code probes} with this build's
   * image (privileged), hunts of {@code namespace} only, no leader election.
   */
  public static io.ghosthunt.operator.GhostHuntOperator startOperator(
      KubernetesClient client,
      String probes,
      String namespace,
      io.ghosthunt.operator.metrics.OperatorMetrics metrics) {
    return startOperator(client, probes, namespace, metrics, false);
  }

  /** The same, writing each hunt's OpenReports Report when {@code openReports}. */
  public static io.ghosthunt.operator.GhostHuntOperator startOperator(
      KubernetesClient client,
      String probes,
      String namespace,
      io.ghosthunt.operator.metrics.OperatorMetrics metrics,
      boolean openReports) {
    var op =
        new io.ghosthunt.operator.GhostHuntOperator(
            client,
            new io.ghosthunt.operator.OperatorConfig(
                probes,
                io.ghosthunt.lab.cluster.Images.probeAgent(),
                false,
                java.util.Set.of(namespace),
                io.ghosthunt.operator.OperatorConfig.ProbeResources.DEFAULT,
                java.util.List.of(),
                openReports),
            metrics,
            null);
    op.start();
    return op;
  }

  /** The real kubectl against the control plane, as its admin; fails the test on a failure. */
  public static String kubectl(io.ghosthunt.lab.cluster.ControlPlane cp, String... args) {
    java.nio.file.Path dir = null;
    try {
      dir = java.nio.file.Files.createTempDirectory("kc");
      java.util.List<String> cmd =
          new java.util.ArrayList<>(
              java.util.List.of(
                  cp.kubectl().toString(), "--kubeconfig", cp.kubeconfigFile(dir).toString()));
      cmd.addAll(java.util.List.of(args));
      io.ghosthunt.lab.Lab.Exec run =
          io.ghosthunt.lab.Lab.exec(cmd, java.time.Duration.ofMinutes(2));
      org.junit.jupiter.api.Assertions.assertEquals(0, run.exitCode(), run.output());
      return run.output();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (dir != null) {
        io.ghosthunt.lab.Lab.exec(
            java.util.List.of("rm", "-rf", dir.toString()), java.time.Duration.ofSeconds(10));
      }
    }
  }

  /** Waits until the hunt is in {@code phase}, at most {@code seconds}. */
  public static GhostHunt awaitPhase(
      KubernetesClient client,
      String namespace,
      String name,
      io.ghosthunt.api.status.HuntPhase phase,
      int seconds) {
    return client
        .resources(GhostHunt.class)
        .inNamespace(namespace)
        .withName(name)
        .waitUntilCondition(
            h -> h != null && h.getStatus() != null && h.getStatus().getPhase() == phase,
            seconds,
            TimeUnit.SECONDS);
  }

  /** Sets the hunt's run-now annotation as {@code kubectl annotate --overwrite} does. */
  public static GhostHunt runNow(
      KubernetesClient client, String namespace, String name, String value) {
    return client
        .resources(GhostHunt.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            h -> {
              Map<String, String> a =
                  new HashMap<>(
                      h.getMetadata().getAnnotations() == null
                          ? Map.of()
                          : h.getMetadata().getAnnotations());
              a.put(GhostHunt.RUN_NOW, value);
              h.getMetadata().setAnnotations(a);
              return h;
            });
  }
}
