package io.ghosthunt.lab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Ctrl-C and SIGTERM stop {@code ./ghosthunt demo --keep} and remove everything within 30 s, at
 * every moment (#25): the test starts the demo as a user does, in a process group of its own, and
 * sends the signal to that group (what a terminal's Ctrl-C does) while it builds, while the control
 * plane starts, while the haunted house is built, while the nodes start, while helm installs,
 * during the hunt and once it says "Ctrl-C here stops it". Then nothing of it may be left: no
 * process (kubelet, containerd and its shims, kube-proxy, etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, the lab's daemons and relays, helm, kubectl, the build),
 * no network namespace, no mount, no cgroup, no changed sysctl, no file in /etc/netns, /tmp or the
 * paths the kubelet writes.
 *
 * <p>It compares the machine with itself right before each start, so it must not run beside another
 * lab run (the suite runs its tests one at a time). What a failing run leaves is removed by the
 * test before it fails, so that the next scenario starts clean.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoSignalE2E {

  /** The issue's bound, from the signal to nothing left. */
  private static final Duration CLEANUP = Duration.ofSeconds(30);

  /**
   * The first start may build everything: the images, the lab, helm and the Kubernetes binaries.
   */
  private static final Duration FIRST_MARK = Duration.ofMinutes(30);

  private static final Path REPO =
      Path.of(System.getProperty("ghosthunt.repo", "..")).toAbsolutePath().normalize();

  /**
   * Starts the command with the default action for the signals a shell or a build may have made
   * ignored (a background job's SIGINT: bash could not trap it, the JVM would not handle it), in a
   * session and process group of its own, as a terminal starts a foreground job.
   */
  private static final String AS_FROM_A_TERMINAL =
      """
      import os, signal, sys
      for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGPIPE):
          signal.signal(s, signal.SIG_DFL)
      os.setsid()
      os.execvp(sys.argv[1], sys.argv[1:])
      """;

  @Test
  @Order(1)
  void ctrlCWhileTheControlPlaneStarts() {
    stopAt("starting the control plane", Duration.ofSeconds(2), "INT");
  }

  @Test
  @Order(2)
  void sigtermWhileTheHauntedHouseIsBuilt() {
    stopAt("building the haunted house", Duration.ofSeconds(1), "TERM");
  }

  @Test
  @Order(3)
  void ctrlCWhileTheNodesStart() {
    stopAt("starting five real nodes", Duration.ofSeconds(3), "INT");
  }

  @Test
  @Order(4)
  void ctrlCWhileHelmInstalls() {
    stopAt("helm install ", Duration.ofSeconds(3), "INT");
  }

  @Test
  @Order(5)
  void ctrlCDuringTheHunt() {
    stopAt("kubectl wait --for=condition=Complete", Duration.ofSeconds(1), "INT");
  }

  @Test
  @Order(6)
  void ctrlCOnceKeepSaysSo() {
    stopAt("Ctrl-C here stops it and removes everything", Duration.ZERO, "INT");
  }

  @Test
  @Order(7)
  void sigtermOnceKeepSaysSo() {
    stopAt("Ctrl-C here stops it and removes everything", Duration.ZERO, "TERM");
  }

  /** Last: the next start after it builds again (the build's stamp goes before a build). */
  @Test
  @Order(8)
  void ctrlCWhileItBuilds() {
    stopAt(
        "ghosthunt demo: building GhostHunt",
        Duration.ofSeconds(8),
        "INT",
        Map.of("GHOSTHUNT_REBUILD", "1"),
        "ghosthunt demo: stopped before the demo started");
  }

  private void stopAt(String mark, Duration after, String signal) {
    stopAt(mark, after, signal, Map.of(), "removed everything");
  }

  /**
   * Starts the demo, waits until it prints {@code mark}, waits {@code after}, sends {@code signal}
   * to its process group, and holds it to: it ends within {@link #CLEANUP}, says it is done ({@code
   * last}), and leaves nothing behind.
   */
  private void stopAt(
      String mark, Duration after, String signal, Map<String, String> env, String last) {
    Footprint before = Footprint.take();
    RunningDemo demo = RunningDemo.start(env);
    long signalled = 0;
    try {
      demo.await(mark, FIRST_MARK);
      Thread.sleep(after.toMillis());
      assertTrue(demo.process.isAlive(), "the demo ended before the signal:\n" + demo.output());
      signalled = System.nanoTime();
      kill("-" + signal, "--", "-" + demo.process.pid());
      boolean ended = demo.process.waitFor(CLEANUP.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        kill("-KILL", "--", "-" + demo.process.pid());
        demo.process.waitFor(10, TimeUnit.SECONDS);
      }
      List<String> left = leftAfter(before, signalled);
      if (!ended || !left.isEmpty()) {
        String late =
            ended
                ? ""
                : "the demo did not end within " + CLEANUP.toSeconds() + " s of SIG" + signal;
        fail(
            late
                + (left.isEmpty() ? "" : "\nleft behind:\n  " + String.join("\n  ", left))
                + "\n--- the demo printed:\n"
                + demo.output());
      }
      // The JVM, like the script's trap, ends with 128 + the signal's number.
      assertEquals(
          128 + ("INT".equals(signal) ? 2 : 15),
          demo.process.exitValue(),
          "exit code after SIG" + signal + ":\n" + demo.output());
      demo.drain(Duration.ofSeconds(5));
      assertTrue(
          demo.output().contains(last), "the demo did not say \"" + last + "\":\n" + demo.output());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (signalled == 0) {
        // Failed before the signal (the demo ended early, or never printed its mark): stop it as
        // a user would, then remove whatever is left, or the next scenario starts on a dirty
        // machine.
        try {
          if (demo.process.isAlive()) {
            kill("-TERM", "--", "-" + demo.process.pid());
            demo.process.waitFor(CLEANUP.toMillis(), TimeUnit.MILLISECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (demo.process.isAlive()) {
        kill("-KILL", "--", "-" + demo.process.pid());
      }
      if (signalled == 0) {
        Footprint.take().removeWhatIsNewSince(before);
      }
    }
  }

  /**
   * What the demo left, waiting for it to go until {@link #CLEANUP} after the signal; what is still
   * there then is removed by the test and listed.
   */
  private static List<String> leftAfter(Footprint before, long signalled) {
    long deadline = signalled + CLEANUP.toNanos();
    Footprint now = Footprint.take();
    List<String> left = now.newSince(before);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(500));
      now = Footprint.take();
      left = now.newSince(before);
    }
    if (!left.isEmpty()) {
      now.removeWhatIsNewSince(before);
    }
    return left;
  }

  /** A running {@code ./ghosthunt demo --keep}, its output (stdout and stderr) read as it comes. */
  private record RunningDemo(
      Process process, List<String> lines, BlockingQueue<String> fresh, Thread reader) {

    static RunningDemo start(Map<String, String> env) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "python3",
                  "-c",
                  AS_FROM_A_TERMINAL,
                  REPO.resolve("ghosthunt").toString(),
                  "demo",
                  "--keep")
              .directory(REPO.toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> lines = Collections.synchronizedList(new ArrayList<>());
      BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    System.out.println("[demo " + p.pid() + "] " + line);
                    lines.add(line);
                    fresh.add(line);
                  }
                } catch (IOException e) {
                  // the pipe closed with the demo
                }
              },
              "demo-output");
      reader.setDaemon(true);
      reader.start();
      return new RunningDemo(p, lines, fresh, reader);
    }

    /** Waits until a line contains {@code mark}; fails if the demo ends first. */
    void await(String mark, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String line = fresh.poll(500, TimeUnit.MILLISECONDS);
        if (line != null && line.contains(mark)) {
          return;
        }
        if (line == null && !process.isAlive() && fresh.isEmpty()) {
          fail(
              "the demo ended (exit "
                  + process.exitValue()
                  + ") before \""
                  + mark
                  + "\":\n"
                  + output());
        }
      }
      fail("no \"" + mark + "\" within " + timeout.toMinutes() + " min:\n" + output());
    }

    /** Waits for the rest of the output (a leftover holding the pipe would keep it open). */
    void drain(Duration timeout) throws InterruptedException {
      reader.join(timeout.toMillis());
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }
  }

  /**
   * What a lab run could leave on this machine, as seen from the test's own (the root) namespaces.
   */
  private record Footprint(
      Map<String, String> processes,
      Set<String> namespaces,
      Set<String> mounts,
      Set<String> cgroups,
      Map<String, String> sysctls,
      Set<String> files) {

    /** Command lines of what the demo runs, directly or through its nodes and labs. */
    private static final Pattern OURS =
        Pattern.compile(
            "kubelet|kube-apiserver|kube-controller-manager|kube-scheduler|kube-proxy|containerd"
                + "|etcd|unbound|nginx|dhcpd|/pause|helm|kubectl|python3|sleep 3600"
                + "|io\\.ghosthunt\\.lab\\.demo\\.Demo|ghosthunt\\.jar|ghosthunt-|plexus-classworlds"
                + "|control-plane\\.sh|images\\.sh|install-deps\\.sh");

    /** Counters and values the kernel changes by itself. */
    private static final Pattern VOLATILE =
        Pattern.compile(
            "kernel/random/.*|kernel/ns_last_pid|kernel/pty/nr|kernel/perf_event_max_sample_rate"
                + "|fs/(dentry-state|inode-nr|inode-state|file-nr|aio-nr|quota/.*)"
                + "|net/netfilter/nf_conntrack_count");

    /**
     * Paths that a lab run may make outside its own folders (the kubelet's, containerd's, the hosts
     * files of lab namespaces) and the temporary folders it names {@code ghosthunt-*}.
     */
    private static final List<Path> WATCHED =
        List.of(
            Path.of("/var/lib/kubelet"),
            Path.of("/var/log/containers"),
            Path.of("/usr/libexec/kubernetes"),
            Path.of("/run/containerd"));

    static Footprint take() {
      return new Footprint(
          readProcesses(),
          readNamespaces(),
          readMounts(),
          readCgroups(),
          readSysctls(),
          readFiles());
    }

    /** Everything here that was not there {@code before}, one line each. */
    List<String> newSince(Footprint before) {
      List<String> left = new ArrayList<>();
      processes.forEach(
          (id, cmd) -> {
            if (!before.processes.containsKey(id)) {
              left.add("process " + id + ": " + cmd);
            }
          });
      namespaces.stream()
          .filter(n -> !before.namespaces.contains(n))
          .forEach(n -> left.add("network namespace " + n));
      mounts.stream().filter(m -> !before.mounts.contains(m)).forEach(m -> left.add("mount " + m));
      cgroups.stream()
          .filter(c -> !before.cgroups.contains(c))
          .forEach(c -> left.add("cgroup " + c));
      sysctls.forEach(
          (key, value) -> {
            String was = before.sysctls.get(key);
            if (was != null && !was.equals(value)) {
              left.add("sysctl " + key.replace('/', '.') + " = " + value + " (was " + was + ")");
            }
          });
      files.stream().filter(f -> !before.files.contains(f)).forEach(f -> left.add("file " + f));
      return left;
    }

    /** Removes whatever is here and was not {@code before}: the demo's leftovers. */
    void removeWhatIsNewSince(Footprint before) {
      processes.keySet().stream()
          .filter(id -> !before.processes.containsKey(id))
          .map(id -> Long.parseLong(id.substring(0, id.indexOf('@'))))
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      sleep(Duration.ofSeconds(1));
      namespaces.stream()
          .filter(n -> !before.namespaces.contains(n))
          .forEach(n -> run("ip", "netns", "del", n));
      mounts.stream()
          .filter(m -> !before.mounts.contains(m))
          .map(m -> m.split(" ")[0])
          .sorted(Comparator.reverseOrder())
          .forEach(point -> run("umount", "-l", point));
      cgroups.stream()
          .filter(c -> !before.cgroups.contains(c))
          .forEach(c -> run("sh", "-c", "find '" + c + "' -depth -type d -exec rmdir {} +"));
      sysctls.forEach(
          (key, value) -> {
            String was = before.sysctls.get(key);
            if (was != null && !was.equals(value)) {
              run("sysctl", "-qw", key.replace('/', '.') + "=" + was);
            }
          });
      files.stream().filter(f -> !before.files.contains(f)).forEach(f -> run("rm", "-rf", f));
    }

    /** pid@start → command line, of the processes that look like a lab's or live in a lab. */
    private static Map<String, String> readProcesses() {
      long self = ProcessHandle.current().pid();
      String rootNet = netns(self);
      Map<String, String> found = new TreeMap<>();
      ProcessHandle.allProcesses()
          .filter(p -> p.pid() != self)
          .forEach(
              p -> {
                String cmd = p.info().commandLine().orElse("");
                String net = netns(p.pid());
                boolean elsewhere = net != null && rootNet != null && !net.equals(rootNet);
                if (elsewhere || OURS.matcher(cmd).find()) {
                  // With its start time: a pid the kernel gave again is another process.
                  String id =
                      p.pid() + "@" + p.info().startInstant().map(Object::toString).orElse("?");
                  found.put(id, (elsewhere ? "[net " + net + "] " : "") + cmd);
                }
              });
      return found;
    }

    private static String netns(long pid) {
      try {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
      } catch (IOException | UnsupportedOperationException e) {
        return null; // a kernel thread, or gone
      }
    }

    private static Set<String> readNamespaces() {
      return run("ip", "netns", "list")
          .lines()
          .map(l -> l.split(" ")[0])
          .filter(l -> !l.isBlank())
          .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Mount point and file system type of every mount in this mount namespace; {@code /run/netns}
     * itself is left out: {@code ip netns add} makes it a shared mount point once per boot, for
     * every named namespace of every tool.
     */
    private static Set<String> readMounts() {
      try {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .map(
                l -> {
                  String[] f = l.split(" ");
                  int dash = List.of(f).indexOf("-");
                  return f[4] + " " + f[dash + 1] + " " + f[dash + 2];
                })
            .filter(m -> !m.startsWith("/run/netns ") && !m.startsWith("/var/run/netns "))
            .collect(Collectors.toCollection(TreeSet::new));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The top-level cgroups of every hierarchy (a node's cgroupRoot is one). */
    private static Set<String> readCgroups() {
      Set<String> found = new TreeSet<>();
      try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path h : hierarchies.filter(Files::isDirectory).toList()) {
          try (Stream<Path> top = Files.list(h)) {
            top.filter(Files::isDirectory).forEach(d -> found.add(d.toString()));
          } catch (IOException e) {
            // not a hierarchy
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return found;
    }

    private static Map<String, String> readSysctls() {
      Path root = Path.of("/proc/sys");
      Map<String, String> found = new TreeMap<>();
      try (Stream<Path> all = Files.walk(root)) {
        for (Path f : all.filter(Files::isRegularFile).toList()) {
          String key = root.relativize(f).toString();
          if (VOLATILE.matcher(key).matches() || !Files.isReadable(f)) {
            continue;
          }
          try {
            found.put(key, Files.readString(f).strip());
          } catch (IOException | RuntimeException e) {
            // write-only (flush, drop_caches) or gone meanwhile
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return found;
    }

    private static Set<String> readFiles() {
      Set<String> found = new TreeSet<>();
      for (Path p : WATCHED) {
        if (Files.exists(p)) {
          found.add(p.toString());
        }
      }
      Set<Path> dirs = new java.util.LinkedHashSet<>();
      dirs.add(Path.of("/etc/netns"));
      dirs.add(Path.of("/tmp"));
      dirs.add(Path.of(System.getProperty("java.io.tmpdir")));
      for (Path dir : dirs) {
        try (Stream<Path> entries = Files.list(dir)) {
          entries
              .filter(
                  e ->
                      dir.equals(Path.of("/etc/netns"))
                          || e.getFileName().toString().startsWith("ghosthunt-"))
              .forEach(e -> found.add(e.toString()));
        } catch (IOException e) {
          // no such folder
        }
      }
      return found;
    }
  }

  private static String run(String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void kill(String... args) {
    List<String> command = new ArrayList<>(List.of("kill"));
    command.addAll(List.of(args));
    run(command.toArray(String[]::new));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
