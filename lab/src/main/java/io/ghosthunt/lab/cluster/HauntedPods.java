package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.MtuLab;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The haunted house's own workload, what {@code examples/pod-hunt.yaml} hunts ({@code app: web} in
 * {@code default}): two web pods on node-c, whose path to {@link MtuLab#FAR} carries 1400 bytes and
 * hides its frag-needed errors. {@link #OVERLAY}'s interface says 1500, as a CNI that forgets its
 * overlay's overhead leaves it (the black hole, only from that pod); {@link #FITTED}'s says 1400,
 * set by an init container as a CNI that subtracts its overhead would (the clean twin).
 */
public final class HauntedPods {

  public static final String NAMESPACE = "default";
  public static final Map<String, String> LABELS = Map.of("app", "web");
  public static final String OVERLAY = "web-overlay";
  public static final String FITTED = "web-fitted";
  static final String NODE = "node-c";

  private HauntedPods() {}

  /** Creates both pods; returns at once (see {@link #awaitRunning}). */
  public static void create(KubernetesClient admin) {
    admin.resource(pod(OVERLAY, null)).create();
    admin.resource(pod(FITTED, MtuLab.LINK_MTU)).create();
  }

  /** Waits until both pods run. */
  public static void awaitRunning(KubernetesClient admin, Duration timeout) {
    for (String name : List.of(OVERLAY, FITTED)) {
      admin
          .pods()
          .inNamespace(NAMESPACE)
          .withName(name)
          .waitUntilCondition(
              p -> p != null && "Running".equals(p.getStatus().getPhase()),
              timeout.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A workload pod that only sleeps, on {@code node}: the probe image, which every lab node has
   * (there is no registry to pull another from).
   */
  public static PodBuilder sleeper(
      String namespace, String name, String node, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeSelector(Map.of("kubernetes.io/hostname", node))
        .withTerminationGracePeriodSeconds(0L)
        .addNewContainer()
        .withName("app")
        .withImage(Images.probeAgent())
        .withImagePullPolicy("Never")
        .withCommand("sleep", "infinity")
        .endContainer()
        .endSpec();
  }

  /** A web pod on {@link #NODE}; {@code mtu}: what its eth0 is set to, or null. */
  static Pod pod(String name, Integer mtu) {
    PodBuilder pod = sleeper(NAMESPACE, name, NODE, LABELS);
    if (mtu != null) {
      pod.editSpec()
          .addNewInitContainer()
          .withName("fit-mtu")
          .withImage(Images.probeAgent())
          .withImagePullPolicy("Never")
          .withCommand("ip", "link", "set", "eth0", "mtu", mtu.toString())
          .withNewSecurityContext()
          .withNewCapabilities()
          .withAdd("NET_ADMIN")
          .endCapabilities()
          .endSecurityContext()
          .endInitContainer()
          .endSpec();
    }
    return pod.build();
  }
}
