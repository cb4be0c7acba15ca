package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.LabHost;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lab cluster's DNS as kubeadm deploys it: CoreDNS (built here from its Go module, {@code
 * coredns.version}) as the {@code coredns} Deployment and the {@code kube-dns} Service in {@code
 * kube-system} at the kubelets' {@code clusterDNS} address, with kubeadm's Corefile ({@code
 * kubernetes cluster.local}, {@code forward . /etc/resolv.conf}, {@code cache 30}).
 *
 * <p>CoreDNS forwards what is not the cluster's to the resolver of the node it runs on ({@code
 * dnsPolicy: Default}), as on any kubeadm cluster; a lab node's resolver is reachable only from
 * that node, so the caller names the node whose resolver is the cluster's upstream and the one
 * replica runs there.
 */
public final class ClusterDns {

  public static final String NAMESPACE = "kube-system";
  public static final String DEPLOYMENT = "coredns";
  public static final String SERVICE = "kube-dns";

  private ClusterDns() {}

  /** The image scripts/images.sh made from the binary, under the tag kubeadm deploys. */
  public static String image() {
    return "registry.k8s.io/coredns/coredns:v" + Binaries.corednsVersion();
  }

  /**
   * kubeadm's manifests with the lab's values: CoreDNS on {@code node} (any Linux node when null)
   * and the Service at {@link LabNode#CLUSTER_DNS}.
   */
  static String manifest(String node) {
    try (InputStream in = ClusterDns.class.getResourceAsStream("coredns.yaml")) {
      if (in == null) {
        throw new IllegalStateException("io/ghosthunt/lab/cluster/coredns.yaml is missing");
      }
      String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String selector =
          node == null ? "{kubernetes.io/os: linux}" : "{kubernetes.io/hostname: " + node + "}";
      return template
          .replace("${NODE_SELECTOR}", selector)
          .replace("${IMAGE}", image())
          .replace("${CLUSTER_DNS}", LabNode.CLUSTER_DNS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies CoreDNS (server-side, so a second call changes nothing); returns at once. */
  public static void deploy(KubernetesClient admin, String node) {
    apply(admin, manifest(node));
  }

  /**
   * Every object of a manifest, applied server-side as the lab's (a second call changes nothing).
   */
  static void apply(KubernetesClient admin, String manifest) {
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata o : objects) {
      admin.resource(o).fieldManager("ghosthunt-lab").forceConflicts().serverSideApply();
    }
  }

  /**
   * Has the cluster DNS look {@code name} up as a pod would, from {@code node} (kube-proxy's rules
   * take the Service's address to CoreDNS), so that its cache holds today's answer; returns it.
   */
  public static String prime(LabHost node, String name) {
    return node.sh("dig +short +tries=1 +time=2 @" + LabNode.CLUSTER_DNS + " " + name + " A")
        .trim();
  }

  /**
   * Waits until CoreDNS's pod is ready (its /ready: the kubernetes plugin has synced), so that it
   * answers on the Service's address. Not the Deployment's Available: with one replica and
   * kubeadm's maxUnavailable 1, that holds before any pod runs.
   */
  public static void awaitReady(KubernetesClient admin, Duration timeout) {
    admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .withName(DEPLOYMENT)
        .waitUntilCondition(ClusterDns::ready, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static boolean ready(Deployment d) {
    return d != null
        && d.getStatus() != null
        && d.getStatus().getReadyReplicas() != null
        && d.getStatus().getReadyReplicas() >= 1;
  }
}
