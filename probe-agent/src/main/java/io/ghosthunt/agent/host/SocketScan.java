package io.ghosthunt.agent.host;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every socket descriptor of every process, as (inode, PID) pairs: what {@code ss -p} gathers
 * before it lists a socket. On a crowded host (thousands of processes, tens of thousands of
 * sockets) reading the descriptors is the whole cost, a few microseconds of kernel time each, so
 * one thread per core takes the next unread process until none is left, and the pairs are kept in
 * plain arrays rather than a map of boxed values per descriptor.
 */
public final class SocketScan {

  private final long[] inodes;
  private final int[] pids;
  private final int size;
  private final int unreadable;

  private SocketScan(long[] inodes, int[] pids, int size, int unreadable) {
    this.inodes = inodes;
    this.pids = pids;
    this.size = size;
    this.unreadable = unreadable;
  }

  /** Starts the scan of {@code proc} on threads of its own; the future ends with the scan. */
  public static CompletableFuture<SocketScan> start(Path proc) {
    CompletableFuture<SocketScan> result = new CompletableFuture<>();
    daemon(() -> scan(proc, result)).start();
    return result;
  }

  private static void scan(Path proc, CompletableFuture<SocketScan> result) {
    String[] pids = proc.toFile().list((dir, name) -> isPid(name));
    if (pids == null) {
      result.completeExceptionally(new IOException("cannot list " + proc));
      return;
    }
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    Part[] parts = new Part[threads];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(threads);
    for (int t = 0; t < threads; t++) {
      Part part = parts[t] = new Part();
      Runnable work =
          () -> {
            try {
              part.scan(proc, pids, next);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            } finally {
              if (running.decrementAndGet() == 0) {
                result.complete(merge(parts));
              }
            }
          };
      if (t == threads - 1) {
        work.run(); // this thread is the last worker
      } else {
        daemon(work).start();
      }
    }
  }

  /** The processes holding a descriptor on the socket {@code inode}: PIDs ascending, each once. */
  public int[] holders(long inode) {
    int[] found = new int[4];
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (inodes[i] == inode) {
        if (n == found.length) {
          found = Arrays.copyOf(found, n * 2);
        }
        found[n++] = pids[i];
      }
    }
    return Arrays.stream(found, 0, n).sorted().distinct().toArray();
  }

  /** How many processes kept their descriptors from us (not root, or another PID namespace). */
  public int unreadable() {
    return unreadable;
  }

  /** Socket descriptors seen, over all processes. */
  public int descriptors() {
    return size;
  }

  private static Thread daemon(Runnable work) {
    Thread t = new Thread(work, "socket-scan");
    t.setDaemon(true);
    return t;
  }

  private static SocketScan merge(Part[] parts) {
    int size = 0;
    int unreadable = 0;
    for (Part p : parts) {
      size += p.size;
      unreadable += p.unreadable;
    }
    long[] inodes = new long[size];
    int[] pids = new int[size];
    int at = 0;
    for (Part p : parts) {
      System.arraycopy(p.inodes, 0, inodes, at, p.size);
      System.arraycopy(p.pids, 0, pids, at, p.size);
      at += p.size;
    }
    return new SocketScan(inodes, pids, size, unreadable);
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** One worker's pairs. */
  private static final class Part {
    long[] inodes = new long[1024];
    int[] pids = new int[1024];
    int size;
    int unreadable;

    void scan(Path proc, String[] all, AtomicInteger next) {
      for (int i = next.getAndIncrement(); i < all.length; i = next.getAndIncrement()) {
        process(proc, all[i]);
      }
    }

    private void process(Path proc, String pid) {
      int id = Integer.parseInt(pid);
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(pid).resolve("fd"))) {
        for (Path fd : fds) {
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (IOException e) {
            continue; // closed while we looked
          }
          if (target.startsWith("socket:[")) {
            add(Long.parseLong(target, 8, target.length() - 1, 10), id);
          }
        }
      } catch (AccessDeniedException e) {
        unreadable++; // not root, or another PID namespace's process
      } catch (IOException e) {
        // the process exited
      }
    }

    private void add(long inode, int pid) {
      if (size == inodes.length) {
        inodes = Arrays.copyOf(inodes, size * 2);
        pids = Arrays.copyOf(pids, size * 2);
      }
      inodes[size] = inode;
      pids[size++] = pid;
    }
  }
}
