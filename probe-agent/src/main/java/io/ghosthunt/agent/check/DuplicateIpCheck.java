package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.Dhcp;
import io.ghosthunt.agent.host.Frames;
import io.ghosthunt.agent.host.Frames6;
import io.ghosthunt.agent.host.Ipv6Addresses;
import io.ghosthunt.agent.host.Neighbours;
import io.ghosthunt.agent.host.RawLink;
import io.ghosthunt.agent.host.Route;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DuplicateIpSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Intermittent dropouts: active ARP and Neighbor Discovery on the wire. Who-has (Neighbor
 * Solicitation for IPv6) for each address named, an RFC 5227 probe (sender 0.0.0.0) or a duplicate
 * address detection probe (from ::) for the node's own, every answer in one window collected, plus
 * the neighbour table and the kernel's own detection; with {@code dhcp}, a DISCOVER and every
 * server that offers. Ghosts {@code DuplicateIp} (one IP, several MACs) and {@code RogueDhcp}.
 */
public final class DuplicateIpCheck implements Check {

  private static final Duration ARP_WINDOW = Duration.ofMillis(1000);

  /**
   * On a segment ARP is answered by the kernel within a millisecond or so: once a known neighbour
   * (the gateway) has answered, the window shrinks to twenty times its answer time, never below
   * this. Without such an answer the whole window is kept.
   */
  static final Duration MIN_ARP_WINDOW = Duration.ofMillis(250);

  /** Servers that ping an address before offering it answer after about a second. */
  private static final Duration DHCP_WINDOW = Duration.ofMillis(2500);

  @Override
  public CheckKey key() {
    return CheckKey.DUPLICATE_IP;
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    DuplicateIpSpec spec = checks.getDuplicateIp();
    long started = System.nanoTime();
    String iface =
        spec.getInterfaceName() != null
            ? spec.getInterfaceName()
            : Route.defaultDevice(context.atMost(Duration.ofSeconds(5)));
    if (iface == null) {
      return List.of(
          Findings.error(
              key(),
              "-",
              "no default route on this node to pick the interface:"
                  + " name it in spec.checks.duplicateIp.interface"));
    }
    NetworkInterface ni = NetworkInterface.getByName(iface);
    if (ni == null) {
      return List.of(Findings.error(key(), iface, "no interface " + iface + " on this node"));
    }
    Own own = new Own(ni, Ipv6Addresses.of(iface, context.atMost(Duration.ofSeconds(5))));
    List<InetAddress> targets =
        spec.getAddresses() == null || spec.getAddresses().isEmpty()
            ? own.all()
            : spec.getAddresses().stream().map(Addresses::literal).toList();
    boolean dhcp = Boolean.TRUE.equals(spec.getDhcp());
    if (targets.isEmpty() && !dhcp) {
      return List.of(
          Findings.error(
              key(),
              iface,
              iface
                  + " has no IPv4 or global IPv6 address to probe: name addresses in"
                  + " spec.checks.duplicateIp.addresses"));
    }
    Heard heard;
    try (RawLink link =
        RawLink.open(iface, "arp or icmp6 or (udp and dst port " + Dhcp.CLIENT_PORT + ")")) {
      heard = listen(link, iface, targets, own, dhcp, context);
    } catch (IOException e) {
      return List.of(Findings.error(key(), iface, e.getMessage()));
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    List<Finding> findings = new ArrayList<>();
    Map<String, String> neighbours = Neighbours.read();
    for (Map.Entry<InetAddress, Map<String, String>> e : heard.claims.entrySet()) {
      Set<String> macs = heard.unexplained(e.getKey(), e.getValue().keySet(), own);
      Finding f = claimFinding(e.getKey(), macs, iface, own, heard, neighbours);
      f.evidence("listened", heard.listened(tookMs));
      f.setDurationMs(tookMs);
      findings.add(f);
    }
    if (dhcp) {
      Finding f =
          judgeDhcp(
              iface,
              heard.offers,
              spec.getDhcpServers() == null
                  ? Set.of()
                  : new LinkedHashSet<>(spec.getDhcpServers()));
      f.setDurationMs(tookMs);
      findings.add(f);
    }
    return findings;
  }

  /** The node's addresses on the interface: IPv4, and global IPv6 with the kernel's DAD state. */
  private record Own(List<Inet4Address> v4, List<Ipv6Addresses.Own> v6) {
    Own(NetworkInterface ni, List<Ipv6Addresses.Own> v6) {
      this(
          ni.getInterfaceAddresses().stream()
              .map(InterfaceAddress::getAddress)
              .filter(Inet4Address.class::isInstance)
              .map(Inet4Address.class::cast)
              .toList(),
          v6);
    }

    List<InetAddress> all() {
      List<InetAddress> all = new ArrayList<>(v4);
      v6.forEach(a -> all.add(a.address()));
      return all;
    }

    boolean contains(InetAddress a) {
      return v4.contains(a) || v6.stream().anyMatch(o -> o.address().equals(a));
    }

    Ipv6Addresses.Own v6(InetAddress a) {
      return v6.stream().filter(o -> o.address().equals(a)).findFirst().orElse(null);
    }

    /** The address who-has and solicitations go out from: none for our own (RFC 5227, DAD). */
    InetAddress asker(InetAddress target) {
      if (contains(target)) {
        return null;
      }
      if (target instanceof Inet6Address) {
        return v6.stream()
            .filter(o -> !o.tentative())
            .map(o -> (InetAddress) o.address())
            .findFirst()
            .orElse(null);
      }
      return v4.isEmpty() ? null : v4.get(0);
    }
  }

  /** What one window on the wire brought: the claims per address, the offers, the timings. */
  private static final class Heard {
    final Map<InetAddress, Map<String, String>> claims = new LinkedHashMap<>();
    final Map<InetAddress, Set<String>> accepted = new LinkedHashMap<>();
    final Map<Inet4Address, List<Dhcp.Offer>> offers = new LinkedHashMap<>();
    String ownMac;
    Inet4Address reference;
    String referenceMac;
    double referenceAnsweredMs = -1;

    /**
     * A MAC claiming {@code address}: this node's own other interfaces are accepted, not counted
     * (with arp_ignore 0, Linux's default, every interface answers for every local address).
     */
    void claim(InetAddress address, String mac, String frameSource, Map<String, String> local) {
      if (!claims.containsKey(address) || mac.equals(ownMac)) {
        return;
      }
      if (local.containsKey(mac)) {
        accepted
            .computeIfAbsent(address, k -> new LinkedHashSet<>())
            .add(
                mac
                    + " is this node's own "
                    + local.get(mac)
                    + " (with arp_ignore 0 every interface answers for every local address)");
      } else {
        claims.get(address).putIfAbsent(mac, frameSource);
      }
    }

    /**
     * The MACs claiming {@code address} that no rule of {@link SharedAddresses} explains; the
     * explained ones go to {@link #accepted} with their reason. Only for addresses named: a second
     * MAC for the node's own is never by design.
     */
    Set<String> unexplained(InetAddress address, Set<String> claimed, Own own) {
      Set<String> macs = new LinkedHashSet<>(claimed);
      if (own.contains(address)) {
        return macs;
      }
      SharedAddresses.explained(
              macs, referenceMac, reference == null ? null : Addresses.text(reference))
          .forEach(
              (mac, why) -> {
                macs.remove(mac);
                accepted.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(why);
              });
      return macs;
    }

    String listened(long tookMs) {
      return tookMs
          + " ms"
          + (referenceAnsweredMs >= 0
              ? String.format(
                  " (%s answered in %.2f ms: the window ends at twenty times that, at least %d ms)",
                  reference.getHostAddress(), referenceAnsweredMs, MIN_ARP_WINDOW.toMillis())
              : reference != null
                  ? " (" + reference.getHostAddress() + " did not answer: the whole window)"
                  : "");
    }
  }

  /**
   * Sends every probe at once (who-has or Neighbor Solicitation per address, the reference's
   * who-has, the DHCP discover) and collects the answers in one window.
   */
  private Heard listen(
      RawLink link,
      String iface,
      List<InetAddress> targets,
      Own own,
      boolean dhcp,
      CheckContext context)
      throws IOException {
    Heard heard = new Heard();
    heard.ownMac = Frames.mac(link.mac());
    targets.forEach(t -> heard.claims.put(t, new LinkedHashMap<>()));
    int xid = ThreadLocalRandom.current().nextInt();
    Inet4Address asker = own.v4().isEmpty() ? null : own.v4().get(0);
    heard.reference = dhcp || asker == null ? null : reference(iface, targets, context);
    long sent = System.nanoTime();
    if (heard.reference != null) {
      link.send(Frames.arpRequest(link.mac(), asker.getAddress(), heard.reference.getAddress()));
    }
    for (InetAddress t : targets) {
      InetAddress sender = own.asker(t);
      link.send(
          t instanceof Inet6Address t6
              ? Frames6.neighborSolicitation(link.mac(), (Inet6Address) sender, t6)
              : Frames.arpRequest(
                  link.mac(), sender == null ? new byte[4] : sender.getAddress(), t.getAddress()));
    }
    if (dhcp) {
      link.send(
          Frames.ethernet(
              Frames.BROADCAST,
              link.mac(),
              0x0800,
              Frames.udp(
                  Frames.v4(new byte[4]),
                  Frames.v4(new byte[] {-1, -1, -1, -1}),
                  Dhcp.CLIENT_PORT,
                  Dhcp.SERVER_PORT,
                  Dhcp.discover(link.mac(), xid))));
    }
    collect(link, heard, sent, xid, context.atMost(dhcp ? DHCP_WINDOW : ARP_WINDOW));
    return heard;
  }

  /**
   * Every answer within the window into {@code heard}: ARP replies and Neighbor Advertisements as
   * claims, DHCP offers for {@code xid}; the reference's answer shortens the window.
   */
  private static void collect(RawLink link, Heard heard, long sent, int xid, Duration window)
      throws IOException {
    Map<String, String> localMacs = localMacs();
    Instant until = Instant.now().plus(window);
    for (byte[] frame = link.receive(until); frame != null; frame = link.receive(until)) {
      Frames.Arp arp = Frames.arp(frame);
      if (arp != null && arp.reply()) {
        if (heard.reference != null
            && heard.referenceAnsweredMs < 0
            && heard.reference.equals(arp.senderIp())) {
          heard.referenceAnsweredMs = (System.nanoTime() - sent) / 1e6;
          heard.referenceMac = Frames.mac(arp.senderMac());
          // Counted from when the probes went out, as the answer time is.
          Instant shorter =
              Instant.now()
                  .plus(shortWindow(heard.referenceAnsweredMs))
                  .minusNanos((long) (heard.referenceAnsweredMs * 1e6));
          until = shorter.isBefore(until) ? shorter : until;
        }
        heard.claim(
            arp.senderIp(), Frames.mac(arp.senderMac()), Frames.mac(arp.frameSource()), localMacs);
        continue;
      }
      Frames6.Icmp6 na = Frames6.icmp6(frame);
      if (na != null && na.neighborAdvertisement()) {
        heard.claim(
            na.target(), Frames.mac(na.targetMac()), Frames.mac(na.frameSource()), localMacs);
        continue;
      }
      Frames.Udp udp = Frames.udp(frame);
      Dhcp.Offer offer = udp == null ? null : Dhcp.offer(udp, xid);
      if (offer != null) {
        heard.offers.computeIfAbsent(offer.server(), k -> new ArrayList<>()).add(offer);
      }
    }
  }

  /** One address's finding with its evidence. */
  private Finding claimFinding(
      InetAddress address,
      Set<String> macs,
      String iface,
      Own own,
      Heard heard,
      Map<String, String> neighbours) {
    boolean v6 = address instanceof Inet6Address;
    Ipv6Addresses.Own dad = own.v6(address);
    Finding f =
        dad != null && dad.dadFailed()
            ? dadFailed(dad, macs, iface, heard.ownMac)
            : judge(address, own.contains(address), macs, iface, heard.ownMac);
    f.evidence("interface", iface + " " + heard.ownMac);
    InetAddress asker = own.asker(address);
    f.evidence(
        "probe",
        own.contains(address)
            ? v6 ? "duplicate address detection (Neighbor Solicitation from ::)" : RFC_5227
            : v6
                ? "Neighbor Solicitation from " + (asker == null ? "::" : Addresses.text(asker))
                : "who-has from " + Addresses.text(asker == null ? Frames.v4(new byte[4]) : asker));
    f.evidence("macs", macs.isEmpty() ? "none" : String.join(", ", macs));
    if (heard.accepted.containsKey(address)) {
      f.evidence("accepted", String.join("; ", heard.accepted.get(address)));
    }
    if (dad != null) {
      f.evidence(
          "kernelDad",
          dad.dadFailed()
              ? "failed: the address is tentative and unused"
              : dad.tentative() ? "still running" : "passed (or skipped: nodad)");
    } else if (!v6) {
      f.evidence("neighbourTable", neighbours.getOrDefault(address.getHostAddress(), "no entry"));
    }
    return f;
  }

  private static final String RFC_5227 = "RFC 5227 (sender 0.0.0.0)";

  /** MAC → interface name, for every interface of this node that has a MAC. */
  private static Map<String, String> localMacs() {
    Map<String, String> macs = new LinkedHashMap<>();
    try {
      for (NetworkInterface ni :
          java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
        byte[] hw = ni.getHardwareAddress();
        if (hw != null && hw.length == 6) {
          macs.putIfAbsent(Frames.mac(hw), ni.getName());
        }
      }
    } catch (java.net.SocketException e) {
      // Without the list every other MAC counts as another host's, as before.
    }
    return macs;
  }

  /** How long to listen once the reference answered after {@code answeredMs}. */
  static Duration shortWindow(double answeredMs) {
    Duration twenty = Duration.ofNanos((long) (answeredMs * 20 * 1e6));
    return twenty.compareTo(MIN_ARP_WINDOW) > 0 ? twenty : MIN_ARP_WINDOW;
  }

  /**
   * A neighbour that should answer at once: the default gateway on {@code iface}, when it is not a
   * target.
   */
  private static Inet4Address reference(
      String iface, List<InetAddress> targets, CheckContext context) {
    Route route = Route.defaultRoute(context.atMost(Duration.ofSeconds(2)));
    if (route.gateway() == null || !iface.equals(route.dev()) || route.gateway().contains(":")) {
      return null;
    }
    Inet4Address gateway = (Inet4Address) Addresses.literal(route.gateway());
    return targets.contains(gateway) ? null : gateway;
  }

  private Finding judge(
      InetAddress address, boolean ours, Set<String> macs, String iface, String ownMac) {
    String ip = Addresses.text(address);
    if (ours) {
      if (macs.isEmpty()) {
        return Findings.clear(
            key(), ip, "no other host on " + iface + " claims " + ip + " (this node's address)");
      }
      return Findings.ghost(
          key(),
          ip,
          GhostName.DuplicateIp,
          ours(ip, iface, ownMac) + " is also claimed by " + String.join(", ", macs),
          remedy(ip, macs));
    }
    if (macs.isEmpty()) {
      return Findings.inconclusive(
          key(),
          ip,
          "no host answered "
              + (address instanceof Inet6Address ? "Neighbor Solicitation" : "ARP")
              + " for "
              + ip
              + " on "
              + iface
              + " within "
              + ARP_WINDOW.toMillis()
              + " ms: it may be down, or on another network");
    }
    if (macs.size() == 1) {
      return Findings.clear(
          key(), ip, ip + " is claimed by one MAC only: " + macs.iterator().next());
    }
    return Findings.ghost(
        key(),
        ip,
        GhostName.DuplicateIp,
        ip + " is claimed by " + macs.size() + " MACs on " + iface + ": " + String.join(", ", macs),
        remedy(ip, macs));
  }

  /**
   * The kernel's own duplicate address detection failed for one of the node's IPv6 addresses: it
   * stays tentative and unused, whoever holds it now; a ghost even when nobody answers any more.
   */
  private Finding dadFailed(Ipv6Addresses.Own dad, Set<String> macs, String iface, String ownMac) {
    String ip = Addresses.text(dad.address());
    String cidr = ip + "/" + dad.prefixLength();
    return Findings.ghost(
        key(),
        ip,
        GhostName.DuplicateIp,
        ours(ip, iface, ownMac)
            + " the kernel's duplicate address detection failed, so the node does not use it"
            + (macs.isEmpty()
                ? "; nobody answers for it now"
                : "; it is claimed by " + String.join(", ", macs)),
        (macs.isEmpty() ? "" : remedy(ip, macs) + "; then ")
            + "add it again so that the kernel checks it anew: ip -6 addr del "
            + cidr
            + " dev "
            + iface
            + " && ip -6 addr add "
            + cidr
            + " dev "
            + iface);
  }

  private static String ours(String ip, String iface, String ownMac) {
    return ip + " is this node's address on " + iface + " (" + ownMac + ") but";
  }

  private static String remedy(String ip, Set<String> macs) {
    return "find the hosts behind "
        + String.join(" and ", macs)
        + " (the switch's MAC address table shows their ports),"
        + " keep "
        + ip
        + " on one of them only, and take it out of any DHCP pool that hands it out";
  }

  private Finding judgeDhcp(
      String iface, Map<Inet4Address, List<Dhcp.Offer>> offers, Set<String> allowed) {
    String target = "dhcp on " + iface;
    Finding f;
    String all =
        offers.values().stream().map(l -> describe(l.get(0))).collect(Collectors.joining("; "));
    List<Dhcp.Offer> firsts = offers.values().stream().map(l -> l.get(0)).toList();
    Optional<String> byDesign =
        allowed.isEmpty() ? SharedAddresses.agreeingServers(firsts) : Optional.empty();
    List<Dhcp.Offer> rogue =
        firsts.stream()
            .filter(
                o ->
                    allowed.isEmpty()
                        ? offers.size() > 1 && byDesign.isEmpty()
                        : !allowed.contains(Addresses.text(o.server())))
            .toList();
    if (offers.isEmpty()) {
      f =
          Findings.inconclusive(
              key(),
              target,
              "no DHCP server offered on "
                  + iface
                  + " within "
                  + DHCP_WINDOW.toMillis()
                  + " ms: this network may use static addresses");
    } else if (rogue.isEmpty()) {
      f =
          Findings.clear(
              key(),
              target,
              (offers.size() == 1
                      ? "one DHCP server offers on "
                      : offers.size() + " DHCP servers offer on ")
                  + iface
                  + ": "
                  + all);
    } else {
      String who =
          allowed.isEmpty()
              ? offers.size() + " DHCP servers offer on " + iface + ": " + all
              : rogue.stream().map(DuplicateIpCheck::describe).collect(Collectors.joining("; "))
                  + (rogue.size() == 1 ? " offers" : " offer")
                  + " on "
                  + iface
                  + " but "
                  + (rogue.size() == 1 ? "is" : "are")
                  + " not among the allowed servers ("
                  + String.join(", ", allowed)
                  + ")";
      f =
          Findings.ghost(
              key(),
              target,
              GhostName.RogueDhcp,
              who,
              "find and stop the rogue server ("
                  + rogue.stream().map(Dhcp.Offer::mac).collect(Collectors.joining(", "))
                  + ": the switch's MAC address table shows its port), then enable DHCP snooping so that only the"
                  + " trusted port may offer");
    }
    if (rogue.isEmpty() && byDesign.isPresent()) {
      f.evidence("accepted", byDesign.get());
    }
    int i = 0;
    for (List<Dhcp.Offer> l : offers.values()) {
      f.evidence(i == 0 ? "server" : "server" + (i + 1), describe(l.get(0)));
      i++;
    }
    f.evidence("offers", offers.values().stream().mapToInt(List::size).sum());
    return f;
  }

  private static String describe(Dhcp.Offer o) {
    return Addresses.text(o.server())
        + " ("
        + o.mac()
        + ", offers "
        + Addresses.text(o.offered())
        + (o.router() == null ? "" : ", router " + Addresses.text(o.router()))
        + ")";
  }
}
