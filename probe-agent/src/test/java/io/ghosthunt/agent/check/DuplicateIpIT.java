package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.SegmentLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Intermittent dropouts: two hosts on one bridge claiming one address, two DHCP servers, and clean
 * twins.
 */
class DuplicateIpIT {

  private Lab lab;
  private SegmentLab segment;

  @BeforeEach
  void lab() {
    lab = new Lab();
    segment = new SegmentLab(lab);
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt(String spec) {
    return segment.node.ghosthunt(
        "check",
        "-f",
        segment.node.file("hunt.yaml", Hunts.hunt("dup", spec)).toString(),
        "-o",
        "json");
  }

  @Test
  void aSquatterOnTheNodesOwnAddressAnswersTheRfc5227Probe() {
    segment.host("squatter", SegmentLab.NODE + "/24", "02:00:00:00:00:99");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE);
    assertEquals(GhostName.DuplicateIp, f.getGhost(), f.getSummary());
    assertEquals(
        "192.0.2.10 is this node's address on eth0 (02:00:00:00:00:10) but is also claimed by 02:00:00:00:00:99",
        f.getSummary());
    assertEquals("02:00:00:00:00:99", f.getEvidence().get("macs"));
    assertEquals("RFC 5227 (sender 0.0.0.0)", f.getEvidence().get("probe"));
    assertTrue(
        f.getRemediation().startsWith("find the hosts behind 02:00:00:00:00:99"),
        f.getRemediation());
  }

  @Test
  void withAGatewayAnsweringTheWindowEndsEarlyAndStillNamesTheSquatter() {
    segment.host("gateway", "192.0.2.1/24", "02:00:00:00:00:01");
    segment.host("squatter", SegmentLab.NODE + "/24", "02:00:00:00:00:99");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE);
    assertEquals(GhostName.DuplicateIp, f.getGhost(), f.getSummary());
    assertEquals("02:00:00:00:00:99", f.getEvidence().get("macs"));
    assertTrue(
        f.getEvidence().get("listened").contains("(192.0.2.1 answered in "),
        f.getEvidence().get("listened"));
    assertTrue(
        f.getDurationMs() < 900, "the window ended early: " + f.getEvidence().get("listened"));
  }

  @Test
  void cleanTwinWithAGatewayEndsEarlyAndIsClear() {
    segment.host("gateway", "192.0.2.1/24", "02:00:00:00:00:01");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE);
    assertEquals(io.ghosthunt.api.status.FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertTrue(
        f.getDurationMs() < 900, "the window ended early: " + f.getEvidence().get("listened"));
    assertTrue(
        f.getDurationMs() >= DuplicateIpCheck.MIN_ARP_WINDOW.toMillis(),
        f.getEvidence().get("listened"));
  }

  @Test
  void theNodesOwnSecondInterfaceOnTheSameSegmentIsNoDuplicate() {
    // A second cable from the node into the same switch: with arp_ignore 0 (Linux's default) it
    // answers ARP for the node's first address too, with its own MAC.
    lab.plug(
        segment.sw, "br0", "p-node2", segment.node, "eth1", "192.0.2.12/24", "02:00:00:00:00:12");
    assertEquals("0", segment.node.sh("sysctl -n net.ipv4.conf.eth1.arp_ignore").trim());

    LabHost.Run run = hunt("checks:\n  duplicateIp: {interface: eth0}\n");

    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE);
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertEquals("none", f.getEvidence().get("macs"));
    assertTrue(
        f.getEvidence().get("accepted").startsWith("02:00:00:00:00:12 is this node's own eth1"),
        f.getEvidence().toString());
  }

  @Test
  void cleanTwinNobodyElseClaimsTheNodesAddress() {
    segment.host("neighbour", "192.0.2.30/24", "02:00:00:00:00:30");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE);
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals("none", f.getEvidence().get("macs"));
  }

  @Test
  void twoHostsClaimingANamedAddressAreBothNamedAndASingleOwnerIsClear() {
    segment.host("a", "192.0.2.20/24", "02:00:00:00:00:20");
    segment.host("b", "192.0.2.20/24", "02:00:00:00:00:21");
    segment.host("c", "192.0.2.30/24", "02:00:00:00:00:30");

    LabHost.Run run =
        hunt(
            "checks:\n  duplicateIp: {addresses: [\"192.0.2.20\", \"192.0.2.30\", \"192.0.2.40\"], interface: eth0}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding dup = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.20");
    assertEquals(GhostName.DuplicateIp, dup.getGhost());
    assertTrue(
        dup.getSummary().startsWith("192.0.2.20 is claimed by 2 MACs on eth0: "), dup.getSummary());
    assertTrue(
        dup.getSummary().contains("02:00:00:00:00:20")
            && dup.getSummary().contains("02:00:00:00:00:21"),
        dup.getSummary());
    assertEquals("who-has from 192.0.2.10", dup.getEvidence().get("probe"));

    Finding single = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.30");
    assertEquals(FindingVerdict.Clear, single.getVerdict());
    assertEquals("192.0.2.30 is claimed by one MAC only: 02:00:00:00:00:30", single.getSummary());

    Finding nobody = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.40");
    assertEquals(FindingVerdict.Inconclusive, nobody.getVerdict());
  }

  @Test
  void aSquatterOnTheNodesIpv6AddressAnswersTheDuplicateAddressProbe() {
    Lab.address6(segment.node, "eth0", "2001:db8::10/64");
    LabHost squatter = segment.host("squatter", "192.0.2.99/24", "02:00:00:00:00:99");
    // Added without detection, as keepalived adds a VIP, or after the node's own check ran.
    Lab.address6(squatter, "eth0", "2001:db8::10/64");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "2001:db8::10");
    assertEquals(GhostName.DuplicateIp, f.getGhost(), f.getSummary() + " " + f.getEvidence());
    assertEquals(
        "2001:db8::10 is this node's address on eth0 (02:00:00:00:00:10) but is also claimed by"
            + " 02:00:00:00:00:99",
        f.getSummary());
    assertEquals("02:00:00:00:00:99", f.getEvidence().get("macs"));
    assertEquals(
        "duplicate address detection (Neighbor Solicitation from ::)",
        f.getEvidence().get("probe"));
    assertEquals("passed (or skipped: nodad)", f.getEvidence().get("kernelDad"));
    // The IPv4 address of the same interface is hunted beside it, and clean.
    assertEquals(
        FindingVerdict.Clear,
        Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE).getVerdict());
  }

  @Test
  void cleanTwinNobodyElseHoldsTheNodesIpv6Address() {
    Lab.address6(segment.node, "eth0", "2001:db8::10/64");
    LabHost neighbour = segment.host("neighbour", "192.0.2.30/24", "02:00:00:00:00:30");
    Lab.address6(neighbour, "eth0", "2001:db8::30/64");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "2001:db8::10");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertEquals("none", f.getEvidence().get("macs"));
  }

  @Test
  void anIpv6AddressWhoseDetectionFailedIsAGhostNamingTheHolder() {
    LabHost squatter = segment.host("squatter", "192.0.2.99/24", "02:00:00:00:00:99");
    Lab.address6(squatter, "eth0", "2001:db8::20/64");
    // The node adds it the normal way (labs switch detection off): its kernel's detection sees
    // the squatter and gives up.
    segment.node.sh(
        "sysctl -qw net.ipv6.conf.eth0.accept_dad=1 && ip -6 addr add 2001:db8::20/64 dev eth0");
    segment.node.sh(
        "for i in $(seq 100); do ip -6 addr show dev eth0 | grep -q dadfailed && exit 0;"
            + " sleep 0.1; done; exit 1");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "2001:db8::20");
    assertEquals(GhostName.DuplicateIp, f.getGhost(), f.getSummary() + " " + f.getEvidence());
    assertEquals(
        "2001:db8::20 is this node's address on eth0 (02:00:00:00:00:10) but the kernel's duplicate"
            + " address detection failed, so the node does not use it; it is claimed by"
            + " 02:00:00:00:00:99",
        f.getSummary());
    assertEquals("failed: the address is tentative and unused", f.getEvidence().get("kernelDad"));
    assertTrue(
        f.getRemediation()
            .endsWith(
                "ip -6 addr del 2001:db8::20/64 dev eth0 && ip -6 addr add 2001:db8::20/64 dev eth0"),
        f.getRemediation());
  }

  @Test
  void twoHostsClaimingANamedIpv6AddressAreBothNamedAndASingleOwnerIsClear() {
    Lab.address6(segment.node, "eth0", "2001:db8::10/64");
    Lab.address6(
        segment.host("a", "192.0.2.20/24", "02:00:00:00:00:20"), "eth0", "2001:db8::20/64");
    Lab.address6(
        segment.host("b", "192.0.2.21/24", "02:00:00:00:00:21"), "eth0", "2001:db8::20/64");
    Lab.address6(
        segment.host("c", "192.0.2.30/24", "02:00:00:00:00:30"), "eth0", "2001:db8::30/64");

    LabHost.Run run =
        hunt(
            "checks:\n  duplicateIp: {addresses: [\"2001:db8::20\", \"2001:db8::30\"], interface: eth0}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding dup = Hunts.finding(run, CheckKey.DUPLICATE_IP, "2001:db8::20");
    assertEquals(GhostName.DuplicateIp, dup.getGhost(), dup.getSummary());
    assertTrue(
        dup.getSummary().startsWith("2001:db8::20 is claimed by 2 MACs on eth0: "),
        dup.getSummary());
    assertTrue(
        dup.getSummary().contains("02:00:00:00:00:20")
            && dup.getSummary().contains("02:00:00:00:00:21"),
        dup.getSummary());
    assertEquals("Neighbor Solicitation from 2001:db8::10", dup.getEvidence().get("probe"));
    Finding single = Hunts.finding(run, CheckKey.DUPLICATE_IP, "2001:db8::30");
    assertEquals(FindingVerdict.Clear, single.getVerdict(), single.getSummary());
    assertEquals("2001:db8::30 is claimed by one MAC only: 02:00:00:00:00:30", single.getSummary());
  }

  @Test
  void aVrrpMasterAnsweringFromItsOwnInterfaceBesideTheVirtualMacIsNoDuplicate() {
    vrrpMaster();

    LabHost.Run run = hunt("checks:\n  duplicateIp: {addresses: [\"192.0.2.50\"]}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.50");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertEquals("192.0.2.50 is claimed by one MAC only: 00:00:5e:00:01:33", f.getSummary());
    assertTrue(
        f.getEvidence()
            .get("accepted")
            .startsWith(
                "02:00:00:00:00:40 answers beside the VRRP virtual MAC 00:00:5e:00:01:33 (virtual"
                    + " router 51)"),
        f.getEvidence().toString());
  }

  @Test
  void aSecondHostOnAVrrpAddressBesideTheMasterIsStillADuplicate() {
    vrrpMaster();
    segment.host("squatter", "192.0.2.50/24", "02:00:00:00:00:99");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {addresses: [\"192.0.2.50\"]}\n");

    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.50");
    assertEquals(GhostName.DuplicateIp, f.getGhost(), f.getSummary() + " " + f.getEvidence());
    assertTrue(
        f.getSummary().startsWith("192.0.2.50 is claimed by 3 MACs on eth0: "), f.getSummary());
    assertTrue(f.getSummary().contains("02:00:00:00:00:99"), f.getSummary());
  }

  /**
   * keepalived with {@code use_vmac}: the virtual address on a macvlan with VRRP's virtual MAC for
   * router 51, beside the host's own interface, which (arp_ignore 0) answers for it too.
   */
  private void vrrpMaster() {
    LabHost master = segment.host("master", "192.0.2.40/24", "02:00:00:00:00:40");
    master.sh(
        "ip link add vrrp.51 link eth0 address 00:00:5e:00:01:33 type macvlan mode bridge"
            + " && ip addr add 192.0.2.50/24 dev vrrp.51 && ip link set vrrp.51 up");
  }

  @Test
  void theDefaultGatewayAnsweringByProxyArpIsNoDuplicate() {
    LabHost gateway = segment.host("gateway", "192.0.2.1/24", "02:00:00:00:00:01");
    // It routes 192.0.2.60 elsewhere and answers ARP for it on the segment; proxy_delay 0 so that
    // its answer is in before the window (which the gateway's own quick answer shortens) ends.
    lab.link(gateway, "gw-far", "203.0.113.1/24", lab.host("far"), "far-gw", "203.0.113.2/24");
    gateway.sh(
        "ip route add 192.0.2.60/32 dev gw-far"
            + " && sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.eth0.proxy_arp=1"
            + " net.ipv4.neigh.eth0.proxy_delay=0");
    segment.host("host", "192.0.2.60/24", "02:00:00:00:00:60");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {addresses: [\"192.0.2.60\"]}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "192.0.2.60");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertEquals("02:00:00:00:00:60", f.getEvidence().get("macs"));
    assertTrue(
        f.getEvidence()
            .get("accepted")
            .startsWith(
                "02:00:00:00:00:01 is the default gateway's (192.0.2.1): a router answering by"
                    + " proxy ARP"),
        f.getEvidence().toString());
  }

  @Test
  void twoDhcpServersOfTheSameRouterAndSubnetAreAPairByDesign() {
    segment.dhcpServer(
        "dhcp1", "192.0.2.2", "02:00:00:00:00:02", "192.0.2.100", "192.0.2.149", "192.0.2.1");
    segment.dhcpServer(
        "dhcp2", "192.0.2.3", "02:00:00:00:00:03", "192.0.2.150", "192.0.2.199", "192.0.2.1");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {dhcp: true}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "dhcp on eth0");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertTrue(f.getSummary().startsWith("2 DHCP servers offer on eth0: "), f.getSummary());
    assertEquals(
        "2 servers offer the same router 192.0.2.1 and addresses in 192.0.2.0/24, as the two"
            + " servers of a failover pair or a split scope do; list them in dhcpServers to pin"
            + " them, and any other that offers is rogue",
        f.getEvidence().get("accepted"));
  }

  @Test
  void twoDhcpServersOfferingIsRogueDhcpNamingEach() {
    segment.dhcpServer("dhcp1", "192.0.2.2", "02:00:00:00:00:02", "192.0.2.100", "192.0.2.149");
    segment.dhcpServer("dhcp2", "192.0.2.3", "02:00:00:00:00:03", "192.0.2.150", "192.0.2.199");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {dhcp: true}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "dhcp on eth0");
    assertEquals(GhostName.RogueDhcp, f.getGhost(), f.getSummary());
    assertTrue(f.getSummary().startsWith("2 DHCP servers offer on eth0: "), f.getSummary());
    assertTrue(
        f.getSummary().contains("192.0.2.2 (02:00:00:00:00:02, offers 192.0.2.1"), f.getSummary());
    assertTrue(
        f.getSummary().contains("192.0.2.3 (02:00:00:00:00:03, offers 192.0.2.1"), f.getSummary());
    assertEquals("2", f.getEvidence().get("offers"));
    // The node's own address is still fine.
    assertEquals(
        FindingVerdict.Clear,
        Hunts.finding(run, CheckKey.DUPLICATE_IP, SegmentLab.NODE).getVerdict());
  }

  @Test
  void anOfferFromAServerNotAllowedIsRogueEvenAlone() {
    segment.dhcpServer("dhcp2", "192.0.2.3", "02:00:00:00:00:03", "192.0.2.150", "192.0.2.199");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {dhcp: true, dhcpServers: [\"192.0.2.2\"]}\n");

    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "dhcp on eth0");
    assertEquals(GhostName.RogueDhcp, f.getGhost(), f.getSummary());
    assertTrue(
        f.getSummary().endsWith("offers on eth0 but is not among the allowed servers (192.0.2.2)"),
        f.getSummary());
  }

  @Test
  void cleanTwinOneAllowedDhcpServer() {
    segment.dhcpServer("dhcp1", "192.0.2.2", "02:00:00:00:00:02", "192.0.2.100", "192.0.2.149");

    LabHost.Run run = hunt("checks:\n  duplicateIp: {dhcp: true, dhcpServers: [\"192.0.2.2\"]}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DUPLICATE_IP, "dhcp on eth0");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertNull(f.getGhost());
    assertTrue(
        f.getSummary()
            .startsWith(
                "one DHCP server offers on eth0: 192.0.2.2 (02:00:00:00:00:02, offers 192.0.2.1"),
        f.getSummary());
  }
}
