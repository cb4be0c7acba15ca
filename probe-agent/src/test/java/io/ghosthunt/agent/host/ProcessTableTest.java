package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {

  @Test
  void holdersNameTheProcessesBehindEachSocket(@TempDir Path proc) throws Exception {
    Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1700000000\n");
    process(proc, 377, "nginx", "socket:[7001]");
    process(proc, 4100, "nginx", "socket:[7001]", "socket:[7002]");

    ProcessTable.Holders holders = new ProcessTable(proc).holders(Set.of(7001L, 7002L, 9L));

    assertEquals(
        List.of(377, 4100), holders.byInode().get(7001L).stream().map(ProcessInfo::pid).toList());
    assertEquals("nginx", holders.byInode().get(7002L).get(0).comm());
    assertEquals(Set.of(7001L, 7002L), holders.byInode().keySet());
  }

  @Test
  void aSocketOpenedSinceThePrefetchIsStillFound(@TempDir Path proc) throws Exception {
    ProcessTable table = prefetched(proc, 377, "nginx", "socket:[7001]");

    // A service restarted after the early scan: a new process holds a new listener.
    process(proc, 5200, "java", "socket:[8001]");

    ProcessTable.Holders holders = table.holders(Set.of(7001L, 8001L));
    assertEquals(5200, holders.byInode().get(8001L).get(0).pid());
    assertEquals(377, holders.byInode().get(7001L).get(0).pid());
  }

  @Test
  void aHolderGoneSinceThePrefetchIsNotReported(@TempDir Path proc) throws Exception {
    ProcessTable table = prefetched(proc, 377, "python3", "socket:[7001]");

    // The old holder exited and handed the socket on (as systemd's socket activation does).
    delete(proc.resolve("377"));
    process(proc, 5200, "java", "socket:[7001]");

    assertEquals(
        List.of(5200),
        table.holders(Set.of(7001L)).byInode().get(7001L).stream().map(ProcessInfo::pid).toList());
  }

  /** A table whose early scan saw one process holding {@code socket}, and was used once. */
  static ProcessTable prefetched(Path proc, int pid, String comm, String socket) throws Exception {
    Files.writeString(proc.resolve("stat"), "btime 1700000000\n");
    process(proc, pid, comm, socket);
    ProcessTable table = new ProcessTable(proc);
    table.prefetch();
    long inode = Long.parseLong(socket.substring(8, socket.length() - 1));
    assertEquals(Set.of(inode), table.holders(Set.of(inode)).byInode().keySet());
    return table;
  }

  static void process(Path proc, int pid, String comm, String... links) throws IOException {
    SocketScanTest.fds(proc, pid, links);
    Path dir = proc.resolve(Integer.toString(pid));
    Files.writeString(
        dir.resolve("stat"),
        pid
            + " ("
            + comm
            + ") S 1 "
            + pid
            + " "
            + pid
            + " 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0");
    Files.write(dir.resolve("cmdline"), (comm + "\0").getBytes());
    Files.writeString(dir.resolve("cgroup"), "0::/system.slice/" + comm + ".service\n");
  }

  private static void delete(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
