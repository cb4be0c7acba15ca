package io.ghosthunt.operator.probes;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.OperatorConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe pod for one hunt on one node. It exists only for its hunt: pinned to its node, never
 * restarted, bounded by activeDeadlineSeconds, and holding a token that can touch its own hunt only.
 */
public final class ProbePodFactory {

  /**
   * What the checks need in hardened mode, check by check: NET_ADMIN (conntrack table, nft ruleset:
   * asymmetricRoute, loopback), NET_RAW (ARP, DF ICMP probes: duplicateIp, mtu), SYS_PTRACE and
   * DAC_READ_SEARCH (other processes' /proc/PID/fd: portOwner, loopback listeners).
   */
  public static final List<String> HARDENED_CAPABILITIES = List.of("NET_ADMIN", "NET_RAW", "SYS_PTRACE", "DAC_READ_SEARCH");

  /** Where the probe sees the node's /etc (resolv.conf, hosts): the pod's own are the kubelet's, for the pod. */
  public static final String HOST_ETC = "/host/etc";

  private final OperatorConfig config;

  public ProbePodFactory(OperatorConfig config) {
    this.config = config;
  }

  public Pod build(GhostHunt hunt, String node, long timeoutSeconds) {
    Map<String, String> labels = new HashMap<>(Labels.of(hunt, "probe"));
    labels.put(Labels.GENERATION, Long.toString(hunt.getMetadata().getGeneration()));
    Map<String, String> annotations = new HashMap<>(Labels.huntAnnotations(hunt));
    annotations.put(Labels.NODE, node);
    return new PodBuilder()
        .withNewMetadata()
          .withName(Labels.podName(hunt, node))
          .withNamespace(config.probeNamespace())
          .withLabels(labels)
          .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          // Pinned like a DaemonSet pod; no scheduler decision, no spreading to other nodes.
          .withNodeName(node)
          .withHostNetwork(true)
          .withHostPID(true)
          .withDnsPolicy("ClusterFirstWithHostNet")
          .withRestartPolicy("Never")
          .withActiveDeadlineSeconds(timeoutSeconds)
          .withServiceAccountName(Labels.agentName(hunt))
          .withAutomountServiceAccountToken(true)
          .withTerminationGracePeriodSeconds(5L)
          .withTolerations(new TolerationBuilder().withOperator("Exists").build())
          .addNewVolume().withName("host-etc").withNewHostPath().withPath("/etc").withType("Directory").endHostPath().endVolume()
          // The JVM and JNA (pcap4j's libpcap binding) unpack native code into /tmp, which a
          // read-only root filesystem (hardened mode) would refuse.
          .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().endVolume()
          .addNewContainer()
            .withName("probe")
            .withImage(config.probeImage())
            .withArgs("agent", "--hunt", hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName(),
                "--node", node, "--generation", Long.toString(hunt.getMetadata().getGeneration()),
                "--timeout", Long.toString(Math.max(1, timeoutSeconds - 5)), "--host-etc", HOST_ETC,
                "--report", Labels.reportName(hunt, node))
            .addNewVolumeMount().withName("host-etc").withMountPath(HOST_ETC).withReadOnly(true).endVolumeMount()
            .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
            // A probe that fails or is stopped says why in its last lines; the kubelet hands them to
            // the operator as the termination message, which ends up in the node's entry.
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withEnv(new EnvVarBuilder().withName("NODE_NAME").withNewValueFrom().withNewFieldRef()
                .withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build())
            .withSecurityContext(securityContext())
            .withNewResources()
              .withRequests(Map.of("cpu", new Quantity(config.probeResources().cpuRequest()),
                  "memory", new Quantity(config.probeResources().memoryRequest())))
              .withLimits(Map.of("cpu", new Quantity(config.probeResources().cpuLimit()),
                  "memory", new Quantity(config.probeResources().memoryLimit())))
            .endResources()
          .endContainer()
        .endSpec()
        .build();
  }

  private SecurityContext securityContext() {
    if (!config.hardened()) {
      return new SecurityContextBuilder().withPrivileged(true).withRunAsUser(0L).build();
    }
    Capabilities caps = new CapabilitiesBuilder().withAdd(HARDENED_CAPABILITIES).withDrop("ALL").build();
    return new SecurityContextBuilder().withPrivileged(false).withRunAsUser(0L).withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true).withCapabilities(caps).build();
  }
}
