package io.ghosthunt.agent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
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
  private final AtomicReference<CompletableFuture<SocketScan>> early = new AtomicReference<>();
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
   * Starts reading every process's socket descriptors now, in the background, for the holders asked
   * a moment later: on a cold JVM a hunt file takes as long to parse as the scan takes, so the two
   * overlap. Asking for a socket the early scan cannot account for (opened since, or its holders
   * gone since) reads them all again.
   */
  public void prefetch() {
    early.updateAndGet(pending -> pending != null ? pending : SocketScan.start(proc));
  }

  /** Every process with an open descriptor on one of {@code inodes}. */
  public Holders holders(Set<Long> inodes) throws IOException {
    if (inodes.isEmpty()) {
      return new Holders(Map.of(), 0);
    }
    CompletableFuture<SocketScan> pending = early.get();
    if (pending != null) {
      Holders seen = holders(await(pending), inodes);
      if (seen.byInode().keySet().containsAll(inodes)) {
        return seen;
      }
    }
    return holders(await(SocketScan.start(proc)), inodes);
  }

  private Holders holders(SocketScan scan, Set<Long> inodes) {
    Map<Long, List<ProcessInfo>> found = new HashMap<>();
    Map<Integer, Optional<ProcessInfo>> read = new HashMap<>();
    for (long inode : inodes) {
      List<ProcessInfo> infos = new ArrayList<>();
      for (int pid : scan.holders(inode)) {
        read.computeIfAbsent(pid, this::process).ifPresent(infos::add);
      }
      if (!infos.isEmpty()) {
        found.put(inode, List.copyOf(infos));
      }
    }
    return new Holders(found, scan.unreadable());
  }

  private static SocketScan await(CompletableFuture<SocketScan> scan) throws IOException {
    try {
      return scan.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
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
