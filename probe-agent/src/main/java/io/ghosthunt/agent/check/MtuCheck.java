package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.ArpProbe;
import io.ghosthunt.agent.host.Frames;
import io.ghosthunt.agent.host.RawLink;
import io.ghosthunt.agent.host.Route;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Big transfers hang: path MTU discovery with don't-fragment ICMP echoes sent as raw frames, so
 * that neither the kernel's cached path MTU nor its fragmentation gets in the way. Tells apart an
 * echo reply, an ICMP frag-needed (discovery works) and silence (a black hole). Ghost {@code
 * MtuBlackhole} when sizes above the path MTU vanish without a frag-needed, every time: on a lossy
 * path any probe can vanish once, so a silence counts only when it is confirmed.
 */
public final class MtuCheck implements Check {

  /** IPv6's minimum MTU, and what most IPv4 paths carry; the search starts here. */
  static final int FLOOR = 1280;

  /** IPv4's minimum datagram every host must accept (RFC 791); tried when the floor is lost. */
  static final int IPV4_MINIMUM = 576;

  static final int MAX_PROBES = 24;

  /** Silent probes that make a size lost on a path that lost nothing else. */
  static final int CONFIRM = 3;

  /**
   * On a path seen losing probes at sizes that do pass, a size is lost only when a run of silences
   * that long would happen by chance less than once in {@code 1 / CHANCE} hunts: at 20 % random
   * loss three silences in a row are 0.8 %, a black hole that is not there in one hunt of 125.
   */
  static final double CHANCE = 1e-5;

  static final int MAX_CONFIRM = 8;

  /** The bisection's budget, and the confirmations of the two sizes that bound the search. */
  static final int CONFIRM_BUDGET = MAX_PROBES + 2 * MAX_CONFIRM;

  private static final Duration FIRST_WAIT = Duration.ofMillis(1000);
  private static final Duration ARP_WAIT = Duration.ofMillis(1000);

  @Override
  public CheckKey key() {
    return CheckKey.MTU;
  }

  enum Kind {
    REPLY,
    FRAG_NEEDED,
    LOST
  }

  record Probe(int size, Kind kind, int nextHopMtu, String from, long rttMicros) {}

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

  private Finding probe(String target, CheckContext context) throws IOException {
    Inet4Address dst;
    try {
      dst =
          Arrays.stream(InetAddress.getAllByName(target))
              .filter(Inet4Address.class::isInstance)
              .map(Inet4Address.class::cast)
              .findFirst()
              .orElse(null);
    } catch (UnknownHostException e) {
      return Findings.error(key(), target, "cannot resolve " + target + ": " + e.getMessage());
    }
    if (dst == null) {
      return Findings.error(
          key(),
          target,
          target + " has no IPv4 address: IPv6 path MTU probing is not in this build");
    }
    String ip = dst.getHostAddress();
    Route route = Route.to(ip, context.atMost(Duration.ofSeconds(5)));
    if (!route.exists() || route.src() == null) {
      return Findings.error(key(), target, "no route to " + ip + " on this node");
    }
    Inet4Address src = (Inet4Address) InetAddress.getByName(route.src());
    String nextHop = route.nextHop(ip);
    try (RawLink link =
        RawLink.open(route.dev(), "arp or (icmp and dst host " + route.src() + ")")) {
      String mac =
          ArpProbe.resolve(
              link, src, (Inet4Address) InetAddress.getByName(nextHop), context.atMost(ARP_WAIT));
      if (mac == null) {
        return Findings.inconclusive(
            key(),
            target,
            "the next hop "
                + nextHop
                + " on "
                + route.dev()
                + " does not answer ARP, so nothing can be sent towards "
                + ip);
      }
      Search search = new Search(link, Frames.macBytes(mac), src, dst, context);
      Finding f = search.run(target);
      f.evidence("interface", link.name() + " mtu " + link.mtu());
      f.evidence("nextHop", nextHop + " (" + mac + ")");
      f.evidence(
          "probes",
          search.probes.size()
              + " ("
              + search.probes.stream().filter(p -> p.kind() == Kind.LOST).count()
              + " lost): "
              + String.join(" ", search.probes.stream().map(MtuCheck::brief).toList()));
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

  private static String brief(Probe p) {
    return p.size()
        + (p.kind() == Kind.REPLY ? "✓" : p.kind() == Kind.LOST ? "✗" : "→" + p.nextHopMtu());
  }

  /** One target's discovery: at most {@link #MAX_PROBES} probes, each waiting a few round trips. */
  private final class Search {
    final RawLink link;
    final byte[] dstMac;
    final Inet4Address src;
    final Inet4Address dst;
    final CheckContext context;
    final int id = ThreadLocalRandom.current().nextInt(1, 0xffff);
    final List<Probe> probes = new ArrayList<>();
    Duration wait = FIRST_WAIT;
    int seq;

    Search(RawLink link, byte[] dstMac, Inet4Address src, Inet4Address dst, CheckContext context) {
      this.link = link;
      this.dstMac = dstMac;
      this.src = src;
      this.dst = dst;
      this.context = context;
    }

    /** The search's bounds: the largest size answered, the smallest lost, the last frag-needed. */
    int answered;

    int lost;
    Probe reported;

    Finding run(String target) throws IOException {
      String ip = dst.getHostAddress();
      int top = link.mtu();
      int low = Math.min(FLOOR, top);
      Probe first = send(low);
      if (first.kind() == Kind.LOST) {
        // Once more before trusting the silence: on a lossy path the first probe is lost as often
        // as any.
        first = send(low);
      }
      if (first.kind() == Kind.LOST && low > IPV4_MINIMUM) {
        low = IPV4_MINIMUM;
        first = send(low);
      }
      if (first.kind() != Kind.REPLY) {
        return Findings.inconclusive(
            key(),
            target,
            ip
                + " does not answer ICMP echo even at "
                + low
                + " bytes"
                + (first.kind() == Kind.FRAG_NEEDED
                    ? " (frag-needed " + first.nextHopMtu() + " from " + first.from() + ")"
                    : "")
                + ", so its path MTU cannot be measured by echo: name a target that answers ping");
      }
      // Later probes wait a few round trips: a lost big probe must not cost a second each.
      wait = Duration.ofMillis(Math.max(100, Math.min(1000, 4 * first.rttMicros() / 1000 + 50)));
      answered = low;
      lost = top + 1;
      Probe full = send(top);
      if (full.kind() == Kind.REPLY) {
        answered = top;
      } else {
        lost = top;
        reported = full.kind() == Kind.FRAG_NEEDED ? full : null;
      }
      do {
        bisect();
      } while (silenceBroken(top));
      Finding f = judge(target, ip, top, answered, reported);
      boolean exact =
          answered + 1 >= lost || (reported != null && answered == reported.nextHopMtu());
      f.evidence(
          "pathMtu",
          answered + (exact ? "" : " at least (search stopped at " + MAX_PROBES + " probes)"));
      f.evidence("largestAnswered", answered);
      f.evidence("smallestLost", lost > top ? "none" : lost);
      f.evidence(
          "fragNeeded",
          reported == null
              ? "none"
              : "from " + reported.from() + ", next-hop MTU " + reported.nextHopMtu());
      f.evidence("perSize", perSize());
      f.evidence("loss", lossAtPassingSizes());
      f.evidence("rtt", String.format("%.2f ms", first.rttMicros() / 1000.0));
      return f;
    }

    /** Narrows the bounds, one probe per size, until they meet or the budget is spent. */
    private void bisect() throws IOException {
      while (answered + 1 < lost && probes.size() < MAX_PROBES) {
        // A router's next-hop MTU is tried first: when it holds, discovery is done in one probe.
        int size =
            reported != null
                    && reported.nextHopMtu() > answered
                    && reported.nextHopMtu() < lost
                    && !tried(reported.nextHopMtu())
                ? reported.nextHopMtu()
                : (answered + lost) / 2;
        // Two probes of the size at once, one wait: on a lossy path a single silence would send the
        // search below the path MTU, and its budget may not bring it back; a black hole costs no
        // second wait per silent size. A router's next-hop MTU needs no second opinion.
        boolean hinted = reported != null && size == reported.nextHopMtu();
        Probe p = send(size, hinted ? 1 : 2);
        if (p.kind() == Kind.REPLY) {
          answered = size;
          if (reported != null && size == reported.nextHopMtu()) {
            return;
          }
        } else {
          lost = size;
          if (p.kind() == Kind.FRAG_NEEDED) {
            reported = p;
          }
        }
      }
    }

    /**
     * Confirms the size that bounds the path MTU, then the full size: each must stay silent. True
     * when one answered (the silence was loss): the bounds move above it and the search goes on.
     */
    private boolean silenceBroken(int top) {
      Probe again = lost > top ? null : confirm(lost);
      if (again == null && lost < top) {
        again = confirm(top);
      }
      if (again != null && again.kind() == Kind.FRAG_NEEDED) {
        reported = again;
      }
      if (again == null || again.kind() != Kind.REPLY) {
        return false;
      }
      answered = again.size();
      lost = smallestSilentAbove(answered, top);
      return answered < top && probes.size() < MAX_PROBES;
    }

    /**
     * Sends {@code size} again until it has been silent {@link #CONFIRM} times; returns the probe
     * that broke the silence (an answer or a frag-needed), or null when it stayed silent, or when
     * it needs no confirming (a frag-needed already proved it) or the budget is spent.
     */
    private Probe confirm(int size) {
      try {
        while (!answeredAt(size)
            && !fragNeededAt(size)
            && silences(size) < needed()
            && probes.size() < CONFIRM_BUDGET) {
          Probe p = send(size);
          if (p.kind() != Kind.LOST) {
            return p;
          }
        }
        return null;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private int smallestSilentAbove(int answered, int top) {
      return probes.stream()
          .filter(p -> p.kind() != Kind.REPLY && p.size() > answered && !answeredAt(p.size()))
          .mapToInt(Probe::size)
          .min()
          .orElse(top + 1);
    }

    /**
     * Silences that make a size lost: {@link #CONFIRM} on a path that lost no probe of a size that
     * passes; more on a lossy one, from its loss rate (estimated with one loss and one answer
     * added, so that a few probes never make it look clean).
     */
    int needed() {
      long atPassing = probes.stream().filter(p -> answeredAt(p.size())).count();
      long lostAtPassing =
          probes.stream().filter(p -> p.kind() == Kind.LOST && answeredAt(p.size())).count();
      if (lostAtPassing == 0) {
        return CONFIRM;
      }
      double rate = (lostAtPassing + 1.0) / (atPassing + 2.0);
      int n = (int) Math.ceil(Math.log(CHANCE) / Math.log(rate));
      return Math.max(CONFIRM, Math.min(MAX_CONFIRM, n));
    }

    /** The lossy path's numbers, for the evidence. */
    String lossAtPassingSizes() {
      long atPassing = probes.stream().filter(p -> answeredAt(p.size())).count();
      long lostAtPassing =
          probes.stream().filter(p -> p.kind() == Kind.LOST && answeredAt(p.size())).count();
      return lostAtPassing
          + " of "
          + atPassing
          + " probes lost at sizes that pass; a size counts as lost after "
          + needed()
          + " silences";
    }

    private long silences(int size) {
      return probes.stream().filter(p -> p.size() == size && p.kind() == Kind.LOST).count();
    }

    private boolean answeredAt(int size) {
      return probes.stream().anyMatch(p -> p.size() == size && p.kind() == Kind.REPLY);
    }

    private boolean fragNeededAt(int size) {
      return probes.stream().anyMatch(p -> p.size() == size && p.kind() == Kind.FRAG_NEEDED);
    }

    /** How many probes each size got and what came back: "1400 1✓, 1401 3✗, 1500 3✗". */
    private String perSize() {
      java.util.TreeMap<Integer, List<Probe>> bySize = new java.util.TreeMap<>();
      probes.forEach(p -> bySize.computeIfAbsent(p.size(), k -> new ArrayList<>()).add(p));
      List<String> out = new ArrayList<>();
      bySize.forEach(
          (size, ps) -> {
            long answers = ps.stream().filter(p -> p.kind() == Kind.REPLY).count();
            long silent = ps.stream().filter(p -> p.kind() == Kind.LOST).count();
            long frag = ps.size() - answers - silent;
            out.add(
                size
                    + " "
                    + (answers > 0 ? answers + "✓" : "")
                    + (silent > 0 ? silent + "✗" : "")
                    + (frag > 0 ? frag + "→" : ""));
          });
      return String.join(", ", out);
    }

    private boolean tried(int size) {
      return probes.stream().anyMatch(p -> p.size() == size);
    }

    private Finding judge(String target, String ip, int top, int answered, Probe reported) {
      long lostProbes = probes.stream().filter(p -> p.kind() == Kind.LOST).count();
      if (answered >= top) {
        return Findings.clear(
            key(),
            target,
            "the full MTU of "
                + link.name()
                + " ("
                + top
                + " bytes) reaches "
                + ip
                + (lostProbes == 0
                    ? ""
                    : "; "
                        + lostProbes
                        + " of "
                        + probes.size()
                        + " probes were lost at random on the way"));
      }
      // A black hole is a size that stays silent every time, not one probe that vanished.
      int needed = needed();
      boolean silent =
          probes.stream()
              .anyMatch(
                  p ->
                      p.size() > answered && silences(p.size()) >= needed && !answeredAt(p.size()));
      if (!silent && reported != null) {
        return Findings.clear(
            key(),
            target,
            "path MTU to "
                + ip
                + " is "
                + answered
                + ": "
                + reported.from()
                + " reports it with ICMP frag-needed, so discovery works");
      }
      if (!silent && lostProbes > 0) {
        return Findings.inconclusive(
            key(),
            target,
            "path MTU to "
                + ip
                + " is at least "
                + answered
                + "; "
                + lostProbes
                + " of "
                + probes.size()
                + " probes were lost, but no size stayed silent "
                + needed
                + " times: a lossy path, not a black hole");
      }
      if (!silent) {
        return Findings.inconclusive(
            key(),
            target,
            "path MTU to "
                + ip
                + " is at least "
                + answered
                + "; the search ran out of probes before a size was lost");
      }
      int mss = answered - 40;
      return Findings.ghost(
          key(),
          target,
          GhostName.MtuBlackhole,
          "packets above "
              + answered
              + " bytes to "
              + ip
              + " vanish without an ICMP frag-needed: path MTU "
              + answered
              + ", but "
              + link.name()
              + " sends up to "
              + top,
          "clamp TCP MSS to "
              + mss
              + " for this path (nft: tcp flags syn tcp option maxseg size set "
              + mss
              + "; iptables -t mangle -A POSTROUTING -o "
              + link.name()
              + " -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss "
              + mss
              + ") or lower the MTU of "
              + link.name()
              + " to "
              + answered
              + "; then find the hop towards "
              + ip
              + " that drops ICMP type 3 code 4 (frag-needed)");
    }

    Probe send(int size) throws IOException {
      return send(size, 1);
    }

    /**
     * {@code copies} probes of {@code size} back to back, one wait: each copy's outcome is recorded
     * (an answered copy is a reply, a copy not answered within the wait a silence, so that the loss
     * of a size that passes shows), and the probe's outcome is an answer if any copy got one.
     */
    Probe send(int size, int copies) throws IOException {
      int first = seq + 1;
      long sent = System.nanoTime();
      for (int c = 0; c < copies; c++) {
        link.send(
            Frames.ethernet(
                dstMac, link.mac(), 0x0800, Frames.echoRequest(src, dst, id, ++seq, size)));
      }
      java.util.Set<Integer> open = new java.util.HashSet<>();
      for (int c = first; c <= seq; c++) {
        open.add(c);
      }
      Probe reply = null;
      Instant until = Instant.now().plus(context.atMost(wait));
      for (byte[] frame = link.receive(until);
          frame != null && !open.isEmpty();
          frame = open.isEmpty() ? null : link.receive(until)) {
        Frames.Icmp icmp = Frames.icmp(frame);
        if (icmp == null || icmp.id() != id || !open.contains(icmp.seq())) {
          continue;
        }
        long rtt = (System.nanoTime() - sent) / 1000;
        if (icmp.fragmentationNeeded()) {
          return record(
              new Probe(
                  size, Kind.FRAG_NEEDED, icmp.nextHopMtu(), icmp.from().getHostAddress(), rtt));
        }
        if (icmp.echoReply() && icmp.from().equals(dst)) {
          open.remove(icmp.seq());
          Probe p = record(new Probe(size, Kind.REPLY, 0, null, rtt));
          reply = reply == null ? p : reply;
        }
      }
      Probe lost = null;
      for (int c = 0; c < open.size(); c++) {
        lost = record(new Probe(size, Kind.LOST, 0, null, 0));
      }
      return reply != null ? reply : lost;
    }

    private Probe record(Probe p) {
      probes.add(p);
      return p;
    }
  }
}
