package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** Wire queries to one server at a time, with dnsjava: no cache, no search list, no fallback. */
public final class DnsClient {

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
    Answer aaaa = query(server, name, Type.AAAA, recurse, timeout);
    if (!aaaa.answered()) {
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
    Message response;
    try {
      response = send(server, name(name), type, recurse, timeout);
    } catch (SocketTimeoutException e) {
      return new Answer(
          null,
          "timed out after " + timeout.toMillis() + " ms",
          false,
          List.of(),
          List.of(),
          -1,
          null);
    } catch (IOException e) {
      return new Answer(
          null, String.valueOf(e.getMessage()), false, List.of(), List.of(), -1, null);
    }
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
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    if (!recurse) {
      query.getHeader().unsetFlag(Flags.RD);
    }
    // dnsjava retries over TCP by itself when the UDP answer comes back truncated.
    return resolver.send(query);
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
