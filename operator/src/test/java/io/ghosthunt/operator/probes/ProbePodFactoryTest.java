package io.ghosthunt.operator.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.observer.HuntTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProbePodFactoryTest {

  static final GhostHunt HUNT = ReportFactoryTest.hunt("slow-pods", 2);
  static final List<HuntTarget> PODS =
      List.of(
          new HuntTarget("node-a", "web-1", "u-1", null),
          new HuntTarget("node-a", "web-2", "u-2", null));

  static Container probe(boolean hardened, List<HuntTarget> pods) {
    Pod pod =
        new ProbePodFactory(
                new OperatorConfig(
                    "probes",
                    "img",
                    hardened,
                    Set.of(),
                    OperatorConfig.ProbeResources.DEFAULT,
                    List.of()))
            .build(HUNT, "node-a", 60, pods, 0);
    return pod.getSpec().getContainers().get(0);
  }

  @Test
  void aNodeProbeFillsItsNodesReportAndAPodHuntsProbeEachPodsOwn() {
    List<String> node = probe(false, List.of()).getArgs();
    assertEquals(Labels.reportName(HUNT, "node-a", 0), node.get(node.indexOf("--report") + 1));
    assertFalse(node.contains("--pods"));

    List<String> pods = probe(false, PODS).getArgs();
    assertFalse(pods.contains("--report"));
    assertEquals(
        "web-1/u-1/"
            + Labels.reportName(HUNT, "pod/web-1", 0)
            + ",web-2/u-2/"
            + Labels.reportName(HUNT, "pod/web-2", 0),
        pods.get(pods.indexOf("--pods") + 1));
    assertEquals(
        Labels.reportName(HUNT, "pod/web-1", 0),
        ReportFactory.build(HUNT, PODS.get(0), 0).getMetadata().getName());
    GhostHuntReport report = ReportFactory.build(HUNT, PODS.get(0), 0);
    assertEquals("web-1", report.getSpec().getPod());
    assertEquals("u-1", report.getSpec().getPodUid());
    assertEquals("node-a", report.getSpec().getNode());
    assertEquals("web-1", report.getMetadata().getLabels().get(Labels.POD));
  }

  @Test
  void aPodHuntsProbeCarriesWhatTheApiSaidOfItsServicesAndANodeProbeNothing() {
    io.ghosthunt.api.ServiceFacts facts =
        new io.ghosthunt.api.ServiceFacts(
            List.of("203.0.113.226"),
            java.util.Map.of(
                "catalog",
                new io.ghosthunt.api.ServiceFacts.Service(
                    "shop", "catalog", true, List.of("203.0.113.231"), null)),
            "2026-12-07T10:00:00Z");
    ProbePodFactory factory =
        new ProbePodFactory(
            new OperatorConfig(
                "probes",
                "img",
                false,
                Set.of(),
                OperatorConfig.ProbeResources.DEFAULT,
                List.of()));
    List<String> pods =
        factory
            .build(HUNT, "node-a", 60, PODS, 0, facts)
            .getSpec()
            .getContainers()
            .get(0)
            .getArgs();
    assertEquals(
        facts, io.ghosthunt.api.ServiceFacts.decode(pods.get(pods.indexOf("--services") + 1)));
    assertFalse(
        factory
            .build(HUNT, "node-a", 60, PODS, 0, io.ghosthunt.api.ServiceFacts.NONE)
            .getSpec()
            .getContainers()
            .get(0)
            .getArgs()
            .contains("--services"));
    assertFalse(
        factory
            .build(HUNT, "node-a", 60, List.of(), 0, facts)
            .getSpec()
            .getContainers()
            .get(0)
            .getArgs()
            .contains("--services"),
        "a node resolves no cluster names");
  }

  @Test
  void onlyAHardenedPodHuntsProbeMayEnterNamespaces() {
    assertEquals(
        ProbePodFactory.HARDENED_CAPABILITIES,
        probe(true, List.of()).getSecurityContext().getCapabilities().getAdd());
    List<String> pods = probe(true, PODS).getSecurityContext().getCapabilities().getAdd();
    assertTrue(pods.containsAll(ProbePodFactory.HARDENED_CAPABILITIES));
    assertEquals(ProbePodFactory.HARDENED_CAPABILITIES.size() + 1, pods.size());
    assertTrue(pods.contains("SYS_ADMIN"), pods.toString());
    assertTrue(probe(false, PODS).getSecurityContext().getPrivileged());
  }

  @Test
  void theNodesEtcAndResolvedFolderAreMountedReadOnlyAndNothingElseOfTheNode() {
    for (boolean hardened : List.of(false, true)) {
      Pod pod =
          new ProbePodFactory(
                  new OperatorConfig(
                      "probes",
                      "img",
                      hardened,
                      Set.of(),
                      OperatorConfig.ProbeResources.DEFAULT,
                      List.of()))
              .build(HUNT, "node-a", 60, List.of(), 0);
      java.util.Map<String, String> hostPaths = new java.util.LinkedHashMap<>();
      pod.getSpec().getVolumes().stream()
          .filter(v -> v.getHostPath() != null)
          .forEach(v -> hostPaths.put(v.getName(), v.getHostPath().getPath()));
      assertEquals(
          java.util.Map.of("host-etc", "/etc", "host-resolved", "/run/systemd/resolve"), hostPaths);
      assertEquals(
          "DirectoryOrCreate",
          pod.getSpec().getVolumes().stream()
              .filter(v -> v.getName().equals("host-resolved"))
              .findFirst()
              .orElseThrow()
              .getHostPath()
              .getType());
      Container c = pod.getSpec().getContainers().get(0);
      java.util.Map<String, String> mounts = new java.util.LinkedHashMap<>();
      c.getVolumeMounts().stream()
          .filter(m -> hostPaths.containsKey(m.getName()))
          .forEach(
              m -> {
                assertTrue(m.getReadOnly(), m.getName());
                mounts.put(m.getName(), m.getMountPath());
              });
      assertEquals(
          java.util.Map.of("host-etc", "/host/etc", "host-resolved", "/host/run/systemd/resolve"),
          mounts);
      // The agent follows the node's links under the parent of --host-etc: the two must agree.
      assertEquals(
          ProbePodFactory.HOST_RESOLVED,
          Path.of(ProbePodFactory.HOST_ETC).getParent() + "/run/systemd/resolve");
      if (hardened) {
        assertEquals(
            ProbePodFactory.HARDENED_CAPABILITIES,
            c.getSecurityContext().getCapabilities().getAdd(),
            "a read-only mount adds no capability");
      }
    }
  }
}
