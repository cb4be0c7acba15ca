package io.ghosthunt.operator.status;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DuplicateIpSpec;
import io.ghosthunt.api.spec.Patterns;
import io.ghosthunt.api.spec.Protocol;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ReportBounds;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the operator takes from a probe's report: the findings for the checks and targets its hunt
 * asked that node for, each with a verdict and ghost its check can give. A probe holds a token of
 * its own and could write anything into its report; whatever its hunt did not ask is dropped here,
 * before aggregation, and named (bounded) for a Warning Event. Pure: built from the resolved spec,
 * the same one every probe of the hunt runs ({@link io.ghosthunt.api.HuntResolver}).
 *
 * <p>The targets each check writes (see the checks in probe-agent): portOwner {@code tcp/PORT} or
 * {@code udp/PORT}, loopback {@code localhost:PORT}, dns the name, http2 the URL, mtu the target,
 * asymmetricRoute the peer, each as the spec gives it; duplicateIp the address (IPv6 in its short
 * form), {@code dhcp on IFACE} and, for its errors, the interface. Any check may write one Error
 * finding with the target {@code -} (it failed, timed out, or is missing from the probe's build).
 */
public final class ReportFilter {

  /** A finding left out of a report, and why. */
  public record Dropped(Finding finding, String why) {

    /**
     * check, target (cut to 64 characters), verdict and ghost, and why: never the summary,
     * remediation or evidence a probe wrote.
     */
    public String describe() {
      Finding f = finding;
      return f.getCheck()
          + " "
          + ReportBounds.clip(f.getTarget(), TARGET_SHOWN)
          + " "
          + f.getVerdict()
          + (f.getGhost() == null ? "" : " " + f.getGhost())
          + " ("
          + why
          + ")";
    }
  }

  /** The entry with only the findings asked for, and what was left out of it. */
  public record Result(NodeStatus entry, List<Dropped> dropped) {

    /**
     * One line for the event: the entry's subject, how many of its findings were dropped, and the
     * first three with why, targets cut to 64 characters (the recorder cuts an event at 1,000).
     */
    public String describe() {
      int reported =
          dropped.size() + (entry.getFindings() == null ? 0 : entry.getFindings().size());
      return entry.subject()
          + ": dropped "
          + dropped.size()
          + " of "
          + reported
          + " reported findings its hunt did not ask for: "
          + dropped.stream()
              .limit(DROPPED_SHOWN)
              .map(Dropped::describe)
              .collect(Collectors.joining("; "))
          + (dropped.size() > DROPPED_SHOWN
              ? "; and " + (dropped.size() - DROPPED_SHOWN) + " more"
              : "");
    }
  }

  /** A check's own test of a finding's target: why it was not asked, or null when it was. */
  @FunctionalInterface
  private interface TargetRule {
    String reject(Finding f);
  }

  static final int TARGET_SHOWN = 64;
  static final int DROPPED_SHOWN = 3;
  private static final Pattern IP = Pattern.compile(Patterns.IP_ANCHORED);
  private static final String DHCP = "dhcp on ";

  private final Map<CheckKey, TargetRule> asked;

  private ReportFilter(Map<CheckKey, TargetRule> asked) {
    this.asked = asked;
  }

  public static ReportFilter of(ResolvedHunt hunt) {
    return of(hunt.checks());
  }

  /** The filter for a hunt's resolved checks: one target rule per check that runs. */
  public static ReportFilter of(ChecksSpec c) {
    Map<CheckKey, TargetRule> asked = new EnumMap<>(CheckKey.class);
    if (c.getPortOwner() != null) {
      String proto = c.getPortOwner().getProtocol() == Protocol.UDP ? "udp/" : "tcp/";
      asked.put(CheckKey.PORT_OWNER, oneOf(c.getPortOwner().getPorts(), p -> proto + p));
    }
    if (c.getLoopback() != null) {
      asked.put(CheckKey.LOOPBACK, oneOf(c.getLoopback().getPorts(), p -> "localhost:" + p));
    }
    if (c.getDns() != null) {
      asked.put(CheckKey.DNS, oneOf(c.getDns().getNames(), n -> n));
    }
    if (c.getHttp2() != null) {
      asked.put(CheckKey.HTTP2, oneOf(c.getHttp2().getUrls(), u -> u));
    }
    if (c.getMtu() != null) {
      asked.put(CheckKey.MTU, oneOf(c.getMtu().getTargets(), t -> t));
    }
    if (c.getAsymmetricRoute() != null) {
      asked.put(CheckKey.ASYMMETRIC_ROUTE, oneOf(c.getAsymmetricRoute().getPeers(), p -> p));
    }
    if (c.getDuplicateIp() != null) {
      asked.put(CheckKey.DUPLICATE_IP, duplicateIp(c.getDuplicateIp()));
    }
    return new ReportFilter(asked);
  }

  /** The entry with the findings its hunt asked for; an entry without findings stays as it is. */
  public Result apply(NodeStatus entry) {
    if (entry.getFindings() == null) {
      return new Result(entry, List.of());
    }
    List<Finding> kept = new ArrayList<>();
    List<Dropped> dropped = new ArrayList<>();
    for (Finding f : entry.getFindings()) {
      String why = rejection(f);
      if (why == null) {
        kept.add(f);
      } else {
        dropped.add(new Dropped(f, why));
      }
    }
    if (dropped.isEmpty()) {
      return new Result(entry, List.of());
    }
    NodeStatus n = new NodeStatus(entry.getNode(), entry.getPhase());
    n.setPod(entry.getPod());
    n.setGeneration(entry.getGeneration());
    n.setMessage(entry.getMessage());
    n.setFindings(kept);
    return new Result(n, List.copyOf(dropped));
  }

  /**
   * The entries the probes wrote (their reports' status), by target key, each through {@link
   * #apply}; {@code dropped} hears of each report that held more than its hunt asked.
   */
  public Map<String, NodeStatus> entries(
      Map<String, GhostHuntReport> reports, long generation, BiConsumer<String, Result> dropped) {
    Map<String, NodeStatus> entries = new HashMap<>();
    reports.forEach(
        (key, r) -> {
          if (r.getStatus() != null && r.getStatus().getPhase() != null) {
            Result taken =
                apply(
                    r.getStatus()
                        .toNodeStatus(r.getSpec().getNode(), r.getSpec().getPod(), generation));
            if (!taken.dropped().isEmpty()) {
              dropped.accept(key, taken);
            }
            entries.put(key, taken.entry());
          }
        });
    return entries;
  }

  /** Why {@code f} was not asked of the node, or null when it was. */
  String rejection(Finding f) {
    TargetRule rule = f.getCheck() == null ? null : asked.get(f.getCheck());
    if (rule == null) {
      return "check " + f.getCheck() + " was not asked";
    }
    if (f.getVerdict() == null) {
      return "no verdict";
    }
    GhostName ghost = f.getGhost();
    if (f.getVerdict() == FindingVerdict.Ghost && ghost == null) {
      return "a Ghost verdict names no ghost";
    }
    if (ghost != null && f.getVerdict() != FindingVerdict.Ghost) {
      return "ghost " + ghost + " with verdict " + f.getVerdict();
    }
    if (ghost != null && ghost.check() != f.getCheck()) {
      return "ghost " + ghost + " is found by " + ghost.check() + ", not " + f.getCheck();
    }
    if (f.getTarget() == null) {
      return "no target";
    }
    if ("-".equals(f.getTarget())) {
      // The runner's target when a check failed as a whole: an Error, nothing else.
      return f.getVerdict() == FindingVerdict.Error ? null : "target - is for errors only";
    }
    return rule.reject(f);
  }

  private static <T> TargetRule oneOf(Collection<T> inputs, Function<T, String> target) {
    Set<String> targets =
        inputs == null ? Set.of() : inputs.stream().map(target).collect(Collectors.toSet());
    return f -> targets.contains(f.getTarget()) ? null : "target not asked";
  }

  /**
   * duplicateIp: the addresses asked (any address when none were: then it probes the node's own),
   * its DHCP target when DHCP was asked, and the interface for its errors (any name when the spec
   * names none: the node's default route picks it); DuplicateIp is an address's ghost, RogueDhcp
   * the DHCP target's.
   */
  private static TargetRule duplicateIp(DuplicateIpSpec spec) {
    Set<InetAddress> addresses = new HashSet<>();
    if (spec.getAddresses() != null) {
      spec.getAddresses().stream().map(ReportFilter::ip).forEach(addresses::add);
    }
    String iface = spec.getInterfaceName();
    boolean dhcp = Boolean.TRUE.equals(spec.getDhcp());
    return f -> {
      String t = f.getTarget();
      if (t.startsWith(DHCP)) {
        if (!dhcp || iface != null && !t.equals(DHCP + iface)) {
          return "DHCP not asked on this interface";
        }
        return f.getGhost() == GhostName.DuplicateIp ? "DuplicateIp on a DHCP target" : null;
      }
      InetAddress ip = ip(t);
      if (ip != null) {
        if (!addresses.isEmpty() && !addresses.contains(ip)) {
          return "address not asked";
        }
        return f.getGhost() == GhostName.RogueDhcp ? "RogueDhcp on an address" : null;
      }
      if (iface != null && !iface.equals(t)) {
        return "interface not asked";
      }
      return f.getVerdict() == FindingVerdict.Error ? null : "an interface is an error's target";
    };
  }

  /**
   * The address of an IP literal (zone left out), or null for anything else, never by a name
   * lookup: only text the IP pattern allows reaches InetAddress, an IPv6 form in brackets, which it
   * parses or refuses (unbracketed, a malformed one would be looked up as a name).
   */
  static InetAddress ip(String text) {
    if (text == null || !IP.matcher(text).matches()) {
      return null;
    }
    int zone = text.indexOf('%');
    String literal = zone < 0 ? text : text.substring(0, zone);
    try {
      return InetAddress.getByName(literal.indexOf(':') < 0 ? literal : "[" + literal + "]");
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
