package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which getaddrinfo (glibc) hands a name's addresses to a client: RFC 6724's
 * destination rules, of which for loopback addresses only two differ, unusable addresses last (rule
 * 1) and higher precedence first (rule 6), from the policy table that {@code /etc/gai.conf}
 * replaces when it has any {@code precedence} line. Java sorts IPv4 first whatever the node says;
 * the node's C, Python, Node.js and curl clients do not. Written here because no Java library
 * models glibc's table.
 */
public final class GaiOrder {

  /** One row of the policy table: a prefix and its precedence. */
  public record Row(byte[] prefix, int length, int precedence) {}

  /** RFC 6724's default table, which glibc uses when gai.conf sets no precedence. */
  static final List<Row> DEFAULT =
      List.of(
          row("::1", 128, 50),
          row("::", 0, 40),
          row("::ffff:0:0", 96, 35),
          row("2002::", 16, 30),
          row("2001::", 32, 5),
          row("fc00::", 7, 3),
          row("::", 96, 1),
          row("fec0::", 10, 1),
          row("3ffe::", 16, 1));

  private final List<Row> table;
  private final String source;

  private GaiOrder(List<Row> table, String source) {
    this.table = table;
    this.source = source;
  }

  /** The node's order, from its gai.conf (missing or without precedence lines: the default). */
  public static GaiOrder read(Path gaiConf) {
    try {
      return parse(Files.readAllLines(gaiConf), gaiConf.toString());
    } catch (NoSuchFileException e) {
      return new GaiOrder(DEFAULT, gaiConf + " is missing: RFC 6724's default precedence");
    } catch (IOException e) {
      return new GaiOrder(DEFAULT, gaiConf + " unreadable: RFC 6724's default precedence");
    }
  }

  /**
   * The node's or pod's order, from gai.conf at {@code path} inside {@code root}, its links
   * followed there: an absolute link would otherwise lead to the probe image's gai.conf. Named as
   * the probe finds it, as the hosts file is.
   */
  public static GaiOrder read(ForeignRoot root, String path) {
    String name = root.shown(path);
    ForeignRoot.Resolution r = root.resolve(path);
    if (r.absent()) {
      return new GaiOrder(DEFAULT, name + " is missing: RFC 6724's default precedence");
    }
    try {
      return parse(ForeignRoot.readAllLines(r), name);
    } catch (IOException e) {
      return new GaiOrder(
          DEFAULT, name + " unreadable (" + e.getMessage() + "): RFC 6724's default precedence");
    }
  }

  static GaiOrder parse(List<String> lines, String name) {
    List<Row> rows = new ArrayList<>();
    for (String line : lines) {
      String[] w = line.replaceFirst("#.*", "").trim().split("\\s+");
      if (w.length == 3 && w[0].equals("precedence") && w[1].contains("/")) {
        try {
          String[] p = w[1].split("/");
          rows.add(row(p[0], Integer.parseInt(p[1]), Integer.parseInt(w[2])));
        } catch (IllegalArgumentException e) {
          // glibc skips a line it cannot parse; so does this.
        }
      }
    }
    return rows.isEmpty()
        ? new GaiOrder(DEFAULT, name + " sets no precedence: RFC 6724's default, ::1 before IPv4")
        : new GaiOrder(rows, name + " sets the precedence table (" + rows.size() + " lines)");
  }

  /** Where the table came from, for the evidence. */
  public String source() {
    return source;
  }

  /**
   * {@code addresses} in getaddrinfo's order; {@code usable} tells which can be reached at all (an
   * IPv6 address without IPv6 on the interface is not).
   */
  public List<InetAddress> sort(
      List<InetAddress> addresses, java.util.function.Predicate<InetAddress> usable) {
    return addresses.stream()
        .sorted(
            Comparator.comparing((InetAddress a) -> !usable.test(a))
                .thenComparing(a -> -precedence(a)))
        .toList();
  }

  /** The precedence of the longest prefix in the table that holds {@code address}. */
  int precedence(InetAddress address) {
    byte[] a = sixteen(address);
    Row best = null;
    for (Row r : table) {
      if (matches(a, r) && (best == null || r.length() > best.length())) {
        best = r;
      }
    }
    return best == null ? 0 : best.precedence();
  }

  private static boolean matches(byte[] a, Row r) {
    for (int bit = 0; bit < r.length(); bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((a[bit / 8] & mask) != (r.prefix()[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** IPv4 as RFC 6724 sees it: mapped into ::ffff:0:0/96. */
  private static byte[] sixteen(InetAddress a) {
    if (a instanceof Inet4Address) {
      byte[] m = new byte[16];
      m[10] = (byte) 0xff;
      m[11] = (byte) 0xff;
      System.arraycopy(a.getAddress(), 0, m, 12, 4);
      return m;
    }
    return a.getAddress();
  }

  private static Row row(String prefix, int length, int precedence) {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("prefix length " + length);
    }
    // Java hands back an IPv4-mapped literal (::ffff:0:0) as IPv4: map it back.
    return new Row(sixteen(Addresses.literal(prefix)), length, precedence);
  }
}
