package io.ghosthunt.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ghosthunt.lab.cluster.ControlPlane;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * helm lint and helm template of the chart, for the default values and representative overrides.
 */
class ChartTest {

  @Test
  void lintsCleanInStrictMode() {
    String lint = Chart.lint();
    assertTrue(lint.contains("0 chart(s) failed"), lint);
  }

  @Test
  void refusesAKubernetesOlderThan132() {
    Exception e =
        assertThrows(
            IllegalStateException.class,
            () ->
                io.ghosthunt.lab.cluster.Helm.run(
                    "template", "ghosthunt", Chart.dir().toString(), "--kube-version", "1.31.9"));
    assertTrue(e.getMessage().contains("chart requires kubeVersion: >= 1.32.0-0"), e.getMessage());
    // A managed cluster's vendor-suffixed version is admitted.
    io.ghosthunt.lab.cluster.Helm.run(
        "template", "ghosthunt", Chart.dir().toString(), "--kube-version", "v1.32.1-eks-113cf36");
  }

  @Test
  void theGrafanaDashboardIsAConfigMapForTheSidecarOnlyWhenAskedFor() throws Exception {
    assertTrue(
        Chart.kind(Chart.render("ghosthunt", Map.of()), "ConfigMap").stream()
            .noneMatch(c -> c.path("metadata").path("name").asText().endsWith("-dashboard")),
        "off by default");
    List<JsonNode> docs =
        Chart.render(
            "ghosthunt",
            Map.of(
                "metrics.grafanaDashboard.enabled",
                true,
                "metrics.grafanaDashboard.namespace",
                "monitoring"));
    JsonNode map = Chart.one(docs, "ConfigMap", "ghosthunt-operator-dashboard");
    assertEquals("monitoring", map.path("metadata").path("namespace").asText());
    assertEquals("1", map.path("metadata").path("labels").path("grafana_dashboard").asText());
    JsonNode dashboard =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(map.path("data").path("ghosthunt.json").asText());
    assertEquals(io.ghosthunt.operator.testing.Dashboard.json(), dashboard);
    assertEquals("ghosthunt", dashboard.path("uid").asText());
    // What ScheduledHuntIT then finds on /metrics: the series names, no label or function.
    assertEquals(
        List.of(
            "ghosthunt_check_duration_seconds_bucket",
            "ghosthunt_ghost_appearances_total",
            "ghosthunt_ghosts",
            "ghosthunt_ghosts_found_total",
            "ghosthunt_hunt_duration_seconds_bucket",
            "ghosthunt_hunt_duration_seconds_count",
            "ghosthunt_hunt_duration_seconds_sum",
            "ghosthunt_hunts_total",
            "ghosthunt_reconcile_errors_total"),
        List.copyOf(io.ghosthunt.operator.testing.Dashboard.metrics(dashboard)));
    for (JsonNode panel : dashboard.path("panels")) {
      assertEquals(
          "${datasource}",
          panel.path("datasource").path("uid").asText(),
          panel.path("title").asText() + ": the data source the user picks");
      assertTrue(panel.path("targets").size() > 0, panel.path("title").asText());
    }
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
    // Ready within a second of the operator's start: helm install --wait returns then.
    assertEquals("/healthz", container.path("startupProbe").path("httpGet").path("path").asText());
    assertEquals(1, container.path("startupProbe").path("periodSeconds").asInt());
    assertEquals(1, container.path("readinessProbe").path("periodSeconds").asInt());
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
    // namespace (elsewhere only read and watched, for pod hunts), no Secrets.
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
    assertEquals(List.of("get", "list", "watch"), podVerbs, operator.toString());
    assertTrue(resources(operator).contains("ghosthunts"), operator.toString());
    JsonNode probes = Chart.one(docs, "Role", "ghosthunt-operator-probes");
    assertEquals("ghosthunt-system", probes.path("metadata").path("namespace").asText());
    assertTrue(resources(probes).contains("pods"));
    assertEquals(
        List.of("leases"), resources(Chart.one(docs, "Role", "ghosthunt-operator-leader")));
    // No path to Secrets: nothing the operator holds names them, and it holds no bind, escalate or
    // impersonate with which to get them, nor any wildcard.
    for (JsonNode role : operatorRoles(docs)) {
      role.path("rules")
          .forEach(
              r -> {
                r.path("resources")
                    .forEach(x -> assertFalse(Set.of("secrets", "*").contains(x.asText()), r + ""));
                r.path("verbs")
                    .forEach(
                        v ->
                            assertFalse(
                                Set.of("bind", "escalate", "impersonate", "*").contains(v.asText()),
                                r + ""));
              });
    }
    assertTrue(
        Chart.kind(docs, "ClusterRole").stream()
            .noneMatch(r -> r.path("metadata").path("name").asText().contains("secret")),
        "no Secret reader for anyone to bind");
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

  @Test
  void nodeHuntsAreARightOfTheirOwnOutsideTheAggregatedRoles() {
    List<JsonNode> docs = Chart.render("ghosthunt", Map.of());
    JsonNode edit = Chart.one(docs, "ClusterRole", "ghosthunt-edit");
    assertEquals(
        "true",
        edit.path("metadata")
            .path("labels")
            .path("rbac.authorization.k8s.io/aggregate-to-edit")
            .asText());
    assertEquals(List.of("ghosthunts"), resources(edit));
    JsonNode view = Chart.one(docs, "ClusterRole", "ghosthunt-view");
    assertEquals(
        "true",
        view.path("metadata")
            .path("labels")
            .path("rbac.authorization.k8s.io/aggregate-to-view")
            .asText());
    JsonNode hunter = Chart.one(docs, "ClusterRole", "ghosthunt-node-hunter");
    assertTrue(hunter.path("metadata").path("labels").toString().indexOf("aggregate-to") < 0);
    assertEquals(List.of("nodes"), resources(hunter));
    assertEquals("hunt", hunter.path("rules").path(0).path("verbs").path(0).asText());
    // The policies that confine probes and the operator are part of every install.
    for (String policy :
        List.of("ghosthunt-agent-reports", "ghosthunt-node-hunts", "ghosthunt-operator-limits")) {
      Chart.one(docs, "ValidatingAdmissionPolicy", policy);
      Chart.one(docs, "ValidatingAdmissionPolicyBinding", policy);
    }
  }

  @Test
  void probePodsMayMountOfTheNodeOnlyEtcAndTheResolvedFolderReadOnly() {
    for (String mode : List.of("privileged", "hardened")) {
      JsonNode policy =
          Chart.one(
              Chart.render("ghosthunt", Map.of("probes.mode", mode)),
              "ValidatingAdmissionPolicy",
              "ghosthunt-operator-limits");
      List<String> pods = new ArrayList<>();
      policy
          .path("spec")
          .path("validations")
          .forEach(
              v -> {
                if (v.path("expression").asText().contains("hostPath")) {
                  pods.add(v.path("expression").asText());
                }
              });
      assertEquals(1, pods.size(), policy.toString());
      String rule = pods.get(0);
      assertTrue(
          rule.contains("(has(v.hostPath) && v.hostPath.path in ['/etc', '/run/systemd/resolve'])"),
          rule);
      // Every hostPath mount read-only, whichever of the two it is.
      assertTrue(
          rule.contains("!object.spec.volumes.exists(v, v.name == m.name && has(v.hostPath))"),
          rule);
      assertTrue(rule.contains("|| (has(m.readOnly) && m.readOnly)"), rule);
      assertFalse(rule.contains("'/run'"), rule);
    }
  }

  @Test
  void uninstallReleasesTheHuntsThroughAHookWhoseAccountMayDoThatOnly() {
    List<JsonNode> docs = Chart.render("ghosthunt", Map.of());
    JsonNode job = Chart.one(docs, "Job", "ghosthunt-uninstall");
    assertEquals(
        "pre-delete", job.path("metadata").path("annotations").path("helm.sh/hook").asText());
    JsonNode pod = job.path("spec").path("template").path("spec");
    assertEquals("ghosthunt-uninstall", pod.path("serviceAccountName").asText());
    assertEquals("--release-hunts", pod.path("containers").path(0).path("args").path(0).asText());
    // Its pods must not look like the operator's, whose end it waits for.
    assertFalse(
        "ghosthunt-operator"
            .equals(
                job.path("spec")
                    .path("template")
                    .path("metadata")
                    .path("labels")
                    .path("app.kubernetes.io/name")
                    .asText()));
    assertEquals(
        List.of("ghosthunts"), resources(Chart.one(docs, "ClusterRole", "ghosthunt-uninstall")));
    JsonNode role = Chart.one(docs, "Role", "ghosthunt-uninstall");
    assertEquals(List.of("deployments", "pods"), resources(role));
    assertEquals(
        "ghosthunt-operator", role.path("rules").path(0).path("resourceNames").path(0).asText());
  }

  /**
   * The README's privilege table is what the chart and the agent's Role grant, row for row: every
   * right in the chart is in the table and every row of the table is in the chart.
   */
  @Test
  void theReadmePrivilegeTableIsExactlyWhatTheChartAndTheAgentRoleGrant() throws Exception {
    // By default nothing on OpenReports: the option adds its one rule.
    assertTrue(
        operatorRoles(Chart.render("ghosthunt", Map.of())).stream()
            .flatMap(
                r -> java.util.stream.StreamSupport.stream(r.path("rules").spliterator(), false))
            .noneMatch(r -> r.path("apiGroups").toString().contains("openreports.io")),
        "openreports.io rights without openReports.enabled");
    // Every right the chart can grant: the table's optional rows say which value adds them.
    List<JsonNode> docs = Chart.render("ghosthunt", Map.of("openReports.enabled", true));
    java.util.Set<String> granted = new java.util.TreeSet<>();
    for (JsonNode role : operatorRoles(docs)) {
      String where =
          switch (role.path("metadata").path("name").asText()) {
            case "ghosthunt-operator" -> "cluster";
            case "ghosthunt-operator-probes" -> "probe namespace";
            case "ghosthunt-operator-leader" -> "own namespace";
            default -> throw new AssertionError("unexpected operator role " + role);
          };
      role.path("rules").forEach(r -> granted.addAll(rows("operator", where, r)));
    }
    io.ghosthunt.api.GhostHunt hunt =
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
            .unmarshal(
                """
                apiVersion: ghosthunt.io/v1alpha1
                kind: GhostHunt
                metadata: {name: h, namespace: team-a, uid: 0f0e0d0c-0000-4000-8000-000000000001}
                spec: {checks: {http2: {urls: ["https://192.0.2.80/"], caBundleConfigMap: {name: ca}}}}
                """,
                io.ghosthunt.api.GhostHunt.class);
    for (var rule : io.ghosthunt.operator.probes.AgentRbac.rules(hunt)) {
      granted.addAll(
          rows(
              "probe",
              "hunt namespace",
              Chart.YAML.valueToTree(
                  new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                      .convertValue(rule, Map.class))));
    }
    java.util.Set<String> documented = new java.util.TreeSet<>();
    boolean in = false;
    for (String line : Files.readAllLines(ControlPlane.repo().resolve("README.md"))) {
      if (line.startsWith("<!-- privileges")) {
        in = !line.startsWith("<!-- privileges end");
        continue;
      }
      if (!in || !line.startsWith("| ") || line.startsWith("| who") || line.startsWith("|--")) {
        continue;
      }
      String[] cell = line.split("\\|");
      String group = cell[3].trim().replace("`", "");
      for (String res : cell[4].replace("`", "").split(",")) {
        for (String verb : cell[5].replace("`", "").split(",")) {
          documented.add(
              String.join(
                  " ",
                  cell[1].trim(),
                  cell[2].trim(),
                  group.equals("core") ? "" : group,
                  res.trim(),
                  verb.trim(),
                  cell[6].trim().equals("—") ? "any" : "named"));
        }
      }
    }
    assertEquals(String.join("\n", granted), String.join("\n", documented));
  }

  /** Each (resource, verb) of one rule as a table row key. */
  private static List<String> rows(String who, String where, JsonNode rule) {
    List<String> out = new ArrayList<>();
    String names = rule.path("resourceNames").isEmpty() ? "any" : "named";
    rule.path("apiGroups")
        .forEach(
            g ->
                rule.path("resources")
                    .forEach(
                        res ->
                            rule.path("verbs")
                                .forEach(
                                    v ->
                                        out.add(
                                            String.join(
                                                " ",
                                                who,
                                                where,
                                                g.asText(),
                                                res.asText(),
                                                v.asText(),
                                                names)))));
    return out;
  }

  /** The ClusterRole and Roles bound to the operator's service account. */
  private static List<JsonNode> operatorRoles(List<JsonNode> docs) {
    return docs.stream()
        .filter(
            d ->
                Set.of("ClusterRole", "Role").contains(d.path("kind").asText())
                    && d.path("metadata").path("name").asText().startsWith("ghosthunt-operator"))
        .toList();
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
