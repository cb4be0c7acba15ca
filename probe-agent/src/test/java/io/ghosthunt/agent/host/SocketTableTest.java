package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketTableTest {

  @Test
  void decodesKernelRowsForBothFamilies(@TempDir Path procNet) throws Exception {
    Files.writeString(
        procNet.resolve("tcp"),
        """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000036e2c97f 100 0 0 10 0
           1: 0100007F:1F90 0100007F:F645 06 00000000:00000000 03:00000195 00000000     0        0 0 3 000000002f403fc7
           2: 0A00A8C0:0016 0200A8C0:D431 01 00000000:00000000 02:000AD7D6 00000000  1000        0 555 2 0000000027da943e 20 4 28 17 -1
        """);
    Files.writeString(
        procNet.resolve("tcp6"),
        """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 2 000000001ea654d6 100 0 0 10 0
        """);
    List<Socket> sockets = new SocketTable(procNet).read("tcp", p -> p == 8080);
    assertEquals(3, sockets.size());
    Socket any = sockets.get(0);
    assertEquals("0.0.0.0:8080", any.local());
    assertEquals("LISTEN", any.state());
    assertEquals(4242, any.inode());
    assertTrue(any.listening());
    assertEquals("TIME_WAIT", sockets.get(1).state());
    assertEquals("127.0.0.1:8080", sockets.get(1).local());
    assertEquals(0, sockets.get(1).inode());
    assertEquals("[::1]:8080", sockets.get(2).local());
    assertEquals(4343, sockets.get(2).inode());
  }

  @Test
  void aLongTableIsReadWholeWhereverItsBlocksEnd(@TempDir Path procNet) throws Exception {
    // Tens of thousands of rows are read in blocks: rows across a block's end, the last row
    // without a newline, and a row longer than a block all count.
    StringBuilder table =
        new StringBuilder("  sl  local_address rem_address   st tx_queue rx_queue\n");
    for (int i = 0; i < 3000; i++) {
      table.append(row(i, 20000 + i, 10000 + i, ""));
    }
    table.append(row(3000, 8080, 4242, " ".repeat(20000)));
    table.append(row(3001, 8080, 4343, "").strip());
    Files.writeString(procNet.resolve("tcp"), table);
    List<Socket> sockets =
        new SocketTable(procNet).read("tcp", p -> p == 8080 || p == 21234 || p == 22999);
    assertEquals(
        List.of(11234L, 12999L, 4242L, 4343L), sockets.stream().map(Socket::inode).toList());
    assertEquals(
        List.of(21234, 22999, 8080, 8080), sockets.stream().map(Socket::localPort).toList());
  }

  private static String row(int sl, int port, long inode, String padding) {
    return String.format(
        "%4d: 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0%s%n",
        sl, port, inode, padding);
  }

  @Test
  void aMissingIpv6TableIsNoError(@TempDir Path procNet) throws Exception {
    Files.writeString(
        procNet.resolve("udp"),
        """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   100        0 777 2 0000000000000000 0
        """);
    List<Socket> sockets = new SocketTable(procNet).read("udp", p -> true);
    assertEquals(1, sockets.size());
    assertEquals("UNCONN", sockets.get(0).state());
    assertTrue(sockets.get(0).listening());
    assertEquals(53, sockets.get(0).localPort());
    assertEquals(100, sockets.get(0).uid());
  }

  @Test
  void theLocalPortIsReadWithoutSplittingTheRow() {
    assertEquals(
        8080,
        SocketTable.localPort(
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"));
    assertEquals(
        443,
        SocketTable.localPort(
            "  12: 00000000000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A"));
    assertEquals(-1, SocketTable.localPort("  sl  local_address rem_address   st"));
    assertEquals(-1, SocketTable.localPort(""));
  }
}
