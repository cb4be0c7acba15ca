package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.Dhcp;
import io.ghosthunt.agent.host.Frames;
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
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Intermittent dropouts: active ARP on the wire. Who-has for each address named, an RFC 5227 probe
 * (sender 0.0.0.0) for the node's own, every reply in one window collected, plus the neighbour
 * table; with {@code dhcp}, a DISCOVER and every server that offers. Ghosts {@code DuplicateIp}
 * (one IP, several MACs) and {@code RogueDhcp}.
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
    List<Inet4Address> own =
        ni.getInterfaceAddresses().stream()
            .map(InterfaceAddress::getAddress)
            .filter(Inet4Address.class::isInstance)
            .map(Inet4Address.class::cast)
            .toList();
    List<Inet4Address> targets =
        spec.getAddresses() == null || spec.getAddresses().isEmpty()
            ? own
            : spec.getAddresses().stream().map(a -> (Inet4Address) Addresses.literal(a)).toList();
    boolean dhcp = Boolean.TRUE.equals(spec.getDhcp());
    if (targets.isEmpty() && !dhcp) {
      return List.of(
          Findings.error(
              key(),
              iface,
              iface
                  + " has no IPv4 address to probe: name addresses in"
                  + " spec.checks.duplicateIp.addresses"));
    }

    Map<Inet4Address, Map<String, String>> claims = new LinkedHashMap<>();
    targets.forEach(t -> claims.put(t, new LinkedHashMap<>()));
    // This node's other interfaces answer ARP for every local address where arp_ignore is 0
    // (Linux's
    // default): a second MAC that is our own is no duplicate.
    Map<String, String> localMacs = localMacs();
    Map<Inet4Address, Set<String>> accepted = new LinkedHashMap<>();
    Map<Inet4Address, List<Dhcp.Offer>> offers = new LinkedHashMap<>();
    String ownMac;
    int xid = ThreadLocalRandom.current().nextInt();
    double referenceAnsweredMs = -1;
    Inet4Address reference = null;
    try (RawLink link = RawLink.open(iface, "arp or (udp and dst port " + Dhcp.CLIENT_PORT + ")")) {
      ownMac = Frames.mac(link.mac());
      Inet4Address asker = own.isEmpty() ? null : own.get(0);
      reference = dhcp || asker == null ? null : reference(iface, targets, context);
      long sent = System.nanoTime();
      if (reference != null) {
        link.send(Frames.arpRequest(link.mac(), asker.getAddress(), reference.getAddress()));
      }
      for (Inet4Address t : targets) {
        // Our own address: a zero sender, so a squatter answers without learning our MAC for it.
        Inet4Address sender = own.contains(t) ? null : asker;
        link.send(
            Frames.arpRequest(
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
      Instant until = Instant.now().plus(context.atMost(dhcp ? DHCP_WINDOW : ARP_WINDOW));
      for (byte[] frame = link.receive(until); frame != null; frame = link.receive(until)) {
        Frames.Arp arp = Frames.arp(frame);
        if (arp != null
            && arp.reply()
            && reference != null
            && referenceAnsweredMs < 0
            && reference.equals(arp.senderIp())) {
          referenceAnsweredMs = (System.nanoTime() - sent) / 1e6;
          // Counted from when the probes went out, as the answer time is.
          Instant shorter =
              Instant.now()
                  .plus(shortWindow(referenceAnsweredMs))
                  .minusNanos((long) (referenceAnsweredMs * 1e6));
          until = shorter.isBefore(until) ? shorter : until;
        }
        if (arp != null && arp.reply() && claims.containsKey(arp.senderIp())) {
          String mac = Frames.mac(arp.senderMac());
          if (localMacs.containsKey(mac) && !mac.equals(ownMac)) {
            accepted
                .computeIfAbsent(arp.senderIp(), k -> new LinkedHashSet<>())
                .add(
                    mac
                        + " is this node's own "
                        + localMacs.get(mac)
                        + " (with arp_ignore 0 every interface answers for every local address)");
          } else if (!mac.equals(ownMac)) {
            claims.get(arp.senderIp()).putIfAbsent(mac, Frames.mac(arp.frameSource()));
          }
          continue;
        }
        Frames.Udp udp = Frames.udp(frame);
        Dhcp.Offer offer = udp == null ? null : Dhcp.offer(udp, xid);
        if (offer != null) {
          offers.computeIfAbsent(offer.server(), s -> new ArrayList<>()).add(offer);
        }
      }
    } catch (IOException e) {
      return List.of(Findings.error(key(), iface, e.getMessage()));
    }

    long tookMs = (System.nanoTime() - started) / 1_000_000;
    String listened =
        tookMs
            + " ms"
            + (referenceAnsweredMs >= 0
                ? String.format(
                    " (%s answered in %.2f ms: the window ends at twenty times that, at least %d ms)",
                    reference.getHostAddress(), referenceAnsweredMs, MIN_ARP_WINDOW.toMillis())
                : reference != null
                    ? " (" + reference.getHostAddress() + " did not answer: the whole window)"
                    : "");
    Map<String, String> neighbours = Neighbours.read();
    List<Finding> findings = new ArrayList<>();
    for (Map.Entry<Inet4Address, Map<String, String>> e : claims.entrySet()) {
      Finding f = judge(e.getKey(), own.contains(e.getKey()), e.getValue().keySet(), iface, ownMac);
      f.evidence("interface", iface + " " + ownMac);
      f.evidence(
          "probe",
          own.contains(e.getKey())
              ? "RFC 5227 (sender 0.0.0.0)"
              : "who-has from "
                  + Addresses.text(own.isEmpty() ? Frames.v4(new byte[4]) : own.get(0)));
      f.evidence(
          "macs", e.getValue().isEmpty() ? "none" : String.join(", ", e.getValue().keySet()));
      if (accepted.containsKey(e.getKey())) {
        f.evidence("accepted", String.join("; ", accepted.get(e.getKey())));
      }
      f.evidence(
          "neighbourTable", neighbours.getOrDefault(e.getKey().getHostAddress(), "no entry"));
      f.evidence("listened", listened);
      f.setDurationMs(tookMs);
      findings.add(f);
    }
    if (dhcp) {
      Finding f =
          judgeDhcp(
              iface,
              offers,
              spec.getDhcpServers() == null
                  ? Set.of()
                  : new LinkedHashSet<>(spec.getDhcpServers()));
      f.setDurationMs(tookMs);
      findings.add(f);
    }
    return findings;
  }

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
      String iface, List<Inet4Address> targets, CheckContext context) {
    Route route = Route.defaultRoute(context.atMost(Duration.ofSeconds(2)));
    if (route.gateway() == null || !iface.equals(route.dev()) || route.gateway().contains(":")) {
      return null;
    }
    Inet4Address gateway = (Inet4Address) Addresses.literal(route.gateway());
    return targets.contains(gateway) ? null : gateway;
  }

  private Finding judge(
      Inet4Address address, boolean ours, Set<String> macs, String iface, String ownMac) {
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
          ip
              + " is this node's address on "
              + iface
              + " ("
              + ownMac
              + ") but is also claimed by "
              + String.join(", ", macs),
          remedy(ip, macs));
    }
    if (macs.isEmpty()) {
      return Findings.inconclusive(
          key(),
          ip,
          "no host answered ARP for "
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
    List<Dhcp.Offer> rogue =
        offers.values().stream()
            .map(l -> l.get(0))
            .filter(
                o ->
                    allowed.isEmpty()
                        ? offers.size() > 1
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
      f = Findings.clear(key(), target, "one DHCP server offers on " + iface + ": " + all);
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
