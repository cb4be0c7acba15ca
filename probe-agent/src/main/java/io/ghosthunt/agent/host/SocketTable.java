package io.ghosthunt.agent.host;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

  private static final int ROW_BLOCK = 8192;

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
    InputStream in;
    try {
      in = new FileInputStream(file.toFile());
    } catch (FileNotFoundException e) {
      if (!Files.exists(file)) {
        return; // IPv6 disabled: no tcp6 table.
      }
      throw new AccessDeniedException(file.toString(), null, e.getMessage());
    }
    // A host can have tens of thousands of rows (megabytes) and the filter keeps a handful: the
    // rows are read a block at a time, each row's local port from its bytes, and only the rows
    // kept become text. A plain stream with a small block: NIO's readAllBytes on this table took
    // twice the kernel's own time to write it (70 ms more for 20,000 sockets).
    try (in) {
      byte[] block = new byte[ROW_BLOCK];
      int filled = 0;
      int rows = 0; // the first is the header
      for (int n; (n = in.read(block, filled, block.length - filled)) > 0; ) {
        filled += n;
        int start = 0;
        for (int end; (end = newline(block, start, filled)) >= 0; start = end + 1) {
          if (rows++ > 0) {
            keep(block, start, end, protocol, portFilter, out);
          }
        }
        if (start == 0 && filled == block.length) {
          block = Arrays.copyOf(block, block.length * 2); // a row longer than a block
        }
        System.arraycopy(block, start, block, 0, filled - start);
        filled -= start;
      }
      if (filled > 0 && rows > 0) {
        keep(block, 0, filled, protocol, portFilter, out); // the last row, without its newline
      }
    }
  }

  private static void keep(
      byte[] block, int start, int end, String protocol, IntPredicate portFilter, List<Socket> out)
      throws UnknownHostException {
    int port = localPort(block, start, end);
    if (port >= 0 && portFilter.test(port)) {
      row(new String(block, start, end - start, StandardCharsets.US_ASCII), protocol, port, out);
    }
  }

  private static int newline(byte[] block, int from, int to) {
    for (int i = from; i < to; i++) {
      if (block[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
  private static void row(String line, String protocol, int port, List<Socket> out)
      throws UnknownHostException {
    int localStart = line.indexOf(':') + 1;
    String[] f = line.substring(localStart).trim().split("\\s+", 10);
    if (f.length < 9) {
      return;
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

  /** The local port of a row (" 12: 0100007F:1F90 ..."), or -1 when the row is not one. */
  static int localPort(String line) {
    return localPort(line.getBytes(StandardCharsets.US_ASCII), 0, line.length());
  }

  private static int localPort(byte[] row, int start, int end) {
    int at = start;
    while (at < end && row[at] != ':') {
      at++;
    }
    at++;
    while (at < end && row[at] == ' ') {
      at++;
    }
    int colon = -1;
    int space = at;
    while (space < end && row[space] != ' ') {
      if (row[space] == ':') {
        colon = space;
      }
      space++;
    }
    if (colon <= at || space >= end) {
      return -1;
    }
    int port = 0;
    for (int i = colon + 1; i < space; i++) {
      int d = Character.digit(row[i], 16);
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
