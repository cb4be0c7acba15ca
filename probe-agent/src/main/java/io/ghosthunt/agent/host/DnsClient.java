package io.ghosthunt.agent.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** Wire queries to one server at a time, with dnsjava: no cache, no search list, no fallback. */
public final class DnsClient {

  /** The EDNS buffer size DNS Flag Day 2020 settled on: no fragmented UDP answers. */
  private static final int EDNS_PAYLOAD = 1232;

  /**
   * What one server answered for a name's addresses (A and AAAA).
   *
   * @param rcode NOERROR, NXDOMAIN, SERVFAIL...; null when no answer came
   * @param error why no answer came (timeout, refused), else null
   * @param authoritative the AA flag
   * @param chain the CNAME steps followed inside the answer, e.g. ["www.example.com",
   *     "app.example.com"]
   * @param addresses the final A and AAAA records' addresses
   * @param ttl the smallest TTL of the records that make the answer (for a negative answer: the SOA
   *     minimum), i.e. how long a cache keeps serving it; -1 when unknown
   * @param dangling the CNAME target the server named but did not answer for (out of its zone),
   *     else null
   */
  public record Answer(
      String rcode,
      String error,
      boolean authoritative,
      List<String> chain,
      List<InetAddress> addresses,
      long ttl,
      String dangling) {

    public boolean answered() {
      return rcode != null && (rcode.equals("NOERROR") || rcode.equals("NXDOMAIN"));
    }

    public boolean nxdomain() {
      return "NXDOMAIN".equals(rcode);
    }

    /** NOERROR with no address and no CNAME left to follow: the name exists but has no A/AAAA. */
    public boolean empty() {
      return "NOERROR".equals(rcode) && addresses.isEmpty() && dangling == null;
    }
  }

  public Answer addresses(InetAddress server, String name, boolean recurse, Duration timeout) {
    Answer a = query(server, name, Type.A, recurse, timeout);
    if (!a.answered() || a.nxdomain()) {
      return a;
    }
    return both(a, query(server, name, Type.AAAA, recurse, timeout));
  }

  /** The A answer with the AAAA one's addresses added, when the AAAA query was answered. */
  private static Answer both(Answer a, Answer aaaa) {
    if (!a.answered() || a.nxdomain() || !aaaa.answered()) {
      return a;
    }
    Set<InetAddress> all = new LinkedHashSet<>(a.addresses());
    all.addAll(aaaa.addresses());
    long ttl =
        a.addresses().isEmpty()
            ? aaaa.ttl()
            : aaaa.addresses().isEmpty() ? a.ttl() : Math.min(a.ttl(), aaaa.ttl());
    // A CNAME the server did not follow only matters when neither family brought an address.
    String dangling = !all.isEmpty() ? null : a.dangling() != null ? a.dangling() : aaaa.dangling();
    return new Answer(
        a.rcode(), null, a.authoritative(), a.chain(), List.copyOf(all), ttl, dangling);
  }

  /**
   * What an authority answered a query carrying an EDNS Client Subnet option (RFC 7871).
   *
   * @param scope the scope prefix length of the option in the answer, i.e. for how wide a subnet
   *     the answer holds; -1 when the answer carried no such option: the authority ignores it
   */
  public record SubnetAnswer(Answer answer, int scope) {}

  /**
   * A name's addresses as {@code server} hands them out to clients in {@code subnet}/{@code
   * prefix}, recursion off, A and AAAA asked at once. Always completes, within {@code timeout}: a
   * failure or the timeout is an unanswered {@link Answer}.
   */
  public CompletableFuture<SubnetAnswer> addressesFor(
      InetAddress server, String name, InetAddress subnet, int prefix, Duration timeout) {
    OPTRecord opt = new OPTRecord(EDNS_PAYLOAD, 0, 0, 0, new ClientSubnetOption(prefix, subnet));
    CompletableFuture<SubnetAnswer> a = queryAsync(server, name, Type.A, opt, timeout);
    CompletableFuture<SubnetAnswer> aaaa = queryAsync(server, name, Type.AAAA, opt, timeout);
    return a.thenCombine(
        aaaa,
        (x, y) ->
            new SubnetAnswer(
                both(x.answer(), y.answer()),
                y.answer().answered() ? Math.max(x.scope(), y.scope()) : x.scope()));
  }

  private CompletableFuture<SubnetAnswer> queryAsync(
      InetAddress server, String name, int type, OPTRecord opt, Duration timeout) {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(timeout);
    Message query = newQuery(name(name), type, false);
    query.addRecord(opt, Section.ADDITIONAL);
    SubnetAnswer timedOut = new SubnetAnswer(timedOut(timeout), -1);
    return resolver
        .sendAsync(query)
        .toCompletableFuture()
        .thenApply(r -> new SubnetAnswer(answer(r, name), scope(r)))
        .exceptionally(
            e -> {
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              return cause instanceof SocketTimeoutException || cause instanceof TimeoutException
                  ? timedOut
                  : new SubnetAnswer(failed(String.valueOf(cause.getMessage())), -1);
            })
        // dnsjava's timeout starts again for a retry over TCP: the caller's bound is the bound.
        .completeOnTimeout(timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static int scope(Message response) {
    OPTRecord opt = response.getOPT();
    if (opt == null) {
      return -1;
    }
    return opt.getOptions(EDNSOption.Code.CLIENT_SUBNET).stream()
        .filter(ClientSubnetOption.class::isInstance)
        .map(o -> ((ClientSubnetOption) o).getScopePrefixLength())
        .findFirst()
        .orElse(-1);
  }

  /**
   * The address this host sends from towards {@code server}, as the kernel picks it: what the
   * server sees it by (before any NAT). No packet is sent. Null when there is no route.
   */
  public InetAddress localAddressTowards(InetAddress server) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(server, 53);
      InetAddress local = s.getLocalAddress();
      return local == null || local.isAnyLocalAddress() ? null : local;
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  /** The name servers of {@code zone} when the answer holds its NS set, else an empty list. */
  public List<String> nameServers(InetAddress resolver, String zone, Duration timeout)
      throws IOException {
    Message response = send(resolver, name(zone), Type.NS, true, timeout);
    List<String> servers = new ArrayList<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof NSRecord ns && r.getName().equals(name(zone))) {
        servers.add(strip(ns.getTarget()));
      }
    }
    return servers;
  }

  private Answer query(
      InetAddress server, String name, int type, boolean recurse, Duration timeout) {
    try {
      return answer(send(server, name(name), type, recurse, timeout), name);
    } catch (SocketTimeoutException e) {
      return timedOut(timeout);
    } catch (IOException e) {
      return failed(String.valueOf(e.getMessage()));
    }
  }

  private static Answer timedOut(Duration timeout) {
    return failed("timed out after " + timeout.toMillis() + " ms");
  }

  private static Answer failed(String error) {
    return new Answer(null, error, false, List.of(), List.of(), -1, null);
  }

  /** The answer to a query for {@code name}'s addresses, the CNAMEs inside it followed. */
  private static Answer answer(Message response, String name) {
    String rcode = Rcode.string(response.getRcode());
    boolean aa = response.getHeader().getFlag(Flags.AA);
    List<Record> answer = response.getSection(Section.ANSWER);
    Name current = name(name);
    List<String> chain = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    // A CNAME loop or a chain longer than this is a broken zone, not something to follow forever.
    for (int hops = 0; hops < 16; hops++) {
      CNAMERecord next = null;
      for (Record r : answer) {
        if (r instanceof CNAMERecord c && r.getName().equals(current)) {
          next = c;
        }
      }
      if (next == null) {
        break;
      }
      if (chain.isEmpty()) {
        chain.add(strip(current));
      }
      chain.add(strip(next.getTarget()));
      ttl = Math.min(ttl, next.getTTL());
      current = next.getTarget();
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (Record r : answer) {
      if (r.getName().equals(current)) {
        if (r instanceof ARecord ar) {
          addresses.add(ar.getAddress());
          ttl = Math.min(ttl, r.getTTL());
        } else if (r instanceof AAAARecord ar) {
          addresses.add(ar.getAddress());
          ttl = Math.min(ttl, r.getTTL());
        }
      }
    }
    if (addresses.isEmpty()) {
      // A negative answer is cached for the SOA minimum (RFC 2308), capped by the SOA's own TTL.
      for (Record r : response.getSection(Section.AUTHORITY)) {
        if (r instanceof SOARecord soa) {
          ttl = Math.min(ttl, Math.min(soa.getMinimum(), soa.getTTL()));
        }
      }
    }
    String dangling =
        addresses.isEmpty() && !chain.isEmpty() && "NOERROR".equals(rcode) ? strip(current) : null;
    return new Answer(
        rcode, null, aa, chain, addresses, ttl == Long.MAX_VALUE ? -1 : ttl, dangling);
  }

  private static Message send(
      InetAddress server, Name name, int type, boolean recurse, Duration timeout)
      throws IOException {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(timeout);
    Message query = newQuery(name, type, recurse);
    // dnsjava retries over TCP by itself when the UDP answer comes back truncated.
    return resolver.send(query);
  }

  private static Message newQuery(Name name, int type, boolean recurse) {
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    if (!recurse) {
      query.getHeader().unsetFlag(Flags.RD);
    }
    return query;
  }

  private static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(text + " is not a DNS name", e);
    }
  }

  private static String strip(Name n) {
    String s = n.toString();
    return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }
}
