package io.ghosthunt.operator.observer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodTargetsTest {

  static Pod pod(String name, String uid, String node, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  @Test
  void runningPodsOnReadyNodesAreHuntedAndEveryOtherPodSaysWhyNot() {
    Pod hostNet = pod("host-net", "u3", "node-a", "Running");
    hostNet.getSpec().setHostNetwork(true);
    Pod terminating = pod("leaving", "u6", "node-a", "Running");
    terminating.getMetadata().setDeletionTimestamp("2026-12-01T12:00:00Z");
    List<Pod> pods =
        List.of(
            pod("web-1", "u1", "node-a", "Running"),
            pod("unscheduled", "u2", null, "Pending"),
            hostNet,
            pod("done", "u4", "node-a", "Succeeded"),
            pod("on-sick-node", "u5", "node-b", "Running"),
            terminating,
            pod("starting", "u7", "node-a", "Pending"));
    Map<String, Optional<String>> nodes =
        Map.of("node-a", Optional.empty(), "node-b", Optional.of("NotReady (Unknown)"));

    assertEquals(
        List.of(
            new HuntTarget(
                "node-a",
                "done",
                "u4",
                "the pod has ended (Succeeded): no network namespace left to hunt in"),
            new HuntTarget(
                "node-a",
                "host-net",
                "u3",
                "the pod uses its node's network (hostNetwork): hunt node node-a with spec.nodes"),
            new HuntTarget("node-a", "leaving", "u6", "the pod is terminating"),
            new HuntTarget("node-b", "on-sick-node", "u5", "its node node-b is NotReady (Unknown)"),
            new HuntTarget(
                "node-a",
                "starting",
                "u7",
                "the pod is not running (Pending): its containers have not started"),
            new HuntTarget(
                null, "unscheduled", "u2", "the pod is not scheduled to a node yet (Pending)"),
            new HuntTarget("node-a", "web-1", "u1", null)),
        PodTargets.decide(pods, Map.of(), nodes));
  }

  @Test
  void aPodThatEndedOrWasReplacedDuringTheHuntIsReportedNotDropped() {
    Map<String, HuntTarget> reported =
        Map.of(
            "web-1", new HuntTarget("node-a", "web-1", "old-uid", null),
            "web-2", new HuntTarget("node-b", "web-2", "u2", null));
    List<HuntTarget> targets =
        PodTargets.decide(
            List.of(pod("web-1", "new-uid", "node-c", "Running")),
            reported,
            Map.of("node-c", Optional.empty()));
    assertEquals(
        List.of(
            new HuntTarget(
                "node-a",
                "web-1",
                "old-uid",
                "pod web-1 ended during the hunt (deleted or replaced) before its findings came"),
            new HuntTarget(
                "node-b",
                "web-2",
                "u2",
                "pod web-2 ended during the hunt (deleted or replaced) before its findings came")),
        targets);
  }
}
