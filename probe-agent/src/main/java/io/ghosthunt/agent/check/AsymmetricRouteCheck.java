package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.Commands;
import io.ghosthunt.agent.host.ConntrackEntry;
import io.ghosthunt.agent.host.FirewallRule;
import io.ghosthunt.agent.host.FlowWatch;
import io.ghosthunt.agent.host.Route;
import io.ghosthunt.agent.host.Ruleset;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Works one direction: the conntrack state of flows with each peer. Flows stuck unreplied while
 * their clients go on sending what only a completed handshake sends (ACKs, data: watched for a
 * moment on the wire) mean the peer's replies reach the clients by another path. Ghost {@code
 * AsymmetricRoute}; Inconclusive when there is no flow with the peer to judge, or the stuck flows'
 * clients send nothing but SYNs (a peer that is down or filtered).
 */
public final class AsymmetricRouteCheck implements Check {

  private static final int SHOWN_FLOWS = 3;

  /**
   * How long the stuck flows' packets are watched at most: clients retransmit within a second or
   * two.
   */
  static final Duration WATCH = Duration.ofMillis(2500);

  @Override
  public CheckKey key() {
    return CheckKey.ASYMMETRIC_ROUTE;
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    Ruleset.Read ruleset = Ruleset.read(context.atMost(Duration.ofSeconds(5)));
    List<FirewallRule> invalidDrops =
        ruleset.rules().stream()
            .filter(
                r ->
                    r.drops()
                        && r.matching("ct state").stream()
                            .anyMatch(m -> !m.negated() && m.values().contains("invalid")))
            .toList();
    long dropped =
        invalidDrops.stream().mapToLong(r -> r.packets() == null ? 0 : r.packets()).sum();
    Long kernelInvalid = kernelInvalidCount(context);

    List<Finding> findings = new ArrayList<>();
    for (String peer : checks.getAsymmetricRoute().getPeers()) {
      long started = System.nanoTime();
      Finding f = judgePeer(peer, context, invalidDrops, dropped, kernelInvalid);
      f.setDurationMs((System.nanoTime() - started) / 1_000_000);
      findings.add(f);
    }
    return findings;
  }

  private Finding judgePeer(
      String peer,
      CheckContext context,
      List<FirewallRule> invalidDrops,
      long dropped,
      Long kernelInvalid) {
    List<String> addresses;
    try {
      addresses =
          java.util.Arrays.stream(InetAddress.getAllByName(peer))
              .map(Addresses::text)
              .distinct()
              .toList();
    } catch (UnknownHostException e) {
      return Findings.error(key(), peer, "cannot resolve " + peer + ": " + e.getMessage());
    }
    Map<String, ConntrackEntry> flows = new LinkedHashMap<>();
    for (String address : addresses) {
      for (String direction : List.of("--orig-dst", "--orig-src")) {
        String family = address.contains(":") ? "ipv6" : "ipv4";
        Commands.Result r =
            Commands.run(
                context.atMost(Duration.ofSeconds(10)),
                "conntrack",
                "-L",
                "-f",
                family,
                direction,
                address);
        if (!r.ok()) {
          // conntrack exits 1 with "0 flow entries" when the table has none for the filter.
          if (r.exitCode() == 1 && r.stderr().contains("0 flow entries")) {
            continue;
          }
          return Findings.error(
              key(),
              peer,
              "cannot read the conntrack table: "
                  + r.failure()
                  + " (needs the conntrack tool and CAP_NET_ADMIN)");
        }
        for (ConntrackEntry e : ConntrackEntry.parse(r.stdout())) {
          if (e.involves(address)) {
            flows.putIfAbsent(e.line(), e);
          }
        }
      }
    }
    Route route = Route.to(addresses.get(0), context.atMost(Duration.ofSeconds(5)));

    List<ConntrackEntry> stuck = flows.values().stream().filter(ConntrackEntry::stuck).toList();
    long replied = flows.values().stream().filter(e -> !e.unreplied()).count();
    Finding f;
    if (flows.isEmpty()) {
      f =
          Findings.inconclusive(
              key(),
              peer,
              "no flows with "
                  + String.join(", ", addresses)
                  + " in the conntrack table: generate traffic to the peer (the failing client, or curl) and hunt again");
    } else if (stuck.isEmpty()) {
      f =
          Findings.clear(
              key(),
              peer,
              flows.size()
                  + " flows with "
                  + peer
                  + ", none stuck: replies come back through this node");
    } else {
      Watched watched = watch(stuck, context);
      if (watched.seen() != null) {
        FlowWatch.Seen seen = watched.seen();
        String dropper =
            invalidDrops.isEmpty()
                ? "the firewall drops what it never saw answered (its policy)"
                : "the firewall drops INVALID packets ("
                    + invalidDrops.get(0).where()
                    + (invalidDrops.get(0).packets() == null
                        ? ""
                        : ", " + invalidDrops.get(0).packets() + " packets")
                    + ")";
        f =
            Findings.ghost(
                key(),
                peer,
                GhostName.AsymmetricRoute,
                stuck.size()
                    + " flows with "
                    + peer
                    + " stuck "
                    + stuck.get(0).state()
                    + (stuck.get(0).unreplied() ? " [UNREPLIED]" : "")
                    + " while "
                    + dropper
                    + ", yet their clients send "
                    + seen.flags()
                    + " (a completed handshake's packets): replies take another path"
                    + (!route.exists() ? "" : " than " + route.describe()),
                "make the return path symmetric (the peer's route back to this node's networks must cross this node), or"
                    + " exempt the path from state tracking (an nft notrack rule for it) instead of dropping what it cannot track");
        f.evidence(
            "handshakeCompleting",
            seen.flags()
                + " "
                + seen.flow().describe()
                + " on "
                + seen.iface()
                + " after "
                + seen.after().toMillis()
                + " ms");
      } else {
        f =
            Findings.inconclusive(
                key(),
                peer,
                stuck.size()
                    + " flows with "
                    + peer
                    + " stuck unreplied, but "
                    + watched.what()
                    + ": the peer may be down or filtered; hunt again while the clients fail");
      }
      f.evidence("watched", watched.what());
    }
    f.evidence("flows", flows.size()).evidence("stuck", stuck.size()).evidence("replied", replied);
    for (int i = 0; i < Math.min(SHOWN_FLOWS, stuck.size()); i++) {
      f.evidence(i == 0 ? "stuckFlow" : "stuckFlow" + (i + 1), stuck.get(i).describe());
    }
    if (!invalidDrops.isEmpty()) {
      f.evidence(
          "invalidDropRule", invalidDrops.get(0).where() + ": " + invalidDrops.get(0).text());
      f.evidence("invalidDropped", dropped);
    }
    f.evidence("conntrackInvalid", kernelInvalid);
    f.evidence("route", route.describe());
    f.evidence("rpFilter", rpFilter(route.dev()));
    return f;
  }

  /**
   * What watching the stuck flows' own packets gave: the first that completes a handshake, or why
   * none.
   */
  record Watched(FlowWatch.Seen seen, String what) {}

  /**
   * Watches the stuck flows' packets as they arrive from their clients, for at most {@link #WATCH}:
   * a client sending ACKs or data for a flow this node never saw answered got the answer another
   * way. Decided from the flows' own packets, not node-wide INVALID counters, which kube-proxy's
   * rule keeps counting on every node whatever the peer does.
   */
  private static Watched watch(List<ConntrackEntry> stuck, CheckContext context) {
    List<FlowWatch.Flow> flows = new ArrayList<>();
    for (ConntrackEntry e : stuck) {
      String src = e.original().get("src");
      if (src != null
          && src.contains(".")
          && e.original().get("sport") != null
          && e.original().get("dport") != null) {
        flows.add(
            new FlowWatch.Flow(
                src,
                Integer.parseInt(e.original().get("sport")),
                e.original().get("dst"),
                Integer.parseInt(e.original().get("dport"))));
      }
    }
    if (flows.isEmpty()) {
      return new Watched(
          null, "their packets could not be watched (IPv6 flows are not watched yet)");
    }
    Route back = Route.to(flows.get(0).src(), context.atMost(Duration.ofSeconds(5)));
    if (!back.exists()) {
      return new Watched(
          null, "no route to the client " + flows.get(0).src() + " to watch its packets on");
    }
    Duration window = context.atMost(WATCH);
    try {
      java.util.Optional<FlowWatch.Seen> seen =
          FlowWatch.firstHandshakeCompleting(
              back.dev(), flows, java.time.Instant.now().plus(window));
      return new Watched(
          seen.orElse(null),
          seen.isPresent()
              ? "watched " + back.dev() + " until the first such packet"
              : "in "
                  + window.toMillis()
                  + " ms on "
                  + back.dev()
                  + " no packet of them arrived but SYNs");
    } catch (java.io.IOException e) {
      return new Watched(null, "their packets could not be watched: " + e.getMessage());
    }
  }

  /** The kernel's own count of INVALID packets (conntrack -S), summed over CPUs. */
  private static Long kernelInvalidCount(CheckContext context) {
    Commands.Result r = Commands.run(context.atMost(Duration.ofSeconds(5)), "conntrack", "-S");
    if (!r.ok()) {
      return null;
    }
    long sum = 0;
    for (String tok : r.stdout().split("\\s+")) {
      if (tok.startsWith("invalid=")) {
        sum += Long.parseLong(tok.substring(8));
      }
    }
    return sum;
  }

  /** The effective rp_filter for the route's interface: the larger of "all" and the interface's. */
  private static String rpFilter(String dev) {
    if (dev == null) {
      return null;
    }
    try {
      int all =
          Integer.parseInt(
              Files.readString(Path.of("/proc/sys/net/ipv4/conf/all/rp_filter")).trim());
      int own =
          Integer.parseInt(
              Files.readString(Path.of("/proc/sys/net/ipv4/conf", dev, "rp_filter")).trim());
      int eff = Math.max(all, own);
      return eff
          + (eff == 1
              ? " (strict: packets from the peer arriving on another interface are dropped)"
              : eff == 2 ? " (loose)" : " (off)")
          + " on "
          + dev;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
