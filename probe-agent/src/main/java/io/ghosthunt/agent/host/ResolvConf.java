package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolvers the node's C library asks, in the order it asks them (resolv.conf nameserver
 * lines).
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
}
