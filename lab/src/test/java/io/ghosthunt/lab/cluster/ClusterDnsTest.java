package io.ghosthunt.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kubeadm's CoreDNS manifests with the lab's values, and nothing of the template left. */
class ClusterDnsTest {

  @Test
  void theServiceIsAtTheKubeletsClusterDnsAndCoreDnsRunsTheImageBuiltHereOnTheNamedNode() {
    String yaml = ClusterDns.manifest("node-a");
    assertFalse(yaml.contains("${"), yaml);
    List<HasMetadata> objects = Serialization.unmarshal(yaml);
    assertEquals(
        List.of(
            "ServiceAccount/coredns",
            "ClusterRole/system:coredns",
            "ClusterRoleBinding/system:coredns",
            "ConfigMap/coredns",
            "Deployment/coredns",
            "Service/kube-dns"),
        objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
    Service svc = (Service) objects.get(5);
    assertEquals(LabNode.CLUSTER_DNS, svc.getSpec().getClusterIP());
    assertEquals(ClusterDns.NAMESPACE, svc.getMetadata().getNamespace());
    Deployment d = (Deployment) objects.get(4);
    assertEquals(
        Map.of("kubernetes.io/hostname", "node-a"),
        d.getSpec().getTemplate().getSpec().getNodeSelector());
    assertEquals(
        "registry.k8s.io/coredns/coredns:v" + Binaries.corednsVersion(),
        d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    // The kubernetes plugin for the cluster's domain, the rest forwarded to the node's resolver.
    String corefile = objects.get(3).toString();
    assertTrue(corefile.contains("kubernetes cluster.local in-addr.arpa ip6.arpa"), corefile);
    assertTrue(corefile.contains("forward . /etc/resolv.conf"), corefile);
  }

  @Test
  void withoutANodeAnyLinuxNodeWillDo() {
    Deployment d =
        (Deployment) Serialization.<List<HasMetadata>>unmarshal(ClusterDns.manifest(null)).get(4);
    assertEquals(
        Map.of("kubernetes.io/os", "linux"), d.getSpec().getTemplate().getSpec().getNodeSelector());
  }
}
