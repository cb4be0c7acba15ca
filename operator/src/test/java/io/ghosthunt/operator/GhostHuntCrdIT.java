package io.ghosthunt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ghosthunt.agent.cli.AgentCommand;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.spec.GhostHuntReportSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.operator.testing.ControlPlaneExtension;
import io.ghosthunt.operator.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD against a real kube-apiserver: schema, status subresource, server-side apply.
 */
@ExtendWith(ControlPlaneExtension.class)
class GhostHuntCrdIT {

  private static final String NS = "crd-it";
  private static KubernetesClient client;

  @BeforeAll
  static void install(ControlPlane cp) {
    Fixtures.installCrd(cp);
    client = cp.admin();
    cp.namespace(NS);
  }

  @AfterAll
  static void cleanUp() {
    client.resources(GhostHunt.class).inNamespace(NS).delete();
    client.resources(GhostHuntReport.class).inNamespace(NS).delete();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(ControlPlane.repo().resolve("examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsAccepted(Path example) throws IOException {
    GenericKubernetesResource r =
        client
            .getKubernetesSerialization()
            .unmarshal(Files.readString(example), GenericKubernetesResource.class);
    GenericKubernetesResource created = client.resource(r).inNamespace(NS).create();
    assertNotNull(created.getMetadata().getUid(), example.toString());
    client.resource(created).delete();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("{}", "spec: Invalid value: \"object\": nothing to check"),
        Arguments.of(
            "{\"target\": \"ftp://app.example.com\"}",
            "spec.target: Invalid value: \"string\": target must be an http(s) URL or host[:port]"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"timeoutSeconds\": 0}",
            "spec.timeoutSeconds: Invalid value: 0: spec.timeoutSeconds in body should be greater than or equal to 1"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"timeoutSeconds\": 3601}",
            "spec.timeoutSeconds: Invalid value: 3601: spec.timeoutSeconds in body should be less than or equal to 3600"),
        Arguments.of(
            "{\"checks\": {}}",
            "spec.checks: Invalid value: \"object\": checks must name at least one check"),
        Arguments.of(
            "{\"checks\": {\"portOwner\": {\"ports\": [0]}}}",
            "spec.checks.portOwner.ports[0]: Invalid value: 0: spec.checks.portOwner.ports[0] in body should be greater than or equal to 1"),
        Arguments.of(
            "{\"checks\": {\"loopback\": {\"ports\": [65536]}}}",
            "spec.checks.loopback.ports[0]: Invalid value: 65536: spec.checks.loopback.ports[0] in body should be less than or equal to 65535"),
        Arguments.of(
            "{\"checks\": {\"http2\": {\"urls\": [\"ftp://app.example.com/\"]}}}",
            "spec.checks.http2.urls: Invalid value: \"array\": every URL must be http:// or https://"),
        Arguments.of(
            "{\"checks\": {\"dns\": {\"names\": [\"app.example.com\"], \"expectedAddresses\": [\"not-an-ip\"]}}}",
            "spec.checks.dns.expectedAddresses: Invalid value: \"array\": every expected address must be an IP address"),
        Arguments.of(
            "{\"checks\": {\"duplicateIp\": {\"addresses\": [\"192.0.2.300\"]}}}",
            "every address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"checks\": {\"mtu\": {\"targets\": [\"two words\"]}}}",
            "spec.checks.mtu.targets: Invalid value: \"array\": every target must be an IP address or a host name"),
        Arguments.of(
            "{\"checks\": {\"mtu\": {\"targets\": " + manyTargets(65) + "}}}",
            "spec.checks.mtu.targets: Too many: 65: must have at most 64 items"),
        Arguments.of(
            "{\"symptom\": \"Haunted\", \"target\": \"app.example.com\"}",
            "spec.symptom: Unsupported value: \"Haunted\""),
        Arguments.of(
            "{\"checks\": {\"portOwner\": {\"ports\": [8080], \"protocol\": \"SCTP\"}}}",
            "spec.checks.portOwner.protocol: Unsupported value: \"SCTP\""),
        Arguments.of(
            "{\"checks\": {\"duplicateIp\": {\"dhcp\": true, \"dhcpServers\": [\"dhcp.local\"]}}}",
            "spec.checks.duplicateIp.dhcpServers: Invalid value: \"array\": every DHCP server must be an IPv4 address"),
        Arguments.of(
            "{\"checks\": {\"http2\": {\"urls\": [\"https://app.example.com/\"], \"caBundleConfigMap\": {\"key\": \"ca.crt\"}}}}",
            "spec.checks.http2.caBundleConfigMap.name: Required value"),
        Arguments.of(
            "{\"checks\": {\"http2\": {\"urls\": [\"https://app.example.com/\"], \"caBundleConfigMap\": {\"name\": \"Not_A_Name\"}}}}",
            "spec.checks.http2.caBundleConfigMap.name: Invalid value: \"Not_A_Name\""),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"names\": [\"node-a\"]}, \"pods\": {\"selector\": {}}}",
            "spec.nodes and spec.pods exclude each other"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"pods\": {}}",
            "spec.pods.selector: Required value"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"selector\": {\"matchExpressions\": [{\"key\": \"a\", \"operator\": \"In\", \"values\": []}]}}}",
            "spec.nodes.selector.matchExpressions[0].values: Invalid value: \"object\": values must not be empty when operator is In or NotIn"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"pods\": {\"selector\": {\"matchExpressions\": [{\"key\": \"a\", \"operator\": \"NotIn\"}]}}}",
            "spec.pods.selector.matchExpressions[0].values: Invalid value: \"object\": values must not be empty when operator is In or NotIn"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"selector\": {\"matchExpressions\": [{\"key\": \"a\", \"operator\": \"Exists\", \"values\": [\"x\"]}]}}}",
            "spec.nodes.selector.matchExpressions[0].values: Invalid value: \"object\": values must be empty when operator is Exists or DoesNotExist"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"selector\": {\"matchExpressions\": [{\"key\": \"bad key\", \"operator\": \"Exists\"}]}}}",
            "spec.nodes.selector.matchExpressions[0].key: Invalid value: \"string\": key must be a label key"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"selector\": {\"matchLabels\": {\"Example.com/role\": \"web\"}}}}",
            "spec.nodes.selector.matchLabels: Invalid value: \"object\": every key must be a label key"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"nodes\": {\"selector\": {\"matchExpressions\": [{\"key\": \"role\", \"operator\": \"In\", \"values\": [\"web\", \"web server\"]}]}}}",
            "spec.nodes.selector.matchExpressions[0].values: Invalid value: \"array\": every value must be a label value"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"pods\": {\"selector\": {\"matchExpressions\": [{\"key\": \"app\"}]}}}",
            "spec.pods.selector.matchExpressions[0].operator: Required value"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"schedule\": \"every tuesday\"}",
            "spec.schedule: Invalid value"),
        Arguments.of(
            "{\"target\": \"app.example.com\", \"schedule\": \"@hourly\", \"historyLimit\": 0}",
            "spec.historyLimit: Invalid value: 0"));
  }

  private static String manyTargets(int n) {
    return Stream.generate(() -> "\"192.0.2.1\"").limit(n).toList().toString();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void nonsenseIsRejectedWithTheSchemaMessage(String spec, String message) {
    String json =
        "{\"apiVersion\": \"ghosthunt.io/v1alpha1\", \"kind\": \"GhostHunt\","
            + " \"metadata\": {\"name\": \"bad\"}, \"spec\": "
            + spec
            + "}";
    GenericKubernetesResource r =
        client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    KubernetesClientException e =
        assertThrows(
            KubernetesClientException.class, () -> client.resource(r).inNamespace(NS).create());
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(
        e.getMessage().contains(message), () -> "expected <" + message + "> in: " + e.getMessage());
  }

  /**
   * Issue #24 item 6: both selectors were accepted, and the hunt then sat with an empty status. Now
   * the apply itself is refused, and the refusal names the field.
   */
  static Stream<Arguments> issue24Selectors() {
    return Stream.of(
        Arguments.of(
            "{matchExpressions: [{key: a, operator: Foo}]}",
            "spec.nodes.selector.matchExpressions[0].operator: Unsupported value: \"Foo\":"
                + " supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\""),
        Arguments.of(
            "{matchLabels: {role: web server}}",
            "spec.nodes.selector.matchLabels: Invalid value: \"object\": every value must be a"
                + " label value: empty, or at most 63 letters, digits, '-', '_' or '.', beginning"
                + " and ending with a letter or digit"));
  }

  @ParameterizedTest
  @MethodSource("issue24Selectors")
  void theIssuesSelectorsAreRefusedOnApplyNamingTheField(String selector, String message) {
    GenericKubernetesResource r =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: ghosthunt.io/v1alpha1
                kind: GhostHunt
                metadata: {name: issue-24}
                spec:
                  target: app.example.com
                  nodes: {selector: %s}
                """
                    .formatted(selector),
                GenericKubernetesResource.class);
    KubernetesClientException e =
        assertThrows(
            KubernetesClientException.class,
            () ->
                client
                    .resource(r)
                    .inNamespace(NS)
                    .fieldManager("kubectl")
                    .forceConflicts()
                    .serverSideApply());
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(
        e.getMessage().contains(message), () -> "expected <" + message + "> in: " + e.getMessage());
    assertEquals(
        null,
        client.resources(GhostHunt.class).inNamespace(NS).withName("issue-24").get(),
        "nothing was stored");
  }

  /** The twins of the refused selectors: every operator, an empty value, the longest key. */
  @Test
  void validSelectorsOfEveryOperatorAreAccepted() {
    String longestKey = "a".repeat(253) + "/" + "b".repeat(63);
    GenericKubernetesResource r =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: ghosthunt.io/v1alpha1
                kind: GhostHunt
                metadata: {name: selectors}
                spec:
                  target: app.example.com
                  nodes:
                    selector:
                      matchLabels: {role: web, kubernetes.io/os: linux, empty: ""}
                      matchExpressions:
                      - {key: tier, operator: In, values: [web, ""]}
                      - {key: example.com/env, operator: NotIn, values: [dev]}
                      - {key: zone, operator: Exists}
                      - {key: gpu, operator: DoesNotExist, values: []}
                      - {key: %s, operator: Exists}
                """
                    .formatted(longestKey),
                GenericKubernetesResource.class);
    GenericKubernetesResource created = client.resource(r).inNamespace(NS).create();
    assertNotNull(created.getMetadata().getUid());
    GhostHunt read = client.resources(GhostHunt.class).inNamespace(NS).withName("selectors").get();
    assertEquals(5, read.getSpec().getNodes().getSelector().getMatchExpressions().size());
    assertEquals("", read.getSpec().getNodes().getSelector().getMatchLabels().get("empty"));
    client.resource(created).delete();
  }

  private static GhostHunt huntNamed(String name) {
    GhostHunt hunt =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
            apiVersion: ghosthunt.io/v1alpha1
            kind: GhostHunt
            metadata: {name: %s}
            spec: {checks: {portOwner: {ports: [8080], expectedProcess: java}}}
            """
                    .formatted(name),
                GhostHunt.class);
    return client.resource(hunt).inNamespace(NS).create();
  }

  /**
   * A status apply with these entries only: a fresh object with name, namespace and the entries.
   */
  private static GhostHunt entries(GhostHunt hunt, NodeStatus... nodes) {
    GhostHunt patch = new GhostHunt();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(hunt.getMetadata().getName())
            .withNamespace(hunt.getMetadata().getNamespace())
            .build());
    GhostHuntStatus status = new GhostHuntStatus();
    status.setNodes(List.of(nodes));
    patch.setStatus(status);
    return patch;
  }

  private static NodeStatus node(String name, FindingVerdict verdict, String pid) {
    Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", verdict);
    if (verdict == FindingVerdict.Ghost) {
      f.setGhost(GhostName.OrphanedPort);
      f.setSummary("port 8080 is held by PID " + pid + " (sleep 3600), not by java");
      f.evidence("pid", pid).evidence("command", "sleep 3600");
    } else {
      f.setSummary("port 8080 is held by java");
    }
    return new NodeStatus(name, NodePhase.Done).addFinding(f);
  }

  private static GhostHunt applyStatus(GhostHunt patch, String manager) {
    return client
        .resource(patch)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(manager)
                .withForce(true)
                .build());
  }

  @Test
  void theEntriesNameANodeOncePerPodAndTheOperatorsApplyReplacesThemWhole() {
    GhostHunt hunt = huntNamed("entries");
    NodeStatus web1 = node("node-a", FindingVerdict.Ghost, "4242");
    web1.setPod("web-1");
    NodeStatus web2 = node("node-a", FindingVerdict.Clear, null);
    web2.setPod("web-2");
    applyStatus(entries(hunt, web1, web2), "ghosthunt-operator");

    GhostHunt read = client.resources(GhostHunt.class).inNamespace(NS).withName("entries").get();
    assertEquals(
        List.of("node-a web-1", "node-a web-2"),
        read.getStatus().getNodes().stream().map(n -> n.getNode() + " " + n.getPod()).toList());
    assertEquals(
        "4242", read.getStatus().getNodes().get(0).getFindings().get(0).getEvidence().get("pid"));

    // The operator alone writes the entries (probes write reports): its next apply is the whole
    // list.
    applyStatus(entries(hunt, node("node-b", FindingVerdict.Clear, null)), "ghosthunt-operator");
    read = client.resources(GhostHunt.class).inNamespace(NS).withName("entries").get();
    assertEquals(
        List.of("node-b"), read.getStatus().getNodes().stream().map(NodeStatus::getNode).toList());
  }

  @Test
  void statusSubresourceIgnoresSpecAndMainEndpointIgnoresStatus() {
    GhostHunt hunt = huntNamed("subresource");
    GhostHunt withStatus = entries(hunt, node("node-a", FindingVerdict.Ghost, "4242"));
    applyStatus(withStatus, "ghosthunt-agent-node-a");
    GhostHunt read =
        client.resources(GhostHunt.class).inNamespace(NS).withName("subresource").get();
    long generation = read.getMetadata().getGeneration();
    // A status write does not bump the generation, so it never looks like a new spec.
    assertEquals(1L, generation);

    read.getSpec().setTimeoutSeconds(30);
    read.getStatus().setSummary("written through the main endpoint");
    GhostHunt updated = client.resource(read).update();
    assertEquals(2L, updated.getMetadata().getGeneration());
    assertEquals(
        null, updated.getStatus().getSummary(), "status changes on the main endpoint are dropped");
  }

  @Test
  void kubectlShowsThePrinterColumns(ControlPlane cp, @TempDir Path dir) throws Exception {
    GhostHunt hunt = huntNamed("columns");
    applyStatus(
        entries(hunt, node("node-a", FindingVerdict.Ghost, "4242")), "ghosthunt-agent-node-a");
    GhostHunt aggregate = new GhostHunt();
    aggregate.setMetadata(new ObjectMetaBuilder().withName("columns").withNamespace(NS).build());
    GhostHuntStatus status = new GhostHuntStatus();
    status.setPhase(HuntPhase.Complete);
    status.setVerdict(HuntVerdict.Haunted);
    status.setGhosts(1);
    status.setProgress("1/1");
    aggregate.setStatus(status);
    applyStatus(aggregate, "ghosthunt-operator");

    Process p =
        new ProcessBuilder(
                cp.kubectl().toString(),
                "--kubeconfig",
                cp.kubeconfigFile(dir).toString(),
                "get",
                "gh",
                "columns",
                "-n",
                NS)
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    List<String> header = List.of(out.lines().findFirst().orElseThrow().trim().split("\\s+"));
    assertEquals(
        List.of("NAME", "PHASE", "VERDICT", "GHOSTS", "NODES", "LAST", "RUN", "NEXT", "AGE"),
        header,
        out);
    List<String> row = List.of(out.lines().skip(1).findFirst().orElseThrow().trim().split("\\s+"));
    assertEquals(List.of("columns", "Complete", "Haunted", "1", "1/1"), row.subList(0, 5), out);
  }

  private static GhostHuntReport reportStatus(String name, NodeStatus entry) {
    GhostHuntReport patch = new GhostHuntReport();
    patch.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    patch.setStatus(GhostHuntReportStatus.of(entry, "2026-11-25T12:00:05Z"));
    return client
        .resource(patch)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("ghosthunt-agent")
                .withForce(true)
                .build());
  }

  private static void refused(NodeStatus entry, String message) {
    KubernetesClientException e =
        assertThrows(KubernetesClientException.class, () -> reportStatus("bounds", entry));
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(
        e.getMessage().contains(message), () -> "expected <" + message + "> in: " + e.getMessage());
  }

  /** Issue #24: a 900 KB evidence value was stored as it was; now the schema refuses it. */
  @Test
  void aReportIsBoundedByItsSchemaAndAnHonestOneFitsIt() {
    GhostHuntReport report = new GhostHuntReport();
    report.setMetadata(new ObjectMetaBuilder().withName("bounds").withNamespace(NS).build());
    report.setSpec(new GhostHuntReportSpec("bounds", "node-a", 1));
    client.resource(report).create();

    NodeStatus huge = node("node-a", FindingVerdict.Ghost, "4242");
    huge.getFindings().get(0).getEvidence().put("command", "x".repeat(900_000));
    refused(huge, "evidence");
    NodeStatus longKey = node("node-a", FindingVerdict.Ghost, "4242");
    longKey.getFindings().get(0).getEvidence().put("k".repeat(200), "v");
    refused(longKey, "every evidence key is at most 128 characters");
    // Each finding within its own bounds, all of them together over the report's.
    NodeStatus wordy = new NodeStatus("node-a", NodePhase.Done);
    for (int i = 0; i < 449; i++) {
      Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/" + (1000 + i), FindingVerdict.Error);
      f.setSummary("s".repeat(2000));
      wordy.addFinding(f);
    }
    refused(wordy, "the findings' text");
    // The agent's own write cuts the same report to fit (ReportBounds.fit) and is taken.
    AgentCommand.writeReport(client, NS, "bounds", wordy, java.time.Instant.now());
    GhostHuntReport read =
        client.resources(GhostHuntReport.class).inNamespace(NS).withName("bounds").get();
    assertEquals(449, read.getStatus().getFindings().size());
  }
}
