package io.ghosthunt.lab.cluster;

import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lab cluster's node and pod network, as the simplest real CNI setups make it (kindnet,
 * flannel's host-gw): every node on one segment (a bridge in a switch host of the nodes' lab) with
 * its InternalIP in {@link #NODES}, a pod range of its own in {@link #CLUSTER_CIDR} behind the
 * node's {@code cni0} bridge (the Debian {@code bridge} and {@code host-local} CNI plugins), and on
 * every node a route to each other node's pod range via that node. Addresses come from the
 * documentation ranges only; the switch and the cables go with the lab.
 */
final class PodNetwork {

  /** Every pod address in the cluster (kube-proxy's clusterCIDR). */
  static final String CLUSTER_CIDR = "198.51.100.128/25";

  /** The nodes' segment. */
  static final String NODES = "203.0.113.240/28";

  /** The Service range of scripts/control-plane.sh. */
  static final String SERVICES = "203.0.113.224/28";

  /**
   * Node slots: InternalIP 203.0.113.241 + slot, pod range 198.51.100.128 + 8 × slot /29 (five
   * pods).
   */
  static final int SLOTS = 14;

  private static final BitSet TAKEN = new BitSet(SLOTS);
  private static final Map<Lab, PodNetwork> BY_LAB = new HashMap<>();

  private final Lab lab;
  private final LabHost sw;
  private final Map<Integer, LabHost> nodes = new TreeMap<>();

  private PodNetwork(Lab lab) {
    this.lab = lab;
    this.sw = lab.host("cluster-net");
    lab.bridge(sw, "br0");
  }

  /** A free node slot, held until {@link #release}. */
  static synchronized int reserve() {
    int slot = TAKEN.nextClearBit(0);
    if (slot >= SLOTS) {
      throw new IllegalStateException(
          "the lab cluster's network holds at most " + SLOTS + " nodes at a time");
    }
    TAKEN.set(slot);
    return slot;
  }

  static String nodeIp(int slot) {
    return "203.0.113." + (241 + slot);
  }

  static String podCidr(int slot) {
    return "198.51.100." + (128 + 8 * slot) + "/29";
  }

  /**
   * Plugs {@code node} into its lab's cluster segment at {@code slot} and routes pod ranges both
   * ways.
   */
  static synchronized void attach(LabHost node, int slot) {
    PodNetwork net = BY_LAB.computeIfAbsent(node.lab(), PodNetwork::new);
    net.lab.plug(
        net.sw,
        "br0",
        "n" + slot,
        node,
        "gh-cluster",
        nodeIp(slot) + "/28",
        "02:00:00:00:0c:%02x".formatted(slot));
    // A connection is routed before kube-proxy's rules translate it: a node whose lab gave it no
    // default route needs a route for the Service range (a real node's default route covers it).
    node.sh("ip route add " + SERVICES + " dev gh-cluster");
    // Pod traffic that leaves the cluster leaves as the node, as CNIs make it (flannel, the bridge
    // plugin's ipMasq, ip-masq-agent): hosts beyond the node know no pod range to answer to.
    node.sh(
        "nft add table ip gh-pods && nft add chain ip gh-pods postrouting '{ type nat hook postrouting priority 100; }'"
            + " && nft add rule ip gh-pods postrouting ip saddr "
            + podCidr(slot)
            + " ip daddr != "
            + CLUSTER_CIDR
            + " oifname != cni0 masquerade");
    for (Map.Entry<Integer, LabHost> other : net.nodes.entrySet()) {
      node.sh(route(other.getKey()));
      other.getValue().sh(route(slot));
    }
    net.nodes.put(slot, node);
  }

  /** Takes the node off its segment's routes and frees its slot; its cable goes with its lab. */
  static synchronized void release(LabHost node, int slot) {
    PodNetwork net = BY_LAB.get(node.lab());
    if (net != null && net.nodes.remove(slot) != null) {
      for (LabHost other : net.nodes.values()) {
        try {
          other.sh("ip route del " + podCidr(slot) + " 2>/dev/null || true");
        } catch (RuntimeException e) {
          // that node's lab is already gone, and its routes with it
        }
      }
      if (net.nodes.isEmpty()) {
        BY_LAB.remove(node.lab());
      }
    }
    TAKEN.clear(slot);
  }

  private static String route(int slot) {
    return "ip route replace " + podCidr(slot) + " via " + nodeIp(slot) + " dev gh-cluster";
  }

  /**
   * The node's CNI configuration: a bridge with the node as the pods' gateway, addresses from its
   * range.
   */
  static String cniConfig(int slot, String ipamDir) {
    return """
        {"cniVersion": "0.4.0", "name": "ghosthunt-pods", "plugins": [
          {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
           "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
                    "routes": [{"dst": "0.0.0.0/0"}]}}]}
        """
        .formatted(ipamDir, podCidr(slot));
  }
}
