package io.ghosthunt.agent.host;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Watches, for a short while, the packets that arrive for some TCP flows and reports the first one
 * that only a completed handshake sends (no SYN, no RST: an ACK, data, a FIN). A flow this node
 * tracks as SYN_SENT whose client sends such packets got the peer's SYN-ACK by another path.
 */
public final class FlowWatch {

  /** A flow as conntrack's original direction names it. */
  public record Flow(String src, int sport, String dst, int dport) {
    public String describe() {
      return src + ":" + sport + " -> " + dst + ":" + dport;
    }
  }

  /** The packet seen: its flow, its TCP flags in words, and when after the watch began. */
  public record Seen(Flow flow, String flags, Duration after, String iface) {}

  private FlowWatch() {}

  /**
   * Watches {@code iface} until {@code until} for a packet of one of {@code flows} (IPv4) without
   * SYN or RST.
   */
  public static Optional<Seen> firstHandshakeCompleting(
      String iface, Collection<Flow> flows, Instant until) throws IOException {
    Set<String> clients =
        flows.stream().map(Flow::src).collect(Collectors.toCollection(java.util.TreeSet::new));
    String filter =
        "tcp and ("
            + clients.stream()
                .limit(16)
                .map(c -> "src host " + c)
                .collect(Collectors.joining(" or "))
            + ") and (tcp[tcpflags] & (tcp-syn|tcp-rst)) == 0";
    Set<Flow> wanted = Set.copyOf(flows);
    Instant started = Instant.now();
    try (RawLink link = RawLink.open(iface, filter)) {
      byte[] frame;
      while ((frame = link.receive(until)) != null) {
        Optional<Packet> p = parse(frame);
        if (p.isPresent() && wanted.contains(p.get().flow()) && !p.get().syn() && !p.get().rst()) {
          return Optional.of(
              new Seen(
                  p.get().flow(),
                  p.get().flagWords(),
                  Duration.between(started, Instant.now()),
                  iface));
        }
      }
    }
    return Optional.empty();
  }

  record Packet(Flow flow, int flags) {
    boolean syn() {
      return (flags & 0x02) != 0;
    }

    boolean rst() {
      return (flags & 0x04) != 0;
    }

    String flagWords() {
      List<String> words = new java.util.ArrayList<>();
      String[] names = {"FIN", "SYN", "RST", "PSH", "ACK"};
      for (int i = 0; i < names.length; i++) {
        if ((flags & (1 << i)) != 0) {
          words.add(names[i]);
        }
      }
      return String.join("+", words);
    }
  }

  /** An Ethernet frame's IPv4 TCP flow and flags, or empty for anything else. */
  static Optional<Packet> parse(byte[] frame) {
    int e = Frames.ETHERNET_HEADER;
    if (frame.length < e + 20
        || (frame[12] & 0xff) != 0x08
        || frame[13] != 0x00
        || (frame[e] & 0xf0) != 0x40
        || (frame[e + 9] & 0xff) != 6) {
      return Optional.empty();
    }
    int ihl = (frame[e] & 0x0f) * 4;
    int t = e + ihl;
    if (frame.length < t + 14) {
      return Optional.empty();
    }
    String src =
        (frame[e + 12] & 0xff)
            + "."
            + (frame[e + 13] & 0xff)
            + "."
            + (frame[e + 14] & 0xff)
            + "."
            + (frame[e + 15] & 0xff);
    String dst =
        (frame[e + 16] & 0xff)
            + "."
            + (frame[e + 17] & 0xff)
            + "."
            + (frame[e + 18] & 0xff)
            + "."
            + (frame[e + 19] & 0xff);
    int sport = ((frame[t] & 0xff) << 8) | (frame[t + 1] & 0xff);
    int dport = ((frame[t + 2] & 0xff) << 8) | (frame[t + 3] & 0xff);
    return Optional.of(new Packet(new Flow(src, sport, dst, dport), frame[t + 13] & 0x3f));
  }
}
