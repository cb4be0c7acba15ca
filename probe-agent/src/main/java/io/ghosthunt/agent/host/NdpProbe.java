package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.Inet6Address;
import java.time.Duration;
import java.time.Instant;

/**
 * IPv6's who-has: a Neighbor Solicitation on the wire and the MAC from the advertisement itself, as
 * {@link ArpProbe} does for IPv4, rather than from the kernel's neighbour cache.
 */
public final class NdpProbe {
  private NdpProbe() {}

  /** The first MAC advertised for {@code target}, or null when none is within {@code wait}. */
  public static String resolve(
      RawLink link, Inet6Address sender, Inet6Address target, Duration wait) throws IOException {
    link.send(Frames6.neighborSolicitation(link.mac(), sender, target));
    Instant until = Instant.now().plus(wait);
    for (byte[] frame = link.receive(until); frame != null; frame = link.receive(until)) {
      Frames6.Icmp6 na = Frames6.icmp6(frame);
      if (na != null && na.neighborAdvertisement() && target.equals(na.target())) {
        return Frames.mac(na.targetMac());
      }
    }
    return null;
  }
}
