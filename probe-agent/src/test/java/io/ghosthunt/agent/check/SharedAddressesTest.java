package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.Dhcp;
import java.net.Inet4Address;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which second MACs and second DHCP servers are there by design: the pure rules. */
class SharedAddressesTest {

  private static final String VMAC = "00:00:5e:00:01:33";

  private static Set<String> macs(String... m) {
    return new LinkedHashSet<>(List.of(m));
  }

  private static Inet4Address v4(String a) {
    return (Inet4Address) Addresses.literal(a);
  }

  private static Dhcp.Offer offer(String server, String offered, String mask, String router) {
    return new Dhcp.Offer(
        v4(server),
        v4(offered),
        mask == null ? null : v4(mask),
        router == null ? null : v4(router),
        "02:00:00:00:00:02");
  }

  @Test
  void theOnePhysicalMacBesideAVrrpVirtualMacIsTheMaster() {
    Map<String, String> ok = SharedAddresses.explained(macs(VMAC, "02:00:00:00:00:40"), null, null);
    assertEquals(Set.of("02:00:00:00:00:40"), ok.keySet());
    assertTrue(
        ok.get("02:00:00:00:00:40")
            .contains("beside the VRRP virtual MAC " + VMAC + " (virtual router 51)"),
        ok.toString());
  }

  @Test
  void twoPhysicalMacsBesideAVirtualOneAreTwoHosts() {
    assertEquals(
        Map.of(),
        SharedAddresses.explained(
            macs(VMAC, "02:00:00:00:00:40", "02:00:00:00:00:41"), null, null));
  }

  @Test
  void theGatewaysMacIsAProxyArpRouter() {
    Map<String, String> ok =
        SharedAddresses.explained(
            macs("02:00:00:00:00:60", "02:00:00:00:00:01"), "02:00:00:00:00:01", "192.0.2.1");
    assertEquals(Set.of("02:00:00:00:00:01"), ok.keySet());
    assertTrue(
        ok.get("02:00:00:00:00:01").contains("default gateway's (192.0.2.1)"), ok.toString());
  }

  @Test
  void twoOrdinaryMacsAndALoneMacAreLeftAlone() {
    assertEquals(
        Map.of(),
        SharedAddresses.explained(
            macs("02:00:00:00:00:20", "02:00:00:00:00:21"), "02:00:00:00:00:01", "192.0.2.1"));
    assertEquals(
        Map.of(), SharedAddresses.explained(macs("02:00:00:00:00:01"), "02:00:00:00:00:01", "x"));
    assertEquals(Map.of(), SharedAddresses.explained(macs(VMAC), null, null));
  }

  @Test
  void serversAgreeingOnRouterAndSubnetAreAPairByDesign() {
    Optional<String> why =
        SharedAddresses.agreeingServers(
            List.of(
                offer("192.0.2.2", "192.0.2.100", "255.255.255.0", "192.0.2.1"),
                offer("192.0.2.3", "192.0.2.150", "255.255.255.0", "192.0.2.1")));
    assertTrue(why.isPresent());
    assertTrue(
        why.get()
            .startsWith("2 servers offer the same router 192.0.2.1 and addresses in 192.0.2.0/24"),
        why.get());
  }

  @Test
  void anotherRouterAnotherSubnetOrNoMaskIsNoPair() {
    Dhcp.Offer a = offer("192.0.2.2", "192.0.2.100", "255.255.255.0", "192.0.2.1");
    assertEquals(
        Optional.empty(),
        SharedAddresses.agreeingServers(
            List.of(a, offer("192.0.2.3", "192.0.2.150", "255.255.255.0", "192.0.2.3"))));
    assertEquals(
        Optional.empty(),
        SharedAddresses.agreeingServers(
            List.of(a, offer("192.168.1.1", "192.168.1.20", "255.255.255.0", "192.0.2.1"))));
    assertEquals(
        Optional.empty(),
        SharedAddresses.agreeingServers(
            List.of(a, offer("192.0.2.3", "192.0.2.150", null, "192.0.2.1"))));
    assertEquals(Optional.empty(), SharedAddresses.agreeingServers(List.of(a)));
  }

  @Test
  void aSubnetIsTheOfferedAddressUnderItsMask() {
    assertEquals(
        "198.51.100.128/25",
        SharedAddresses.subnet(offer("198.51.100.129", "198.51.100.130", "255.255.255.128", null)));
  }
}
