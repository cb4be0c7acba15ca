package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host names as glibc's getaddrinfo resolves them for a process in a pod, from the pod's own files:
 * the hosts file first (where the kubelet writes the pod's hostAliases), then resolv.conf's
 * nameservers, a short name tried with the search list as ndots says. The JVM's own lookup cannot
 * stand in for it: {@code nsenter --net} moves the probe's child into the pod's network namespace
 * only, so the JVM would read the probe image's hosts file and resolv.conf. The same holds for any
 * root given with {@code --etc}.
 */
public final class PodResolver {

  private static final Logger LOG = LoggerFactory.getLogger(PodResolver.class);

  /** One server's time per name: glibc's 5 s, twice, would spend a check's whole budget. */
  static final Duration QUERY_TIMEOUT = Duration.ofMillis(2000);

  /** glibc's resolver asks this one when resolv.conf names no server (or is missing). */
  static final InetAddress NO_SERVER = Addresses.literal("127.0.0.1");

  /** A query for a name's A and AAAA records at one server; {@link DnsClient} outside tests. */
  @FunctionalInterface
  interface Query {
    DnsClient.Answer ask(InetAddress server, String name, Duration timeout);
  }

  /**
   * What a name resolved to and which source said so, or why it did not resolve.
   *
   * @param addresses empty when no source resolved the name
   * @param resolvedBy the source that answered, e.g. {@code /etc/hosts line 3} or {@code nameserver
   *     10.96.0.10 (search expansion web.shop.svc.cluster.local)}; null when none did
   * @param failure why no source resolved it, in the pod's terms; null when one did
   * @param denied whether the failure is the sources' own word (no such name, no address), not
   *     silence, a broken server or a file that could not be read
   */
  public record Result(
      List<InetAddress> addresses, String resolvedBy, String failure, boolean denied) {

    public boolean resolved() {
      return !addresses.isEmpty();
    }

    static Result found(List<InetAddress> addresses, String by) {
      return new Result(List.copyOf(new LinkedHashSet<>(addresses)), by, null, false);
    }

    static Result failed(String why, boolean denied) {
      return new Result(List.of(), null, why, denied);
    }
  }

  /** What glibc's search does after one name's answer. */
  public enum Step {
    /** Addresses: done. */
    FOUND,
    /** No such name, no address, or a failing server: the next name in line may still resolve. */
    NEXT,
    /** A server refusing the query ends the search list; only the name as it is is still tried. */
    AS_IS,
    /** Silence: the same servers would not answer the next name either. */
    STOP
  }

  /** One name of the search asked, who answered (or stayed silent) and what. */
  record Asked(String name, String from, DnsClient.Answer answer) {}

  /** The pod's resolv.conf as read, or why it could not be. */
  record Conf(List<InetAddress> servers, List<String> search, int ndots, String problem) {}

  private final HostsFile hosts;
  private final ForeignRoot root;
  private final String resolvConf;
  private final Query query;

  /**
   * @param hosts the pod's hosts file
   * @param root the pod's files, in which resolv.conf's links are followed
   * @param resolvConf resolv.conf's path inside {@code root}
   */
  public PodResolver(HostsFile hosts, ForeignRoot root, String resolvConf, DnsClient dns) {
    this(hosts, root, resolvConf, (server, name, t) -> dns.addresses(server, name, true, t));
  }

  PodResolver(HostsFile hosts, ForeignRoot root, String resolvConf, Query query) {
    this.hosts = hosts;
    this.root = root;
    this.resolvConf = resolvConf;
    this.query = query;
  }

  /** Resolves {@code name} (not an address literal) within {@code budget}. */
  public Result resolve(String name, Duration budget) {
    Instant deadline = Instant.now().plus(budget);
    String hostsNote;
    boolean hostsRead = true;
    try {
      List<HostsFile.Line> lines = hosts.lookup(name);
      if (!lines.isEmpty()) {
        return Result.found(
            lines.stream().map(HostsFile.Line::address).toList(), hostsLabel(lines));
      }
      hostsNote = "not in " + hosts.shown();
    } catch (IOException e) {
      // glibc passes over a hosts file it cannot open; the pod may read what the probe cannot, so
      // an answer from a nameserver says it.
      hostsRead = false;
      hostsNote =
          e.getMessage() != null && e.getMessage().startsWith("cannot read ")
              ? e.getMessage()
              : "cannot read " + hosts.shown() + ": " + e;
    }
    Conf conf = conf();
    if (conf.problem() != null) {
      return Result.failed(hostsNote + "; " + conf.problem(), false);
    }
    Result r;
    try {
      r = search(name, conf, deadline, hostsNote);
    } catch (IllegalArgumentException e) {
      r = Result.failed(hostsNote + "; " + e.getMessage(), true);
    }
    LOG.debug("{} in the pod: {}", name, r);
    return r.resolved() && !hostsRead
        ? new Result(r.addresses(), r.resolvedBy() + "; " + hostsNote, null, false)
        : r;
  }

  private String hostsLabel(List<HostsFile.Line> lines) {
    return hosts.shown()
        + (lines.size() == 1 ? " line " : " lines ")
        + lines.stream().map(l -> Integer.toString(l.number())).collect(Collectors.joining(", "));
  }

  private Conf conf() {
    ForeignRoot.Resolution file = root.resolve(resolvConf);
    List<String> lines = List.of();
    if (!file.absent()) {
      if (!file.readable()) {
        // Not the probe's own resolv.conf instead: what the pod has there is unknown.
        return new Conf(List.of(), List.of(), 0, file.problem());
      }
      try {
        lines = ForeignRoot.readAllLines(file);
      } catch (IOException e) {
        return new Conf(
            List.of(), List.of(), 0, "cannot read " + file.chain() + ": " + e.getMessage());
      }
    }
    List<InetAddress> servers = ResolvConf.nameservers(lines);
    return new Conf(
        servers.isEmpty() ? List.of(NO_SERVER) : servers,
        ResolvConf.search(lines),
        ResolvConf.ndots(lines),
        null);
  }

  private Result search(String name, Conf conf, Instant deadline, String hostsNote) {
    List<String> names = candidates(name, conf.search(), conf.ndots());
    int asIs = names.indexOf(name);
    List<Asked> tried = new ArrayList<>();
    for (int i = 0; i >= 0 && i < names.size(); ) {
      Asked a = ask(names.get(i), conf.servers(), deadline);
      tried.add(a);
      Step step = step(a.answer());
      if (step == Step.FOUND) {
        String by =
            a.from() + (a.name().equals(name) ? "" : " (search expansion " + a.name() + ")");
        return Result.found(a.answer().addresses(), by);
      }
      i = next(step, i, asIs, names.size());
    }
    boolean denied = tried.stream().allMatch(t -> t.answer().answered());
    return Result.failed(hostsNote + "; " + unanswered(tried), denied);
  }

  /**
   * The servers in resolv.conf's order until one settles the name (NOERROR or NXDOMAIN), as glibc
   * moves on from a server that fails, refuses or stays silent; else the last server's word, which
   * tells a failing server from silence.
   */
  private Asked ask(String name, List<InetAddress> servers, Instant deadline) {
    Asked last = null;
    List<String> silent = new ArrayList<>();
    for (InetAddress s : servers) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        break;
      }
      DnsClient.Answer a =
          query.ask(s, name, left.compareTo(QUERY_TIMEOUT) < 0 ? left : QUERY_TIMEOUT);
      if (a.rcode() == null) {
        silent.add(Addresses.text(s));
      }
      if (last == null || a.rcode() != null || last.answer().rcode() == null) {
        last = new Asked(name, "nameserver " + Addresses.text(s), a);
      }
      if (a.answered()) {
        return last;
      }
    }
    if (last == null) {
      return new Asked(name, "the nameservers", silence("the check's time ran out"));
    }
    return last.answer().rcode() == null && silent.size() > 1
        ? new Asked(name, "nameservers " + String.join(", ", silent), last.answer())
        : last;
  }

  private static DnsClient.Answer silence(String why) {
    return new DnsClient.Answer(null, why, false, List.of(), List.of(), -1, null);
  }

  /**
   * The names glibc's res_search asks, in order: one with a trailing dot only as it is; one with at
   * least {@code ndots} dots as it is first, then with each search domain; a shorter one with each
   * search domain first, then as it is. A domain {@code .} is the name as it is, asked once.
   */
  public static List<String> candidates(String name, List<String> search, int ndots) {
    if (name.endsWith(".")) {
      return List.of(name);
    }
    long dots = name.chars().filter(c -> c == '.').count();
    Set<String> names = new LinkedHashSet<>();
    if (dots >= ndots) {
      names.add(name);
    }
    for (String domain : search) {
      names.add(domain.equals(".") ? name : name + "." + domain);
    }
    names.add(name);
    return List.copyOf(names);
  }

  /** What the search does after {@code a}, glibc's res_search's rules. */
  public static Step step(DnsClient.Answer a) {
    if (!a.addresses().isEmpty()) {
      return Step.FOUND;
    }
    if (a.rcode() == null) {
      return Step.STOP;
    }
    return switch (a.rcode()) {
      // NOERROR without an address is glibc's NO_DATA: another type (or a wildcard) may hide the
      // name higher up the list, so the search goes on, as it does past a SERVFAIL.
      case "NXDOMAIN", "NOERROR", "SERVFAIL" -> Step.NEXT;
      default -> Step.AS_IS;
    };
  }

  /**
   * The index of the next name to ask after a {@code step} at {@code at}, or -1: {@code asIs} is
   * where the name as it is stands in the list of {@code count}.
   */
  static int next(Step step, int at, int asIs, int count) {
    return switch (step) {
      case FOUND, STOP -> -1;
      case NEXT -> at + 1 < count ? at + 1 : -1;
      case AS_IS -> asIs > at ? asIs : -1;
    };
  }

  /**
   * Why the nameservers gave no address, the names that got the same word grouped in order, e.g.
   * {@code nameserver 10.96.0.10 answers NXDOMAIN for web.shop.svc.cluster.local, web}.
   */
  static String unanswered(List<Asked> tried) {
    return grouped(tried, PodResolver::word, Asked::name);
  }

  /**
   * "WORD for a, b; OTHER for c": the names of {@code items} in order, those in a row that got the
   * same word together (the dns check words its search expansions the same way).
   */
  public static <T> String grouped(
      List<T> items, Function<T, String> word, Function<T, String> name) {
    List<String> parts = new ArrayList<>();
    String last = null;
    List<String> names = new ArrayList<>();
    for (T item : items) {
      String w = word.apply(item);
      if (last != null && !w.equals(last)) {
        parts.add(last + " for " + String.join(", ", names));
        names.clear();
      }
      last = w;
      names.add(name.apply(item));
    }
    if (last != null) {
      parts.add(last + " for " + String.join(", ", names));
    }
    return String.join("; ", parts);
  }

  private static String word(Asked a) {
    DnsClient.Answer answer = a.answer();
    if (answer.rcode() == null) {
      return "no answer from " + a.from() + " (" + answer.error() + ")";
    }
    if (answer.rcode().equals("NOERROR")) {
      return a.from()
          + " answers no address"
          + (answer.dangling() != null ? " (a CNAME to " + answer.dangling() + ")" : "");
    }
    return a.from() + " answers " + answer.rcode();
  }
}
