package io.ghosthunt.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.ghosthunt.operator.testing.ControlPlane;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * helm lint and helm template of the chart, for the default values and representative overrides.
 */
class ChartTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = Chart.helm().lint().strict().call();
    assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
  }

  @Test
  void carriesExactlyTheCrdsOfTheModel() throws Exception {
    for (String file :
        List.of(io.ghosthunt.api.GhostHunt.CRD_FILE, io.ghosthunt.api.GhostHuntReport.CRD_FILE)) {
      String committed = Files.readString(ControlPlane.repo().resolve("crds").resolve(file));
      String inChart = Files.readString(Chart.dir().resolve("crds").resolve(file));
      assertEquals(
          committed,
          inChart,
          "charts/ghosthunt-operator/crds differs from crds/: copy crds/" + file);
    }
  }

  @Test
  void defaultsRunOneHardenedOperatorWithProbesAndLeasesAndNoSecrets() {
    List<JsonNode> docs = Chart.render("ghosthunt", Map.of());

    JsonNode deployment = Chart.one(docs, "Deployment", "ghosthunt-operator");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").path(0);
    assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
    assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
    assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals(
        "ALL",
        container.path("securityContext").path("capabilities").path("drop").path(0).asText());
    assertEquals("/healthz", container.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("256Mi", container.path("resources").path("requests").path("memory").asText());
    assertEquals("ghcr.io/ghosthunt/operator:0.1.0", container.path("image").asText());
    Map<String, JsonNode> env = env(container);
    assertEquals("ghosthunt-system", env.get("GHOSTHUNT_PROBE_NAMESPACE").path("value").asText());
    assertEquals(
        "ghcr.io/ghosthunt/probe-agent:0.1.0",
        env.get("GHOSTHUNT_PROBE_IMAGE").path("value").asText());
    assertEquals("privileged", env.get("GHOSTHUNT_PROBE_MODE").path("value").asText());
    assertEquals("", env.get("GHOSTHUNT_WATCH_NAMESPACES").path("value").asText());
    assertEquals(
        "metadata.namespace",
        env.get("GHOSTHUNT_LEADER_ELECTION_NAMESPACE")
            .path("valueFrom")
            .path("fieldRef")
            .path("fieldPath")
            .asText());

    JsonNode probeNs = Chart.one(docs, "Namespace", "ghosthunt-system");
    assertEquals(
        "privileged",
        probeNs
            .path("metadata")
            .path("labels")
            .path("pod-security.kubernetes.io/enforce")
            .asText());

    // The operator: nodes and the hunts' objects cluster-wide, pods made only in the probe
    // namespace
    // (elsewhere only read, for pod hunts), no Secrets.
    JsonNode operator = Chart.one(docs, "ClusterRole", "ghosthunt-operator");
    assertFalse(resources(operator).contains("secrets"), operator.toString());
    List<String> podVerbs = new java.util.ArrayList<>();
    operator
        .path("rules")
        .forEach(
            r ->
                r.path("resources")
                    .forEach(
                        res -> {
                          if (res.asText().equals("pods")) {
                            r.path("verbs").forEach(v -> podVerbs.add(v.asText()));
                          }
                        }));
    assertEquals(List.of("get", "list"), podVerbs, operator.toString());
    assertTrue(resources(operator).contains("ghosthunts"), operator.toString());
    JsonNode probes = Chart.one(docs, "Role", "ghosthunt-operator-probes");
    assertEquals("ghosthunt-system", probes.path("metadata").path("namespace").asText());
    assertTrue(resources(probes).contains("pods"));
    assertEquals(
        List.of("leases"), resources(Chart.one(docs, "Role", "ghosthunt-operator-leader")));
    assertEquals(
        List.of("secrets"),
        resources(Chart.one(docs, "ClusterRole", "ghosthunt-agent-secret-reader")));
    assertTrue(Chart.kind(docs, "ServiceMonitor").isEmpty());
    assertTrue(Chart.kind(docs, "PrometheusRule").isEmpty());
    assertEquals(1, Chart.kind(docs, "Service").size());
  }

  @Test
  void watchingNamespacesTurnsHuntRightsIntoRolesThere() {
    List<JsonNode> docs =
        Chart.render("ops", Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));

    JsonNode operator = Chart.one(docs, "ClusterRole", "ghosthunt-operator");
    assertFalse(resources(operator).contains("ghosthunts"), operator.toString());
    List<String> roleNamespaces =
        Chart.kind(docs, "Role").stream()
            .filter(r -> r.path("metadata").path("name").asText().equals("ghosthunt-operator"))
            .map(r -> r.path("metadata").path("namespace").asText())
            .sorted()
            .toList();
    assertEquals(List.of("team-a", "team-b"), roleNamespaces);
    JsonNode container =
        Chart.one(docs, "Deployment", "ghosthunt-operator")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .path(0);
    assertEquals(
        "team-a,team-b", env(container).get("GHOSTHUNT_WATCH_NAMESPACES").path("value").asText());
  }

  @Test
  void overridesReachTheOperatorAndTheProbes() {
    List<JsonNode> docs =
        Chart.render(
            "ghosthunt",
            Map.of(
                "replicaCount",
                2,
                "leaderElection.enabled",
                false,
                "probes.mode",
                "hardened",
                "probes.createNamespace",
                false,
                "probes.resources.limits.memory",
                "512Mi",
                "metrics.serviceMonitor.enabled",
                true,
                "imagePullSecrets[0].name",
                "registry",
                "probes.imagePullSecrets[0]",
                "probe-registry",
                "metrics.prometheusRule.enabled",
                true));

    JsonNode deployment = Chart.one(docs, "Deployment", "ghosthunt-operator");
    assertEquals(2, deployment.path("spec").path("replicas").asInt());
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    Map<String, JsonNode> env = env(pod.path("containers").path(0));
    assertEquals("hardened", env.get("GHOSTHUNT_PROBE_MODE").path("value").asText());
    assertEquals("512Mi", env.get("GHOSTHUNT_PROBE_MEMORY_LIMIT").path("value").asText());
    // Two replicas elect a leader even when election was switched off.
    assertTrue(env.containsKey("GHOSTHUNT_LEADER_ELECTION_NAMESPACE"));
    assertEquals("registry", pod.path("imagePullSecrets").path(0).path("name").asText());
    assertEquals("probe-registry", env.get("GHOSTHUNT_PROBE_PULL_SECRETS").path("value").asText());
    assertTrue(Chart.kind(docs, "Namespace").isEmpty());
    assertEquals(1, Chart.kind(docs, "ServiceMonitor").size());
    JsonNode rule =
        Chart.one(docs, "PrometheusRule", "ghosthunt-operator")
            .path("spec")
            .path("groups")
            .path(0)
            .path("rules")
            .path(0);
    assertEquals("GhostAppeared", rule.path("alert").asText());
    assertEquals(
        "increase(ghosthunt_ghost_appearances_total[15m]) > 0", rule.path("expr").asText());
    assertTrue(
        rule.path("annotations").path("summary").asText().contains("{{ $labels.ghost }}"),
        rule.toString());
  }

  @Test
  void theValuesSchemaRejectsNonsense() {
    Exception e =
        assertThrows(
            Exception.class, () -> Chart.render("ghosthunt", Map.of("probes.mode", "sideways")));
    assertTrue(e.getMessage().contains("probes.mode"), e.getMessage());
  }

  private static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = new java.util.LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
    return env;
  }

  private static List<String> resources(JsonNode role) {
    List<String> r = new ArrayList<>();
    role.path("rules").forEach(rule -> rule.path("resources").forEach(x -> r.add(x.asText())));
    return r;
  }
}
