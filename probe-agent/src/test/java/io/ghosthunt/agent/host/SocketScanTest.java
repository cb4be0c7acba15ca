package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketScanTest {

  @Test
  void everyHolderOfASocketIsFoundOnceInPidOrder(@TempDir Path proc) throws Exception {
    // A forked server: parent and worker share the listener; the worker also holds it twice.
    fds(proc, 4100, "socket:[7001]", "/dev/null", "pipe:[90]");
    fds(proc, 377, "socket:[7001]", "socket:[7002]", "socket:[7001]");
    fds(proc, 12, "anon_inode:[eventpoll]", "socket:[7003]");
    Files.createDirectories(proc.resolve("self"));
    Files.createDirectories(proc.resolve("net"));

    SocketScan scan = SocketScan.start(proc).join();

    assertArrayEquals(new int[] {377, 4100}, scan.holders(7001));
    assertArrayEquals(new int[] {377}, scan.holders(7002));
    assertArrayEquals(new int[] {12}, scan.holders(7003));
    assertArrayEquals(new int[] {}, scan.holders(90));
    assertEquals(5, scan.descriptors());
    assertEquals(0, scan.unreadable());
  }

  @Test
  void aCrowdedHostIsScannedWhole(@TempDir Path proc) throws Exception {
    // More processes than threads, and more sockets than a worker's first arrays hold.
    for (int pid = 1; pid <= 300; pid++) {
      String[] links = new String[10];
      for (int i = 0; i < links.length; i++) {
        links[i] = "socket:[" + (pid * 100 + i) + "]";
      }
      fds(proc, pid, links);
    }
    SocketScan scan = SocketScan.start(proc).join();
    assertEquals(3000, scan.descriptors());
    assertArrayEquals(new int[] {300}, scan.holders(30009));
    assertArrayEquals(new int[] {1}, scan.holders(100));
  }

  /** A process whose descriptors point where {@code links} say, as /proc/PID/fd shows them. */
  static void fds(Path proc, int pid, String... links) throws IOException {
    Path fd = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("fd"));
    for (int i = 0; i < links.length; i++) {
      Files.createSymbolicLink(fd.resolve(Integer.toString(i)), Path.of(links[i]));
    }
  }
}
