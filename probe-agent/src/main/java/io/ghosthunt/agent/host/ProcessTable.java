package io.ghosthunt.agent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps socket inodes to the processes holding them, through /proc/PID/fd, as {@code ss -p} does.
 */
public final class ProcessTable {

  private static final Pattern POD =
      Pattern.compile(
          "pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");

  /** The systemd unit a process runs in: the last {@code .service} in its cgroup path. */
  private static final Pattern UNIT =
      Pattern.compile("/([^/\\n]+\\.service)(?:/[^\\n]*)?$", Pattern.MULTILINE);

  private static final Pattern CONTAINER =
      Pattern.compile("(?:docker-|cri-containerd-|crio-|libpod-|/)([0-9a-f]{64})(?:\\.scope)?");
  private static final long CLOCK_TICKS = 100; // USER_HZ, fixed at 100 for what /proc reports.

  private final Path proc;
  private Long bootTime;

  public ProcessTable() {
    this(Path.of("/proc"));
  }

  public ProcessTable(Path proc) {
    this.proc = proc;
  }

  /** Outcome of a scan: holders by inode, and how many processes could not be read. */
  public record Holders(Map<Long, List<ProcessInfo>> byInode, int unreadable) {}

  /**
   * Every process with an open descriptor on one of {@code inodes}. Reading every process's
   * descriptors is the whole cost on a crowded host (thousands of processes, tens of thousands of
   * sockets), so the processes are split over the cores, each reading its share with its own
   * buffers.
   */
  public Holders holders(Set<Long> inodes) throws IOException {
    Map<Long, List<ProcessInfo>> found = new java.util.concurrent.ConcurrentHashMap<>();
    if (inodes.isEmpty()) {
      return new Holders(found, 0);
    }
    String[] pids = proc.toFile().list((dir, name) -> isPid(name));
    if (pids == null) {
      throw new IOException("cannot list " + proc);
    }
    java.util.concurrent.atomic.AtomicInteger unreadable =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.Arrays.stream(pids)
        .parallel()
        .forEach(
            pid -> {
              List<Long> held = heldBy(pid, inodes, unreadable);
              if (held != null) {
                process(Integer.parseInt(pid))
                    .ifPresent(
                        info ->
                            held.forEach(
                                inode ->
                                    found
                                        .computeIfAbsent(
                                            inode,
                                            k ->
                                                java.util.Collections.synchronizedList(
                                                    new ArrayList<>()))
                                        .add(info)));
              }
            });
    Map<Long, List<ProcessInfo>> sorted = new HashMap<>();
    found.forEach(
        (inode, list) ->
            sorted.put(
                inode,
                list.stream()
                    .sorted(java.util.Comparator.comparingInt(ProcessInfo::pid))
                    .toList()));
    return new Holders(sorted, unreadable.get());
  }

  /** The inodes among {@code inodes} that one process holds a descriptor on, or null for none. */
  private List<Long> heldBy(
      String pid, Set<Long> inodes, java.util.concurrent.atomic.AtomicInteger unreadable) {
    Path fdDir = proc.resolve(pid).resolve("fd");
    List<Long> held = null;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed while we looked
        }
        if (target.startsWith("socket:[")) {
          long inode = Long.parseLong(target, 8, target.length() - 1, 10);
          if (inodes.contains(inode)) {
            if (held == null) {
              held = new ArrayList<>(2);
            }
            held.add(inode);
          }
        }
      }
    } catch (java.nio.file.AccessDeniedException e) {
      unreadable.incrementAndGet();
    } catch (IOException e) {
      return null; // the process exited
    }
    return held;
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

  /** One process, or empty when it is gone. */
  public Optional<ProcessInfo> process(int pid) {
    Path dir = proc.resolve(Integer.toString(pid));
    try {
      String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
      // comm is in parentheses and may itself contain spaces and parentheses.
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String comm = stat.substring(open + 1, close);
      String[] rest = stat.substring(close + 2).split(" ");
      int ppid = Integer.parseInt(rest[1]);
      int pgid = Integer.parseInt(rest[2]);
      long startTicks = Long.parseLong(rest[19]);
      byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
      String cmdline =
          new String(raw, StandardCharsets.UTF_8)
              .replace('\0', ' ')
              .replaceAll("\\p{Cntrl}+", " ")
              .strip();
      String cgroup = readOrEmpty(dir.resolve("cgroup"));
      Instant started = Instant.ofEpochMilli(bootTime() * 1000 + startTicks * 1000 / CLOCK_TICKS);
      return Optional.of(
          new ProcessInfo(
              pid,
              ppid,
              pgid,
              comm,
              cmdline,
              started,
              find(CONTAINER, cgroup).map(c -> c.substring(0, 12)).orElse(null),
              find(POD, cgroup).map(p -> p.replace('_', '-')).orElse(null),
              find(UNIT, cgroup).orElse(null)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public boolean exists(int pid) {
    return Files.isDirectory(proc.resolve(Integer.toString(pid)));
  }

  /**
   * Whether the process was left behind by the one that started it: it is not its group's leader
   * and that leader is gone (a worker that crashed after forking, say).
   */
  public boolean orphaned(ProcessInfo p) {
    return p.pgid() != p.pid() && p.pgid() > 0 && !exists(p.pgid());
  }

  private static Optional<String> find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private long bootTime() throws IOException {
    if (bootTime == null) {
      bootTime =
          Files.readAllLines(proc.resolve("stat")).stream()
              .filter(l -> l.startsWith("btime "))
              .map(l -> Long.parseLong(l.substring(6).trim()))
              .findFirst()
              .orElse(0L);
    }
    return bootTime;
  }
}
