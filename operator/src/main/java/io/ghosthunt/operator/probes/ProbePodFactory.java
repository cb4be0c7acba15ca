package io.ghosthunt.operator.probes;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.observer.HuntTarget;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe pod for one hunt on one node. It exists only for its hunt: pinned to its node, never
 * restarted, bounded by activeDeadlineSeconds, and holding a token that can touch its own hunt
 * only.
 */
public final class ProbePodFactory {

  /**
   * What the checks need in hardened mode, check by check: NET_ADMIN (conntrack table, nft ruleset:
   * asymmetricRoute, loopback), NET_RAW (ARP, DF ICMP probes: duplicateIp, mtu), SYS_PTRACE and
   * DAC_READ_SEARCH (other processes' /proc/PID/fd: portOwner, loopback listeners).
   */
  public static final List<String> HARDENED_CAPABILITIES =
      List.of("NET_ADMIN", "NET_RAW", "SYS_PTRACE", "DAC_READ_SEARCH");

  /**
   * A pod hunt's probe also enters the pods' network namespaces (setns), which the kernel allows
   * only with SYS_ADMIN; node hunts never get it.
   */
  public static final String ENTER_NAMESPACES = "SYS_ADMIN";

  /**
   * Where the probe sees the node's /etc (resolv.conf, hosts): the pod's own are the kubelet's, for
   * the pod.
   */
  public static final String HOST_ETC = "/host/etc";

  /**
   * Where the probe sees the node's /run/systemd/resolve: under systemd-resolved the node's
   * /etc/resolv.conf is a link into it, which the agent follows under /host. Only that folder,
   * never /run, which holds the container runtime's and systemd's sockets.
   */
  public static final String HOST_RESOLVED = "/host/run/systemd/resolve";

  private final OperatorConfig config;

  public ProbePodFactory(OperatorConfig config) {
    this.config = config;
  }

  /**
   * @param targetPods in a pod hunt, the pods on this node the probe hunts inside; empty for a node
   *     hunt
   * @param run a scheduled hunt's run number, 0 for a hunt without schedule
   */
  public Pod build(
      GhostHunt hunt, String node, long timeoutSeconds, List<HuntTarget> targetPods, int run) {
    return build(hunt, node, timeoutSeconds, targetPods, run, ServiceFacts.NONE);
  }

  /**
   * @param services what the API said of the Services the hunt's dns names may name (pod hunts
   *     only: a node resolves no cluster names)
   */
  public Pod build(
      GhostHunt hunt,
      String node,
      long timeoutSeconds,
      List<HuntTarget> targetPods,
      int run,
      ServiceFacts services) {
    return new PodBuilder()
        .withMetadata(metadata(hunt, node, run))
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
        .withVolumes(volumes())
        .withContainers(container(hunt, node, timeoutSeconds, targetPods, run, services))
        .endSpec()
        .build();
  }

  private ObjectMeta metadata(GhostHunt hunt, String node, int run) {
    Map<String, String> labels = new HashMap<>(Labels.of(hunt, "probe"));
    labels.put(Labels.GENERATION, Long.toString(hunt.getMetadata().getGeneration()));
    if (run > 0) {
      labels.put(Labels.RUN, Integer.toString(run));
    }
    Map<String, String> annotations = new HashMap<>(Labels.huntAnnotations(hunt));
    annotations.put(Labels.NODE, node);
    return new ObjectMetaBuilder()
        .withName(Labels.podName(hunt, node, run))
        .withNamespace(config.probeNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .build();
  }

  private static List<Volume> volumes() {
    Volume hostEtc =
        new VolumeBuilder()
            .withName("host-etc")
            .withNewHostPath()
            .withPath("/etc")
            .withType("Directory")
            .endHostPath()
            .build();
    // DirectoryOrCreate: a node without systemd-resolved has no such folder, and the kubelet then
    // makes an empty one in /run (a tmpfs, gone at reboot) rather than refusing the probe.
    Volume hostResolved =
        new VolumeBuilder()
            .withName("host-resolved")
            .withNewHostPath()
            .withPath("/run/systemd/resolve")
            .withType("DirectoryOrCreate")
            .endHostPath()
            .build();
    // The JVM and JNA (pcap4j's libpcap binding) unpack native code into /tmp, which a read-only
    // root filesystem (hardened mode) would refuse.
    Volume tmp =
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("64Mi"))
            .endEmptyDir()
            .build();
    return List.of(hostEtc, hostResolved, tmp);
  }

  private Container container(
      GhostHunt hunt,
      String node,
      long timeoutSeconds,
      List<HuntTarget> targetPods,
      int run,
      ServiceFacts services) {
    return new ContainerBuilder()
        .withName("probe")
        .withImage(config.probeImage())
        .withArgs(args(hunt, node, timeoutSeconds, targetPods, run, services))
        .addNewVolumeMount()
        .withName("host-etc")
        .withMountPath(HOST_ETC)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("host-resolved")
        .withMountPath(HOST_RESOLVED)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        // A probe that fails or is stopped says why in its last lines; the kubelet hands them to
        // the operator as the termination message, which ends up in the node's entry.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withEnv(
            new EnvVarBuilder()
                .withName("NODE_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .build())
        .withSecurityContext(securityContext(!targetPods.isEmpty()))
        .withResources(resources())
        .build();
  }

  private ResourceRequirements resources() {
    OperatorConfig.ProbeResources r = config.probeResources();
    return new ResourceRequirementsBuilder()
        .withRequests(
            Map.of("cpu", new Quantity(r.cpuRequest()), "memory", new Quantity(r.memoryRequest())))
        .withLimits(
            Map.of("cpu", new Quantity(r.cpuLimit()), "memory", new Quantity(r.memoryLimit())))
        .build();
  }

  private static List<String> args(
      GhostHunt hunt,
      String node,
      long timeoutSeconds,
      List<HuntTarget> targetPods,
      int run,
      ServiceFacts services) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "agent",
                "--hunt",
                hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName(),
                "--node",
                node,
                "--generation",
                Long.toString(hunt.getMetadata().getGeneration()),
                "--timeout",
                Long.toString(Math.max(1, timeoutSeconds - 5)),
                "--host-etc",
                HOST_ETC));
    if (targetPods.isEmpty()) {
      args.addAll(List.of("--report", Labels.reportName(hunt, node, run)));
    } else {
      args.addAll(
          List.of(
              "--pods",
              targetPods.stream()
                  .map(
                      t -> t.pod() + "/" + t.podUid() + "/" + Labels.reportName(hunt, t.key(), run))
                  .collect(java.util.stream.Collectors.joining(","))));
      if (!services.isEmpty()) {
        args.addAll(List.of("--services", services.encode()));
      }
    }
    return args;
  }

  private SecurityContext securityContext(boolean entersPods) {
    if (!config.hardened()) {
      return new SecurityContextBuilder().withPrivileged(true).withRunAsUser(0L).build();
    }
    List<String> add = new java.util.ArrayList<>(HARDENED_CAPABILITIES);
    if (entersPods) {
      add.add(ENTER_NAMESPACES);
    }
    Capabilities caps = new CapabilitiesBuilder().withAdd(add).withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withPrivileged(false)
        .withRunAsUser(0L)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(caps)
        .build();
  }
}
