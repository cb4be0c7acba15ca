package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.LabHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A NodeLocal DNSCache on one lab node (see node-local-dns.yaml): the {@code node-local-dns}
 * DaemonSet in {@code kube-system}, serving on {@link #ADDRESS}, an address of the node's own, as
 * k8s-dns-node-cache sets it up. A pod reaches it through its dnsConfig.
 */
public final class NodeLocalCache {

  /** The cache's address on its node: NodeLocal's 169.254.20.10, in the lab's ranges. */
  public static final String ADDRESS = "203.0.113.210";

  public static final String DAEMON_SET = "node-local-dns";

  private NodeLocalCache() {}

  static String manifest(String node) {
    try (InputStream in = NodeLocalCache.class.getResourceAsStream("node-local-dns.yaml")) {
      if (in == null) {
        throw new IllegalStateException("io/ghosthunt/lab/cluster/node-local-dns.yaml is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("${NODE}", node)
          .replace("${IMAGE}", ClusterDns.image())
          .replace("${LOCAL}", ADDRESS)
          .replace("${CLUSTER_DNS}", LabNode.CLUSTER_DNS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The cache's address on {@code host} (the node {@code node} runs in), then the DaemonSet;
   * returns once its pod is ready. The address goes with the node's namespace.
   */
  public static void deploy(KubernetesClient admin, LabHost host, String node, Duration timeout) {
    // k8s-dns-node-cache puts it on a dummy link, which this kernel lacks: lo holds it the same.
    host.sh("ip addr add " + ADDRESS + "/32 dev lo");
    ClusterDns.apply(admin, manifest(node));
    admin
        .apps()
        .daemonSets()
        .inNamespace(ClusterDns.NAMESPACE)
        .withName(DAEMON_SET)
        .waitUntilCondition(NodeLocalCache::ready, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static boolean ready(DaemonSet d) {
    return d != null
        && d.getStatus() != null
        && d.getStatus().getNumberReady() != null
        && d.getStatus().getNumberReady() >= 1;
  }

  /** Has the cache look {@code name} up, as a pod on its node would; returns its answer. */
  public static String prime(LabHost host, String name) {
    return host.sh("dig +short +tries=1 +time=2 @" + ADDRESS + " " + name + " A").trim();
  }
}
