package io.ghosthunt.operator.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.operator.observer.HuntTarget;
import org.junit.jupiter.api.Test;

class ReportFactoryTest {

  static GhostHunt hunt(String name, long generation) {
    return new KubernetesSerialization()
        .unmarshal(
            """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: %s, namespace: team-a, uid: 0f0e0d0c-0000-4000-8000-000000000001, generation: %d}
        spec: {checks: {loopback: {ports: [80]}}}
        """
                .formatted(name, generation),
            GhostHunt.class);
  }

  @Test
  void aReportNamesItsHuntNodeAndGenerationAndTheProbeAllowedToFillIt() {
    GhostHuntReport r = ReportFactory.build(hunt("tuesday", 3), HuntTarget.node("node-a", null), 0);

    assertEquals("team-a", r.getMetadata().getNamespace());
    assertEquals(Labels.reportName(hunt("tuesday", 3), "node-a", 0), r.getMetadata().getName());
    assertEquals("tuesday", r.getSpec().getHunt());
    assertEquals("node-a", r.getSpec().getNode());
    assertEquals(3L, r.getSpec().getGeneration());
    var labels = r.getMetadata().getLabels();
    assertEquals("tuesday", labels.get(GhostHuntReport.HUNT_LABEL));
    assertEquals(
        "0f0e0d0c-0000-4000-8000-000000000001", labels.get(GhostHuntReport.HUNT_UID_LABEL));
    assertEquals("3", labels.get(GhostHuntReport.GENERATION_LABEL));
    assertEquals("node-a", labels.get(Labels.NODE));
    assertEquals(Labels.agentName(hunt("tuesday", 3)), labels.get(GhostHuntReport.AGENT_LABEL));
    // The one probe pod whose bound token may fill it: this generation's probe on node-a.
    assertEquals(
        Labels.podName(hunt("tuesday", 3), "node-a", 0), labels.get(GhostHuntReport.PROBE_LABEL));
    var owner = r.getMetadata().getOwnerReferences().get(0);
    assertEquals("GhostHunt", owner.getKind());
    assertEquals("tuesday", owner.getName());
    assertTrue(owner.getController());
  }

  @Test
  void namesAndLabelsStayValidForLongHuntAndNodeNames() {
    String longHunt =
        "a-hunt-whose-name-is-far-longer-than-any-label-value-may-be-at-sixty-three-characters";
    String longNode =
        "ip-10-0-0-1.eu-west-1.compute.internal.a-very-long-cluster-domain.example.com";
    GhostHuntReport r = ReportFactory.build(hunt(longHunt, 1), HuntTarget.node(longNode, null), 0);
    assertTrue(r.getMetadata().getName().length() <= 63, r.getMetadata().getName());
    assertTrue(r.getMetadata().getLabels().get(GhostHuntReport.HUNT_LABEL).length() <= 63);
    assertTrue(r.getMetadata().getLabels().get(GhostHuntReport.PROBE_LABEL).length() <= 63);
    assertFalse(
        r.getMetadata().getLabels().containsKey(Labels.NODE),
        "too long for a label: in the spec only");
    assertEquals(longNode, r.getSpec().getNode());
    // Another generation or node, another report.
    assertFalse(
        r.getMetadata()
            .getName()
            .equals(
                ReportFactory.build(hunt(longHunt, 2), HuntTarget.node(longNode, null), 0)
                    .getMetadata()
                    .getName()));
  }
}
