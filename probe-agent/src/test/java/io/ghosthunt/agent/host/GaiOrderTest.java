package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GaiOrderTest {

  private static final InetAddress V4 = Addresses.literal("127.0.0.1");
  private static final InetAddress V6 = Addresses.literal("::1");

  @Test
  void byDefaultGlibcPutsIpv6LoopbackFirstWhateverTheHostsFileOrder() {
    GaiOrder order = GaiOrder.parse(List.of("# precedence ::ffff:0:0/96  100", ""), "gai.conf");
    assertEquals(List.of(V6, V4), order.sort(List.of(V4, V6), a -> true));
    assertTrue(order.source().contains("sets no precedence"), order.source());
  }

  @Test
  void theUsualGaiConfLineForIpv4FirstIsHonoured() {
    // Debian's gai.conf documents this line for sites that want IPv4 first.
    GaiOrder order =
        GaiOrder.parse(
            List.of(
                "precedence  ::1/128       50",
                "precedence  ::/0          40",
                "precedence  2002::/16     30",
                "precedence ::/96          20",
                "precedence ::ffff:0:0/96  100"),
            "gai.conf");
    assertEquals(List.of(V4, V6), order.sort(List.of(V6, V4), a -> true));
  }

  @Test
  void anyPrecedenceLineReplacesTheWholeTable() {
    // Only IPv4 named: ::1 falls to ::/0... which is not there either, so 0, below IPv4's 10.
    GaiOrder order = GaiOrder.parse(List.of("precedence ::ffff:0:0/96 10"), "gai.conf");
    assertEquals(List.of(V4, V6), order.sort(List.of(V6, V4), a -> true));
  }

  @Test
  void anUnusableAddressGoesLast() {
    GaiOrder order = GaiOrder.parse(List.of(), "gai.conf");
    assertEquals(List.of(V4, V6), order.sort(List.of(V6, V4), a -> a != V6));
  }

  @Test
  void aMissingFileIsTheDefault() {
    GaiOrder order = GaiOrder.read(Path.of("/nonexistent/gai.conf"));
    assertEquals(List.of(V6, V4), order.sort(List.of(V4, V6), a -> true));
    assertTrue(order.source().contains("missing"), order.source());
  }
}
