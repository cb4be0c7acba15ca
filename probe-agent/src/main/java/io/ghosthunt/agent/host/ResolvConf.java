package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What resolv.conf tells the C library: the resolvers it asks, in the order it asks them
 * (nameserver lines), and how it expands a short name (search and ndots).
 */
public final class ResolvConf {
  private ResolvConf() {}

  public static List<InetAddress> nameservers(Path path) throws IOException {
    try {
      return nameservers(Files.readAllLines(path));
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  public static List<InetAddress> nameservers(List<String> lines) {
    List<InetAddress> servers = allNameservers(lines);
    // glibc reads at most three (MAXNS); a fourth line is never asked.
    return servers.size() > 3 ? List.copyOf(servers.subList(0, 3)) : servers;
  }

  /**
   * Every nameserver line, past glibc's three: systemd-resolved writes all its links' servers to
   * its own resolv.conf and forwards to any of them, whatever the C library would read.
   */
  public static List<InetAddress> allNameservers(List<String> lines) {
    List<InetAddress> servers = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      // glibc drops a zone index it cannot use and ignores malformed entries; so do we.
      if (f.length >= 2 && f[0].equals("nameserver")) {
        String a = f[1].contains("%") ? f[1].substring(0, f[1].indexOf('%')) : f[1];
        if (Addresses.isLiteral(a)) {
          servers.add(Addresses.literal(a));
        }
      }
    }
    return servers;
  }

  /** glibc's ndots without an options line. */
  public static final int DEFAULT_NDOTS = 1;

  /** glibc's RES_MAXNDOTS: a larger ndots is taken as this. */
  static final int MAX_NDOTS = 15;

  /**
   * The search list, trailing dots dropped: the last search or domain line's, since glibc lets each
   * replace the one before (a domain line is a list of one). Empty without either line, where glibc
   * would take the domain of the machine's host name: a pod's host name has none.
   */
  public static List<String> search(List<String> lines) {
    List<String> search = List.of();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && (f[0].equals("search") || f[0].equals("domain"))) {
        List<String> domains =
            Arrays.stream(f, 1, f[0].equals("domain") ? 2 : f.length)
                .map(d -> d.length() > 1 && d.endsWith(".") ? d.substring(0, d.length() - 1) : d)
                .toList();
        search = domains;
      }
    }
    return search;
  }

  /** The last {@code options ndots:N}, as glibc reads it: capped at 15, a bad value ignored. */
  public static int ndots(List<String> lines) {
    int ndots = DEFAULT_NDOTS;
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (!f[0].equals("options")) {
        continue;
      }
      for (int i = 1; i < f.length; i++) {
        if (f[i].startsWith("ndots:")) {
          try {
            ndots = Math.min(MAX_NDOTS, Integer.parseInt(f[i].substring(6)));
          } catch (NumberFormatException e) {
            // glibc's atoi would read a prefix; a value no one writes is simply left out here.
          }
        }
      }
    }
    return Math.max(0, ndots);
  }
}
