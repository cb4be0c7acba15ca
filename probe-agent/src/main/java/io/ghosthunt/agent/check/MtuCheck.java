package io.ghosthunt.agent.check;

import io.ghosthunt.agent.check.PathMtuSearch.Kind;
import io.ghosthunt.agent.check.PathMtuSearch.Probe;
import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.ArpProbe;
import io.ghosthunt.agent.host.Frames;
import io.ghosthunt.agent.host.Frames6;
import io.ghosthunt.agent.host.NdpProbe;
import io.ghosthunt.agent.host.RawLink;
import io.ghosthunt.agent.host.Route;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Big transfers hang: path MTU discovery with don't-fragment ICMP echoes (ICMPv6 echoes for an IPv6
 * target) sent as raw frames, so that neither the kernel's cached path MTU nor its fragmentation
 * gets in the way. Tells apart an echo reply, a router's frag-needed or Packet Too Big (discovery
 * works) and silence (a black hole). Ghost {@code MtuBlackhole} when sizes above the path MTU
 * vanish without a frag-needed, every time: on a lossy path any probe can vanish once, so a silence
 * counts only when it is confirmed.
 */
public final class MtuCheck implements Check {

  private static final Duration FIRST_WAIT = Duration.ofMillis(1000);
  private static final Duration ARP_WAIT = Duration.ofMillis(1000);

  @Override
  public CheckKey key() {
    return CheckKey.MTU;
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    List<Finding> findings = new ArrayList<>();
    for (String target : checks.getMtu().getTargets()) {
      long started = System.nanoTime();
      Finding f;
      try {
        f = probe(target, context);
      } catch (IOException e) {
        f = Findings.error(key(), target, e.getMessage());
      }
      f.setDurationMs((System.nanoTime() - started) / 1_000_000);
      findings.add(f);
    }
    return findings;
  }

  /**
   * What differs between the families: the router's error, the evidence key naming it, the headers
   * an MSS leaves out of the MTU, and the firewall command that clamps it.
   */
  record Family(
      String error, String reported, String errorKey, String errorType, int headers, String ipt) {
    static final Family V4 =
        new Family(
            "an ICMP frag-needed",
            "ICMP frag-needed",
            "fragNeeded",
            "ICMP type 3 code 4 (frag-needed)",
            40,
            "iptables");
    static final Family V6 =
        new Family(
            "an ICMPv6 Packet Too Big",
            "ICMPv6 Packet Too Big",
            "packetTooBig",
            "ICMPv6 type 2 (Packet Too Big)",
            60,
            "ip6tables");

    static Family of(InetAddress a) {
      return a instanceof Inet6Address ? V6 : V4;
    }
  }

  /** The target's IPv4 address when it has one, else its IPv6 address; null when unknown. */
  static InetAddress pick(InetAddress[] addresses) {
    return Arrays.stream(addresses)
        .filter(Inet4Address.class::isInstance)
        .findFirst()
        .or(() -> Arrays.stream(addresses).filter(Inet6Address.class::isInstance).findFirst())
        .orElse(null);
  }

  private Finding probe(String target, CheckContext context) throws IOException {
    InetAddress dst;
    try {
      dst = pick(InetAddress.getAllByName(target));
    } catch (UnknownHostException e) {
      return Findings.error(key(), target, "cannot resolve " + target + ": " + e.getMessage());
    }
    if (dst == null) {
      return Findings.error(key(), target, target + " has no IP address");
    }
    String ip = Addresses.text(dst);
    Route route = Route.to(ip, context.atMost(Duration.ofSeconds(5)));
    if (!route.exists() || route.src() == null) {
      return Findings.error(key(), target, "no route to " + ip + " on this node");
    }
    InetAddress src = Addresses.literal(route.src());
    String nextHop = route.nextHop(ip);
    boolean v6 = dst instanceof Inet6Address;
    String filter =
        v6 ? "icmp6 and dst host " + route.src() : "arp or (icmp and dst host " + route.src() + ")";
    try (RawLink link = RawLink.open(route.dev(), filter)) {
      InetAddress hop = Addresses.literal(nextHop);
      String mac =
          v6
              ? NdpProbe.resolve(
                  link, (Inet6Address) src, (Inet6Address) hop, context.atMost(ARP_WAIT))
              : ArpProbe.resolve(
                  link, (Inet4Address) src, (Inet4Address) hop, context.atMost(ARP_WAIT));
      if (mac == null) {
        return Findings.inconclusive(
            key(),
            target,
            "the next hop "
                + nextHop
                + " on "
                + route.dev()
                + (v6 ? " does not answer Neighbor Solicitation" : " does not answer ARP")
                + ", so nothing can be sent towards "
                + ip);
      }
      WireProber prober = new WireProber(link, Frames.macBytes(mac), src, dst, context);
      PathMtuSearch search = new PathMtuSearch(prober, link.mtu());
      Finding f =
          search.run()
              ? measured(target, ip, link.name(), Family.of(dst), search)
              : noEcho(target, ip, Family.of(dst), search.floor(), search.probes());
      f.evidence("interface", link.name() + " mtu " + link.mtu());
      f.evidence("nextHop", nextHop + " (" + mac + ")");
      f.evidence(
          "probes",
          search.probes().size() + " (" + search.lostProbes() + " lost): " + search.sequence());
      f.evidence(
          "kernelCachedMtu",
          route.cachedMtu() == null
              ? "none"
              : route.cachedMtu()
                  + " (the kernel already learned a smaller path MTU for "
                  + ip
                  + ")");
      return f;
    }
  }

  private Finding noEcho(String target, String ip, Family family, Probe floor, List<Probe> probes) {
    int smallest = probes.stream().mapToInt(Probe::size).min().orElse(floor.size());
    return Findings.inconclusive(
        key(),
        target,
        ip
            + " does not answer ICMP echo even at "
            + smallest
            + " bytes"
            + (floor.kind() == Kind.FRAG_NEEDED
                ? " ("
                    + family.errorKey()
                    + " "
                    + floor.nextHopMtu()
                    + " from "
                    + floor.from()
                    + ")"
                : "")
            + ", so its path MTU cannot be measured by echo: name a target that answers ping");
  }

  private Finding measured(
      String target, String ip, String dev, Family family, PathMtuSearch search) {
    int answered = search.answered();
    int top = search.top();
    Probe reported = search.reported();
    Finding f = judge(target, ip, dev, family, top, search);
    f.evidence(
        "pathMtu",
        answered
            + (search.exact()
                ? ""
                : " at least (search stopped at " + search.probes().size() + " probes)"));
    f.evidence("largestAnswered", answered);
    f.evidence("smallestLost", search.lost() > top ? "none" : search.lost());
    f.evidence(
        family.errorKey(),
        reported == null
            ? "none"
            : "from " + reported.from() + ", next-hop MTU " + reported.nextHopMtu());
    f.evidence("perSize", search.perSize());
    f.evidence("loss", search.lossAtPassingSizes());
    f.evidence("rtt", String.format("%.2f ms", search.floor().rttMicros() / 1000.0));
    return f;
  }

  private Finding judge(
      String target, String ip, String dev, Family family, int top, PathMtuSearch search) {
    int answered = search.answered();
    long lostProbes = search.lostProbes();
    int sent = search.probes().size();
    if (answered >= top) {
      return Findings.clear(
          key(),
          target,
          "the full MTU of "
              + dev
              + " ("
              + top
              + " bytes) reaches "
              + ip
              + (lostProbes == 0
                  ? ""
                  : "; " + lostProbes + " of " + sent + " probes were lost at random on the way"));
    }
    // A black hole is a size that stays silent every time, not one probe that vanished.
    boolean silent = search.silentAbove();
    if (!silent && search.reported() != null) {
      return Findings.clear(
          key(),
          target,
          "path MTU to "
              + ip
              + " is "
              + answered
              + ": "
              + search.reported().from()
              + " reports it with "
              + family.reported()
              + ", so discovery works");
    }
    if (!silent) {
      return Findings.inconclusive(
          key(),
          target,
          "path MTU to "
              + ip
              + " is at least "
              + answered
              + (lostProbes > 0
                  ? "; "
                      + lostProbes
                      + " of "
                      + sent
                      + " probes were lost, but no size stayed silent "
                      + search.needed()
                      + " times: a lossy path, not a black hole"
                  : "; the search ran out of probes before a size was lost"));
    }
    return blackHole(target, ip, dev, family, top, answered);
  }

  private Finding blackHole(
      String target, String ip, String dev, Family family, int top, int answered) {
    int mss = answered - family.headers();
    return Findings.ghost(
        key(),
        target,
        GhostName.MtuBlackhole,
        "packets above "
            + answered
            + " bytes to "
            + ip
            + " vanish without "
            + family.error()
            + ": path MTU "
            + answered
            + ", but "
            + dev
            + " sends up to "
            + top,
        "clamp TCP MSS to "
            + mss
            + " for this path (nft: tcp flags syn tcp option maxseg size set "
            + mss
            + "; "
            + family.ipt()
            + " -t mangle -A POSTROUTING -o "
            + dev
            + " -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss "
            + mss
            + ") or lower the MTU of "
            + dev
            + " to "
            + answered
            + "; then find the hop towards "
            + ip
            + " that drops "
            + family.errorType());
  }

  /**
   * Echoes as raw frames, so that neither the kernel's cached path MTU nor its fragmentation gets
   * in the way. The first round waits a second (the round trip is unknown); later ones a few round
   * trips, so that a lost big probe does not cost a second each.
   */
  private static final class WireProber implements PathMtuSearch.Prober {
    final RawLink link;
    final byte[] dstMac;
    final InetAddress src;
    final InetAddress dst;
    final CheckContext context;
    final int id = ThreadLocalRandom.current().nextInt(1, 0xffff);
    Duration wait = FIRST_WAIT;
    boolean answered;
    int seq;

    WireProber(
        RawLink link, byte[] dstMac, InetAddress src, InetAddress dst, CheckContext context) {
      this.link = link;
      this.dstMac = dstMac;
      this.src = src;
      this.dst = dst;
      this.context = context;
    }

    /**
     * Each copy's outcome: an echo reply, a frag-needed quoting its sequence number, or a silence
     * when the wait ends first (a few round trips after the round's first answer at the latest).
     */
    @Override
    public List<Probe> send(int... sizes) throws IOException {
      int first = seq + 1;
      long sent = System.nanoTime();
      for (int size : sizes) {
        link.send(echo(++seq, size));
      }
      Probe[] out = new Probe[sizes.length];
      int open = sizes.length;
      Instant until = Instant.now().plus(context.atMost(wait));
      for (byte[] frame = link.receive(until);
          frame != null;
          frame = open == 0 ? null : link.receive(until)) {
        Answer a = answer(frame);
        int i = a == null ? -1 : a.seq() - first;
        if (i < 0 || i >= sizes.length || out[i] != null) {
          continue;
        }
        long rtt = (System.nanoTime() - sent) / 1000;
        Probe p = new Probe(sizes[i], a.kind(), a.mtu(), a.from(), rtt);
        out[i] = p;
        open--;
        if (p.kind() == Kind.REPLY) {
          if (!answered) {
            answered = true;
            wait = Duration.ofMillis(Math.max(100, Math.min(1000, 4 * p.rttMicros() / 1000 + 50)));
          }
          // The other copies left together with this one: what is not back a few round trips
          // later is lost, the first round's second of waiting need not run out.
          Instant soon = Instant.now().plus(wait);
          until = soon.isBefore(until) ? soon : until;
        }
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = out[i] != null ? out[i] : new Probe(sizes[i], Kind.LOST, 0, null, 0);
      }
      return List.of(out);
    }

    private byte[] echo(int seq, int size) {
      return dst instanceof Inet6Address d
          ? Frames.ethernet(
              dstMac,
              link.mac(),
              Frames6.ETHERTYPE_IPV6,
              Frames6.echoRequest((Inet6Address) src, d, id, seq, size))
          : Frames.ethernet(
              dstMac,
              link.mac(),
              0x0800,
              Frames.echoRequest((Inet4Address) src, (Inet4Address) dst, id, seq, size));
    }

    /** What came back for one of our probes (its sequence number), or null for anything else. */
    private Answer answer(byte[] frame) {
      if (dst instanceof Inet6Address) {
        Frames6.Icmp6 icmp = Frames6.icmp6(frame);
        if (icmp == null || icmp.id() != id) {
          return null;
        }
        if (icmp.packetTooBig()) {
          return new Answer(icmp.seq(), Kind.FRAG_NEEDED, icmp.mtu(), Addresses.text(icmp.from()));
        }
        return icmp.echoReply() && icmp.from().equals(dst)
            ? new Answer(icmp.seq(), Kind.REPLY, 0, null)
            : null;
      }
      Frames.Icmp icmp = Frames.icmp(frame);
      if (icmp == null || icmp.id() != id) {
        return null;
      }
      if (icmp.fragmentationNeeded()) {
        return new Answer(
            icmp.seq(), Kind.FRAG_NEEDED, icmp.nextHopMtu(), icmp.from().getHostAddress());
      }
      return icmp.echoReply() && icmp.from().equals(dst)
          ? new Answer(icmp.seq(), Kind.REPLY, 0, null)
          : null;
    }
  }

  private record Answer(int seq, Kind kind, int mtu, String from) {}
}
