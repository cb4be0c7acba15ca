package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HuntCommandTest {

  @Test
  void whatTheHuntPrintsIsRedactedEvenIfAnOlderProbeWroteIt() {
    NodeStatus node = new NodeStatus("node-a", NodePhase.Done);
    Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost);
    f.evidence("command", "sleep 3600 --token s3cr3t");
    node.addFinding(f);
    NodeStatus unreachable = new NodeStatus("node-b", NodePhase.Unreachable);
    unreachable.setMessage("stopped while reading https://u:p@api.example.com");
    GhostHuntStatus status = new GhostHuntStatus();
    status.setSummary("node-a: port 8080 held by PID 4242 (sleep 3600 --token s3cr3t -v)");
    status.setNodes(List.of(node, unreachable));

    HuntCommand.redacted(status);

    assertEquals(
        "node-a: port 8080 held by PID 4242 (sleep 3600 --token *** -v)", status.getSummary());
    assertEquals("sleep 3600 --token ***", f.getEvidence().get("command"));
    assertEquals("stopped while reading https://***@api.example.com", unreachable.getMessage());
  }

  @Test
  void aScheduledHuntIsAskedToRunNowAndTheFilesAnnotationsStay() {
    GhostHunt scheduled =
        new KubernetesSerialization()
            .unmarshal(
                "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: t,"
                    + " annotations: {team: web}}\nspec: {schedule: '*/15 * * * 2'}",
                GhostHunt.class);
    Map<String, String> asked = HuntCommand.runNow(scheduled);
    assertEquals("web", asked.get("team"));
    assertTrue(asked.containsKey(GhostHunt.RUN_NOW), asked.toString());
    scheduled.getSpec().setSchedule(null);
    assertEquals(
        Map.of("team", "web"), HuntCommand.runNow(scheduled), "a one-off hunt runs anyway");
  }
}
