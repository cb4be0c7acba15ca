package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ghosthunt.agent.check.DnsCheck.Layer;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.ResolvConf;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pod's cluster DNS told from the resolv.conf the kubelet wrote, and the restart that empties its
 * cache. No server is asked.
 */
class DnsClusterLayerTest {

  static final List<String> KUBELETS =
      List.of(
          "search shop.svc.cluster.local svc.cluster.local cluster.local corp.test",
          "nameserver 203.0.113.226",
          "options ndots:5");

  static List<String> search(List<String> lines) {
    return ResolvConf.search(lines);
  }

  @Test
  void aClusterFirstPodsNameserverIsTheClusterDns() {
    assertEquals(
        Layer.CLUSTER_DNS,
        DnsCheck.layer(Addresses.literal("203.0.113.226"), search(KUBELETS), List.of()));
  }

  @Test
  void nodeLocalDnsCachesAddressInAClusterFirstPodIsThatCache() {
    assertEquals(
        Layer.NODE_LOCAL_CACHE,
        DnsCheck.layer(Addresses.literal("169.254.20.10"), search(KUBELETS), List.of()));
  }

  @Test
  void aNameserverThatIsNotTheKubeDnsServiceIsACacheInFrontOfIt() {
    List<String> kubeDns = List.of("203.0.113.226");
    assertEquals(
        Layer.CLUSTER_DNS,
        DnsCheck.layer(Addresses.literal("203.0.113.226"), search(KUBELETS), kubeDns));
    assertEquals(
        Layer.NODE_LOCAL_CACHE,
        DnsCheck.layer(Addresses.literal("203.0.113.210"), search(KUBELETS), kubeDns),
        "a kubelet pointed at a cache of its own (NodeLocal DNSCache in IPVS mode)");
    assertEquals(
        Layer.NODE_LOCAL_CACHE,
        DnsCheck.layer(Addresses.literal("169.254.25.10"), search(KUBELETS), List.of()),
        "kubespray's address: link-local, never a Service's");
    assertEquals(
        Layer.CLUSTER_DNS,
        DnsCheck.layer(Addresses.literal("203.0.113.210"), search(KUBELETS), List.of()),
        "without the Service's address, only the known cache addresses tell");
  }

  @Test
  void aNodesOwnFileIsNoClusterDnsEvenWithSvcSomewhereInItsSearchList() {
    List<String> node = List.of("search corp.test svc.corp.test", "nameserver 192.0.2.53");
    assertEquals(
        Layer.NODE, DnsCheck.layer(Addresses.literal("192.0.2.53"), search(node), List.of()));
    assertEquals(Layer.NODE, DnsCheck.layer(Addresses.literal("192.0.2.53"), List.of(), List.of()));
    // A node that resolves through systemd-resolved stays resolved's layer.
    assertEquals(
        Layer.RESOLVED_CACHE,
        DnsCheck.layer(Addresses.literal("127.0.0.53"), search(node), List.of()));
  }

  @Test
  void theClusterDnsIsRestartedNotFlushedAndTheWaitIsItsTtl() {
    assertEquals(
        "restart the cluster DNS, whose every pod has a cache of its own: kubectl -n kube-system"
            + " rollout restart deployment coredns (or wait 21 s for the cached answer to expire)",
        DnsCheck.flush(Layer.CLUSTER_DNS, Addresses.literal("203.0.113.226"), "app.corp.test", 21));
    assertEquals(
        "restart NodeLocal DNSCache (its pod on this node caches the answer): kubectl -n"
            + " kube-system rollout restart daemonset node-local-dns",
        DnsCheck.flush(
            Layer.NODE_LOCAL_CACHE, Addresses.literal("169.254.20.10"), "app.corp.test", -1));
  }
}
