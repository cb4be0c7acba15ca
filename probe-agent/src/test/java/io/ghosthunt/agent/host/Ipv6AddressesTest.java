package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv6AddressesTest {

  @Test
  void readsEachAddressWithItsDuplicateDetectionState() {
    // As ip -j -6 addr show prints it: one usable, one whose detection failed, one still running.
    String json =
        """
        [{"ifindex":3,"ifname":"eth0","addr_info":[
          {"family":"inet6","local":"2001:db8::10","prefixlen":64,"scope":"global","nodad":true},
          {"family":"inet6","local":"2001:db8::20","prefixlen":64,"scope":"global","tentative":true,"dadfailed":true},
          {"family":"inet6","local":"2001:db8::30","prefixlen":64,"scope":"global","tentative":true},
          {}]}]
        """;

    List<Ipv6Addresses.Own> own = Ipv6Addresses.parse(json);

    assertEquals(3, own.size());
    assertEquals("2001:db8::10", Addresses.text(own.get(0).address()));
    assertEquals(false, own.get(0).dadFailed());
    assertEquals(true, own.get(1).dadFailed());
    assertEquals(true, own.get(2).tentative());
    assertEquals(false, own.get(2).dadFailed());
  }

  @Test
  void garbageIsNoAddress() {
    assertEquals(List.of(), Ipv6Addresses.parse("not json"));
    assertEquals(List.of(), Ipv6Addresses.parse("[]"));
  }
}
