package io.ghosthunt.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Five lab nodes, every ghost somewhere and one node clean: what {@code ghosthunt demo} shows and
 * the end-to-end tests hunt.
 *
 * <ul>
 *   <li>{@code node-a}: the Tuesday possession, a worker's orphaned child holding port 8080 ({@code
 *       OrphanedPort}); it resolves through systemd-resolved, whose cache still serves {@link
 *       ResolvedLab#APP}'s pre-migration address ({@code StaleDns} for {@code
 *       examples/stale-resolved.yaml}; the names of the other examples are not in its zone);
 *   <li>{@code node-b} (labelled {@code role=web} in a cluster): on a shared segment, a resolver
 *       still serving app.example.test's pre-migration address ({@code StaleDns}), nginx failing
 *       HTTP/2 only ({@code Http2Quirk}), and another host claiming the node's second address
 *       {@link #CLAIMED} ({@code DuplicateIp});
 *   <li>{@code node-c}: a path to {@link MtuLab#FAR} through a 1400-byte link whose frag-needed
 *       errors are dropped ({@code MtuBlackhole});
 *   <li>{@code node-d}: a stateful firewall whose server answers by another route ({@code
 *       AsymmetricRoute}) and whose own loopback drops port 9090 ({@code LoopbackBlocked});
 *   <li>{@code node-e}: clean, its service (python3) listening on 127.0.0.1:8081.
 * </ul>
 */
public final class HauntedHouse {

  public static final String CLAIMED = "192.0.2.11";
  public static final String SQUATTER_MAC = "02:00:00:00:00:99";

  /** Node name → its lab host. */
  public final Map<String, LabHost> nodes = new LinkedHashMap<>();

  /** node-a's systemd-resolved and its upstream. */
  public final ResolvedLab resolved;

  /** The PID that squats port 8080 on node-a. */
  public final int orphan;

  public HauntedHouse(Lab lab) {
    LabHost a = lab.host("node-a");
    orphan = a.orphanedListener("0.0.0.0", 8080);
    resolved = new ResolvedLab(lab, a);
    resolved.haunt();
    nodes.put("node-a", a);

    SegmentLab segment = new SegmentLab(lab);
    LabHost b = segment.node;
    b.sh("ip addr add " + CLAIMED + "/24 dev eth0");
    segment.host("squatter", CLAIMED + "/24", SQUATTER_MAC);
    DnsLab dns =
        new DnsLab(b, segment.host("dns", DnsLab.RESOLVER + "/24", "02:00:00:00:00:53"), "eth0");
    dns.prime("app.example.test");
    dns.migrate();
    new WebLab(b, segment.host("web", WebLab.WEB + "/24", "02:00:00:00:00:80"));
    nodes.put("node-b", b);

    nodes.put("node-c", new MtuLab(lab, true, true).node);

    AsymmetricLab asymmetric = new AsymmetricLab(lab, true);
    // Clients that keep failing, as users do while the ghost is there: the check watches their
    // packets.
    asymmetric.keepTrying(5, 2);
    LabHost d = asymmetric.fw;
    d.listen("127.0.0.1", 9090);
    d.sh(
        "nft add table inet ghlo && nft add chain inet ghlo input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghlo input iifname lo tcp dport 9090 counter drop");
    nodes.put("node-d", d);

    LabHost e = lab.host("node-e");
    e.listen("127.0.0.1", 8081);
    nodes.put("node-e", e);

    // Without a file of its own, ip netns exec shows a namespace this machine's resolv.conf: its
    // resolver, which no lab route reaches, would stand in the nodes' findings and their pods'
    // search lists, different on every machine that runs the house.
    for (String name : List.of("node-c", "node-d", "node-e")) {
      nodes.get(name).resolvConf("# a ghosthunt lab node: no resolver of its own\n");
    }
  }
}
