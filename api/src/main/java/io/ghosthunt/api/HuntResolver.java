package io.ghosthunt.api;

import io.ghosthunt.api.spec.AsymmetricRouteSpec;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.spec.DuplicateIpSpec;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.api.spec.LoopbackSpec;
import io.ghosthunt.api.spec.MtuSpec;
import io.ghosthunt.api.spec.Patterns;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.spec.Protocol;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns a spec into the checks to run. Pure: no network, no clock. The rules (also in the README):
 *
 * <ol>
 *   <li>{@code target} offers every check whose input it can give: the port to portOwner and
 *       loopback, the host name to dns, the URL to http2, the host to mtu and asymmetricRoute, and
 *       the node's own addresses to duplicateIp.
 *   <li>{@code symptom} narrows the checks offered by the target to the symptom's checks.
 *   <li>A check named in {@code checks} always runs; each field set there overrides the target's.
 *   <li>Defaults fill what is left (protocol TCP, insecureSkipTlsVerify false, dhcp false).
 *   <li>A named check that still lacks a required input, or a hunt with nothing to run, is invalid.
 *   <li>So is any input or selector the schema refuses: a local run has no API server to refuse it.
 * </ol>
 */
public final class HuntResolver {

  private static final int MAX_ITEMS = 64;
  private static final Pattern URL = Pattern.compile(Patterns.URL_ANCHORED);
  private static final Pattern HOST = Pattern.compile(Patterns.HOST_ANCHORED);
  private static final Pattern IP = Pattern.compile(Patterns.IP_ANCHORED);
  private static final Pattern IPV4 = Pattern.compile(Patterns.IPV4_ANCHORED);
  private static final Pattern NAME = Pattern.compile(Patterns.DNS_NAME_ANCHORED);

  private HuntResolver() {}

  public static ResolvedHunt resolve(GhostHuntSpec spec) throws InvalidHuntException {
    if (spec == null) {
      throw new InvalidHuntException(List.of("spec is missing"));
    }
    List<String> problems = new ArrayList<>();
    Target target = null;
    if (spec.getTarget() != null) {
      try {
        target = Target.parse(spec.getTarget());
      } catch (InvalidHuntException e) {
        problems.addAll(e.problems());
      }
    }
    if (spec.getTimeoutSeconds() != null
        && (spec.getTimeoutSeconds() < 1 || spec.getTimeoutSeconds() > 3600)) {
      problems.add("spec.timeoutSeconds: " + spec.getTimeoutSeconds() + " is outside 1-3600");
    }
    ChecksSpec explicit = spec.getChecks() == null ? new ChecksSpec() : spec.getChecks();
    validateExplicit(explicit, problems);
    validateSelectors(spec, problems);
    if (!problems.isEmpty()) {
      throw new InvalidHuntException(problems);
    }

    Set<CheckKey> offered = EnumSet.noneOf(CheckKey.class);
    if (target != null) {
      offered = EnumSet.allOf(CheckKey.class);
    } else if (spec.getSymptom() != null) {
      // duplicateIp needs no target: it probes the node's own addresses.
      offered.add(CheckKey.DUPLICATE_IP);
    }
    if (spec.getSymptom() != null) {
      offered.retainAll(spec.getSymptom().checks());
    }

    List<String> skipped = new ArrayList<>();
    ChecksSpec out = new ChecksSpec();
    Target t = target;

    out.setPortOwner(
        merge(
            CheckKey.PORT_OWNER,
            offered,
            explicit.getPortOwner(),
            problems,
            skipped,
            () -> t != null && t.port() != null ? portOwnerFor(t) : null,
            () -> "target " + (t == null ? "(none)" : t.raw()) + " has no port",
            HuntResolver::completePortOwner));
    out.setLoopback(
        merge(
            CheckKey.LOOPBACK,
            offered,
            explicit.getLoopback(),
            problems,
            skipped,
            () -> t != null && t.port() != null ? loopbackFor(t) : null,
            () -> "target " + (t == null ? "(none)" : t.raw()) + " has no port",
            HuntResolver::completeLoopback));
    out.setDns(
        merge(
            CheckKey.DNS,
            offered,
            explicit.getDns(),
            problems,
            skipped,
            () -> t != null && !t.hostIsIp() ? dnsFor(t) : null,
            () ->
                "target host "
                    + (t == null ? "(none)" : t.host())
                    + " is an IP address, not a name",
            HuntResolver::completeDns));
    out.setHttp2(
        merge(
            CheckKey.HTTP2,
            offered,
            explicit.getHttp2(),
            problems,
            skipped,
            () -> t != null && t.url() != null ? http2For(t) : null,
            () -> "target " + (t == null ? "(none)" : t.raw()) + " is not an http(s) URL",
            HuntResolver::completeHttp2));
    out.setMtu(
        merge(
            CheckKey.MTU,
            offered,
            explicit.getMtu(),
            problems,
            skipped,
            () -> t != null ? mtuFor(t) : null,
            () -> "no target",
            HuntResolver::completeMtu));
    out.setAsymmetricRoute(
        merge(
            CheckKey.ASYMMETRIC_ROUTE,
            offered,
            explicit.getAsymmetricRoute(),
            problems,
            skipped,
            () -> t != null ? asymmetricFor(t) : null,
            () -> "no target",
            HuntResolver::completeAsymmetric));
    out.setDuplicateIp(
        merge(
            CheckKey.DUPLICATE_IP,
            offered,
            explicit.getDuplicateIp(),
            problems,
            skipped,
            DuplicateIpSpec::new,
            () -> "never",
            HuntResolver::completeDuplicateIp));

    if (!problems.isEmpty()) {
      throw new InvalidHuntException(problems);
    }
    ResolvedHunt resolved = new ResolvedHunt(out, skipped);
    if (resolved.keys().isEmpty()) {
      List<String> why = new ArrayList<>();
      why.add(
          "nothing to check: set spec.target (a URL or host[:port]) or name at least one check in spec.checks");
      why.addAll(skipped);
      throw new InvalidHuntException(why);
    }
    return resolved;
  }

  /**
   * One check's resolution. Returns the complete input, or null when the check does not run.
   *
   * @param derived the target's input for this check, or null when the target cannot give one
   * @param complete overlays explicit fields on the derived input and reports missing inputs
   */
  private static <T> T merge(
      CheckKey key,
      Set<CheckKey> offered,
      T explicit,
      List<String> problems,
      List<String> skipped,
      java.util.function.Supplier<T> derived,
      java.util.function.Supplier<String> whyNotDerived,
      Completer<T> complete) {
    T fromTarget = derived.get();
    if (explicit == null) {
      if (!offered.contains(key)) {
        return null;
      }
      if (fromTarget == null) {
        skipped.add(key + ": skipped, " + whyNotDerived.get());
        return null;
      }
      return complete.complete(fromTarget, null, problems);
    }
    return complete.complete(fromTarget, explicit, problems);
  }

  @FunctionalInterface
  private interface Completer<T> {
    /** Overlays {@code explicit} (may be null) on {@code derived} (may be null). */
    T complete(T derived, T explicit, List<String> problems);
  }

  private static <S, V> V pick(S explicit, S derived, Function<S, V> field) {
    V v = explicit == null ? null : field.apply(explicit);
    if (v == null && derived != null) {
      v = field.apply(derived);
    }
    return v;
  }

  private static PortOwnerSpec portOwnerFor(Target t) {
    PortOwnerSpec s = new PortOwnerSpec();
    s.setPorts(List.of(t.port()));
    return s;
  }

  private static PortOwnerSpec completePortOwner(
      PortOwnerSpec d, PortOwnerSpec e, List<String> problems) {
    PortOwnerSpec s = new PortOwnerSpec();
    s.setPorts(pick(e, d, PortOwnerSpec::getPorts));
    s.setProtocol(pick(e, d, PortOwnerSpec::getProtocol));
    if (s.getProtocol() == null) {
      s.setProtocol(Protocol.TCP);
    }
    s.setExpectedProcess(pick(e, d, PortOwnerSpec::getExpectedProcess));
    if (s.getPorts() == null || s.getPorts().isEmpty()) {
      problems.add("spec.checks.portOwner.ports: required when spec.target gives no port");
    }
    return s;
  }

  private static LoopbackSpec loopbackFor(Target t) {
    LoopbackSpec s = new LoopbackSpec();
    s.setPorts(List.of(t.port()));
    return s;
  }

  private static LoopbackSpec completeLoopback(
      LoopbackSpec d, LoopbackSpec e, List<String> problems) {
    LoopbackSpec s = new LoopbackSpec();
    s.setPorts(pick(e, d, LoopbackSpec::getPorts));
    if (s.getPorts() == null || s.getPorts().isEmpty()) {
      problems.add("spec.checks.loopback.ports: required when spec.target gives no port");
    }
    return s;
  }

  private static DnsSpec dnsFor(Target t) {
    DnsSpec s = new DnsSpec();
    s.setNames(List.of(t.host()));
    return s;
  }

  private static DnsSpec completeDns(DnsSpec d, DnsSpec e, List<String> problems) {
    DnsSpec s = new DnsSpec();
    s.setNames(pick(e, d, DnsSpec::getNames));
    s.setResolvers(orEmpty(pick(e, d, DnsSpec::getResolvers)));
    s.setAuthorities(orEmpty(pick(e, d, DnsSpec::getAuthorities)));
    s.setExpectedAddresses(orEmpty(pick(e, d, DnsSpec::getExpectedAddresses)));
    if (s.getNames() == null || s.getNames().isEmpty()) {
      problems.add("spec.checks.dns.names: required when spec.target gives no host name");
    }
    return s;
  }

  private static Http2Spec http2For(Target t) {
    Http2Spec s = new Http2Spec();
    s.setUrls(List.of(t.url()));
    return s;
  }

  private static Http2Spec completeHttp2(Http2Spec d, Http2Spec e, List<String> problems) {
    Http2Spec s = new Http2Spec();
    s.setUrls(pick(e, d, Http2Spec::getUrls));
    s.setInsecureSkipTlsVerify(
        Boolean.TRUE.equals(pick(e, d, Http2Spec::getInsecureSkipTlsVerify)));
    s.setCaBundleConfigMap(pick(e, d, Http2Spec::getCaBundleConfigMap));
    if (s.getUrls() == null || s.getUrls().isEmpty()) {
      problems.add("spec.checks.http2.urls: required when spec.target is not an http(s) URL");
    }
    return s;
  }

  private static MtuSpec mtuFor(Target t) {
    MtuSpec s = new MtuSpec();
    s.setTargets(List.of(t.host()));
    return s;
  }

  private static MtuSpec completeMtu(MtuSpec d, MtuSpec e, List<String> problems) {
    MtuSpec s = new MtuSpec();
    s.setTargets(pick(e, d, MtuSpec::getTargets));
    if (s.getTargets() == null || s.getTargets().isEmpty()) {
      problems.add("spec.checks.mtu.targets: required when there is no spec.target");
    }
    return s;
  }

  private static AsymmetricRouteSpec asymmetricFor(Target t) {
    AsymmetricRouteSpec s = new AsymmetricRouteSpec();
    s.setPeers(List.of(t.host()));
    return s;
  }

  private static AsymmetricRouteSpec completeAsymmetric(
      AsymmetricRouteSpec d, AsymmetricRouteSpec e, List<String> problems) {
    AsymmetricRouteSpec s = new AsymmetricRouteSpec();
    s.setPeers(pick(e, d, AsymmetricRouteSpec::getPeers));
    if (s.getPeers() == null || s.getPeers().isEmpty()) {
      problems.add("spec.checks.asymmetricRoute.peers: required when there is no spec.target");
    }
    return s;
  }

  private static DuplicateIpSpec completeDuplicateIp(
      DuplicateIpSpec d, DuplicateIpSpec e, List<String> problems) {
    DuplicateIpSpec s = new DuplicateIpSpec();
    // An empty list means the same as none: the node's own addresses.
    s.setAddresses(orEmpty(pick(e, d, DuplicateIpSpec::getAddresses)));
    s.setInterfaceName(pick(e, d, DuplicateIpSpec::getInterfaceName));
    s.setDhcp(Boolean.TRUE.equals(pick(e, d, DuplicateIpSpec::getDhcp)));
    s.setDhcpServers(orEmpty(pick(e, d, DuplicateIpSpec::getDhcpServers)));
    return s;
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  /** The schema's rules again, for local runs where no API server stands in front of the file. */
  private static void validateExplicit(ChecksSpec c, List<String> problems) {
    if (c.getPortOwner() != null) {
      ports("spec.checks.portOwner.ports", c.getPortOwner().getPorts(), problems);
      String p = c.getPortOwner().getExpectedProcess();
      if (p != null && (p.isBlank() || p.contains("/") || p.length() > 64)) {
        problems.add(
            "spec.checks.portOwner.expectedProcess: '"
                + p
                + "' must be a process name without '/'");
      }
    }
    if (c.getLoopback() != null) {
      ports("spec.checks.loopback.ports", c.getLoopback().getPorts(), problems);
    }
    if (c.getDns() != null) {
      strings("spec.checks.dns.names", c.getDns().getNames(), NAME, "a DNS name", problems);
      strings(
          "spec.checks.dns.resolvers", c.getDns().getResolvers(), IP, "an IP address", problems);
      strings(
          "spec.checks.dns.authorities",
          c.getDns().getAuthorities(),
          IP,
          "an IP address",
          problems);
      strings(
          "spec.checks.dns.expectedAddresses",
          c.getDns().getExpectedAddresses(),
          IP,
          "an IP address",
          problems);
    }
    if (c.getHttp2() != null) {
      strings(
          "spec.checks.http2.urls",
          c.getHttp2().getUrls(),
          URL,
          "an http:// or https:// URL",
          problems);
    }
    if (c.getMtu() != null) {
      strings(
          "spec.checks.mtu.targets",
          c.getMtu().getTargets(),
          HOST,
          "an IP address or host name",
          problems);
    }
    if (c.getAsymmetricRoute() != null) {
      strings(
          "spec.checks.asymmetricRoute.peers",
          c.getAsymmetricRoute().getPeers(),
          HOST,
          "an IP address or host name",
          problems);
    }
    if (c.getDuplicateIp() != null) {
      strings(
          "spec.checks.duplicateIp.addresses",
          c.getDuplicateIp().getAddresses(),
          IP,
          "an IPv4 or IPv6 address",
          problems);
      strings(
          "spec.checks.duplicateIp.dhcpServers",
          c.getDuplicateIp().getDhcpServers(),
          IPV4,
          "an IPv4 address",
          problems);
    }
  }

  /**
   * The selectors as the schema has them: a selector the API server would refuse, or one the client
   * cannot send, must stop the hunt with a reason, not fail each time the nodes are listed.
   */
  private static void validateSelectors(GhostHuntSpec spec, List<String> problems) {
    if (spec.getNodes() != null) {
      SelectorRules.check("spec.nodes.selector", spec.getNodes().getSelector(), problems);
    }
    if (spec.getPods() != null) {
      if (spec.getPods().getSelector() == null) {
        problems.add(
            "spec.pods.selector: required, a label selector over the pods of the hunt's namespace");
      } else {
        SelectorRules.check("spec.pods.selector", spec.getPods().getSelector(), problems);
      }
    }
  }

  private static void ports(String field, List<Integer> ports, List<String> problems) {
    if (ports == null) {
      return;
    }
    size(field, ports, problems);
    for (Integer p : ports) {
      if (p == null || p < 1 || p > 65535) {
        problems.add(field + ": " + p + " is not a port (1-65535)");
      }
    }
  }

  private static void strings(
      String field, List<String> values, Pattern pattern, String what, List<String> problems) {
    if (values == null) {
      return;
    }
    size(field, values, problems);
    for (String v : values) {
      if (v == null || !pattern.matcher(v).matches()) {
        problems.add(field + ": '" + v + "' is not " + what);
      }
    }
  }

  private static void size(String field, List<?> values, List<String> problems) {
    if (values.size() > MAX_ITEMS) {
      problems.add(field + ": " + values.size() + " entries, at most " + MAX_ITEMS);
    }
  }
}
