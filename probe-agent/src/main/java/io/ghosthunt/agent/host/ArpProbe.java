package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;

/**
 * Who-has on the wire: the MAC of a next hop, from the reply itself rather than the kernel's cache.
 */
public final class ArpProbe {
  private ArpProbe() {}

  /** The first MAC that answers for {@code target}, or null when none does within {@code wait}. */
  public static String resolve(
      RawLink link, Inet4Address sender, Inet4Address target, Duration wait) throws IOException {
    link.send(Frames.arpRequest(link.mac(), sender.getAddress(), target.getAddress()));
    Instant until = Instant.now().plus(wait);
    for (byte[] frame = link.receive(until); frame != null; frame = link.receive(until)) {
      Frames.Arp arp = Frames.arp(frame);
      if (arp != null && arp.reply() && arp.senderIp().equals(target)) {
        return Frames.mac(arp.senderMac());
      }
    }
    return null;
  }
}
