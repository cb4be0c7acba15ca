package io.ghosthunt.agent.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Reads the kernel's socket tables of the current network namespace, the same source as {@code ss}:
 * /proc/net/tcp, tcp6, udp, udp6.
 */
public final class SocketTable {

  private static final String[] TCP_STATES = {
    "UNKNOWN",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
    "NEW_SYN_RECV"
  };

  private final Path procNet;

  public SocketTable() {
    this(Path.of("/proc/net"));
  }

  public SocketTable(Path procNet) {
    this.procNet = procNet;
  }

  /**
   * Sockets of {@code protocol} ("tcp" or "udp"), IPv4 and IPv6, whose local port passes the
   * filter.
   */
  public List<Socket> read(String protocol, IntPredicate localPort) throws IOException {
    List<Socket> out = new ArrayList<>();
    for (String file : List.of(protocol, protocol + "6")) {
      readFile(procNet.resolve(file), protocol, localPort, out);
    }
    return out;
  }

  private static void readFile(
      Path file, String protocol, IntPredicate portFilter, List<Socket> out) throws IOException {
    BufferedReader reader;
    try {
      reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return; // IPv6 disabled: no tcp6 table.
    }
    try (reader) {
      reader.readLine();
      String line;
      while ((line = reader.readLine()) != null) {
        // Fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        // The local port first, without splitting: a host can have tens of thousands of rows and
        // the filter keeps a handful.
        int port = localPort(line);
        if (port < 0 || !portFilter.test(port)) {
          continue;
        }
        int localStart = line.indexOf(':') + 1;
        String[] f = line.substring(localStart).trim().split("\\s+", 10);
        if (f.length < 9) {
          continue;
        }
        int colon = f[0].lastIndexOf(':');
        int rcolon = f[1].lastIndexOf(':');
        int st = Integer.parseInt(f[2], 16);
        String state =
            "udp".equals(protocol)
                ? (st == 7 ? "UNCONN" : st == 1 ? "ESTABLISHED" : "STATE_" + st)
                : (st < TCP_STATES.length ? TCP_STATES[st] : "STATE_" + st);
        out.add(
            new Socket(
                protocol,
                address(f[0].substring(0, colon)),
                port,
                address(f[1].substring(0, rcolon)),
                Integer.parseInt(f[1].substring(rcolon + 1), 16),
                state,
                Long.parseLong(f[8]),
                Integer.parseInt(f[6])));
      }
    }
  }

  /** The local port of a row (" 12: 0100007F:1F90 ..."), or -1 when the row is not one. */
  static int localPort(String line) {
    int start = line.indexOf(':') + 1;
    while (start < line.length() && line.charAt(start) == ' ') {
      start++;
    }
    int end = line.indexOf(' ', start);
    int colon = end < 0 ? -1 : line.lastIndexOf(':', end);
    if (colon <= start) {
      return -1;
    }
    int port = 0;
    for (int i = colon + 1; i < end; i++) {
      int d = Character.digit(line.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      port = port * 16 + d;
    }
    return port;
  }

  /** The kernel prints addresses as host-order 32-bit words in hex. */
  static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return InetAddress.getByAddress(bytes);
  }
}
