package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Who-has on the wire, collecting every MAC that answers within a window. */
public final class ArpProbe {
  private ArpProbe() {}

  /**
   * Broadcasts who-has {@code target} from {@code sender} (null: 0.0.0.0, an RFC 5227 probe that a
   * host owning the address must answer without learning anything from us) and returns each MAC
   * that replied for it, in the order they answered, with the Ethernet source it came from.
   */
  public static Map<String, String> whoHas(RawLink link, Inet4Address sender, Inet4Address target, Duration window)
      throws IOException {
    byte[] senderIp = sender == null ? new byte[4] : sender.getAddress();
    link.send(Frames.arpRequest(link.mac(), senderIp, target.getAddress()));
    Map<String, String> macs = new LinkedHashMap<>();
    Instant until = Instant.now().plus(window);
    for (byte[] frame = link.receive(until); frame != null; frame = link.receive(until)) {
      Frames.Arp arp = Frames.arp(frame);
      if (arp != null && arp.reply() && arp.senderIp().equals(target)) {
        macs.putIfAbsent(Frames.mac(arp.senderMac()), Frames.mac(arp.frameSource()));
      }
    }
    return macs;
  }

  /** The first MAC that answers for {@code target}, or null when none does within {@code wait}. */
  public static String resolve(RawLink link, Inet4Address sender, Inet4Address target, Duration wait) throws IOException {
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
