package io.ghosthunt.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One lab host: a network namespace, with helpers to run commands, servers and GhostHunt in it. */
public final class LabHost {

  /**
   * A TCP listener that is ready when this returns: the script binds and listens, then detaches and
   * prints its PID. The kernel completes handshakes into the backlog, so no accept loop is needed.
   */
  private static final String LISTENER =
      """
      import os, socket, sys, time
      family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
      s = socket.socket(family, socket.SOCK_STREAM)
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind((sys.argv[1], int(sys.argv[2])))
      s.listen(64)
      if sys.argv[3] == 'orphan':
          # A worker that forks a child to serve, then crashes: the child keeps the port.
          os.setpgrp()
      r, w = os.pipe()
      if os.fork() == 0:
          null = os.open('/dev/null', os.O_RDWR)
          for fd in (0, 1, 2):
              os.dup2(null, fd)
          os.write(w, str(os.getpid()).encode())
          os.close(w)
          if sys.argv[3] == 'orphan':
              # The child becomes what such children usually are, a plain program that kept the socket.
              os.set_inheritable(s.fileno(), True)
              os.execvp('sleep', ['sleep', '3600'])
          time.sleep(3600)
          os._exit(0)
      os.close(w)
      print(os.read(r, 32).decode())
      os._exit(1 if sys.argv[3] == 'orphan' else 0)
      """;

  private final Lab lab;
  private final String ns;
  private final Path dir;

  /** What this host lays over the machine's /etc (links included), null while nothing. */
  private Path etcLayer;

  /** Lab folders this host's processes see at machine paths: the path → the folder. */
  private final Map<String, Path> mounts = new LinkedHashMap<>();

  LabHost(Lab lab, String ns, Path dir) {
    this.lab = lab;
    this.ns = ns;
    this.dir = dir;
  }

  public String ns() {
    return ns;
  }

  /** The lab this host belongs to (and is removed with). */
  public Lab lab() {
    return lab;
  }

  /** Runs a shell script inside the namespace; fails the test when it fails. */
  public String sh(String script) {
    return Lab.run(List.of("ip", "netns", "exec", ns, "sh", "-c", script));
  }

  /** Starts a TCP listener on address:port; returns the PID of the process holding the socket. */
  public int listen(String address, int port) {
    return listener(address, port, "plain");
  }

  /**
   * A plain listener whose command line carries {@code args} as well (the listener ignores them): a
   * service started with its secrets on the command line, as too many are.
   */
  public int listenWithArgs(String address, int port, String... args) {
    // From a file, so that the command line is short enough for its evidence (python3 FILE ...).
    Path script = file("listener.py", LISTENER);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                "python3",
                script.toString(),
                address,
                Integer.toString(port),
                "plain"));
    cmd.addAll(List.of(args));
    return started(cmd, address, port);
  }

  /**
   * The Tuesday possession: a worker binds the port, forks a child that keeps it (it becomes {@code
   * sleep 3600}), and crashes. Returns the child's PID, the one that now squats the port.
   */
  public int orphanedListener(String address, int port) {
    return listener(address, port, "orphan");
  }

  private int listener(String address, int port, String mode) {
    return listener(List.of("ip", "netns", "exec", ns), address, port, mode);
  }

  /**
   * A plain listener in the network namespace that {@code enter} (e.g. {@code nsenter --net=FILE})
   * puts it into: a namespace no lab made, such as a pod's; whoever starts it kills it (its PID).
   */
  public static int listenIn(List<String> enter, String address, int port) {
    return listener(enter, address, port, "plain");
  }

  private static int listener(List<String> enter, String address, int port, String mode) {
    List<String> cmd = new java.util.ArrayList<>(enter);
    cmd.addAll(List.of("python3", "-c", LISTENER, address, Integer.toString(port), mode));
    return started(cmd, address, port);
  }

  /** Runs a listener command; returns the PID it prints, the process that holds the socket. */
  private static int started(List<String> cmd, String address, int port) {
    try {
      Process p =
          Teardown.start(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(30, TimeUnit.SECONDS);
      return Integer.parseInt(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException | NumberFormatException e) {
      throw new IllegalStateException("listener on " + address + ":" + port + " did not start", e);
    }
  }

  /**
   * Makes a TCP port of the machine's own loopback (an API server, say) reachable on this host's
   * 127.0.0.1 at the same port, without a route: a relay process listens inside this namespace and
   * connects out from the root namespace (it holds sockets in both, through setns).
   */
  public void relayFromRoot(int port) {
    relayFromRoot(port, "127.0.0.1:" + port);
  }

  /**
   * Like {@link #relayFromRoot(int)}, listening inside this namespace on each {@code address:port}
   * given (an address this host holds), every connection going to the root namespace's
   * 127.0.0.1:{@code port}.
   */
  public void relayFromRoot(int port, String... listen) {
    List<String> cmd =
        new ArrayList<>(
            List.of("python3", "-c", RELAY, "/var/run/netns/" + ns, Integer.toString(port)));
    cmd.addAll(List.of(listen));
    try {
      // Owned by the lab as it starts: the lab ends it whatever happens next.
      Process p =
          Teardown.make(
              "a relay",
              () -> {
                Process started =
                    Teardown.start(
                        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT));
                lab.own(started);
                return started;
              });
      // The relay prints one line once it listens; until then a connect would be refused.
      String ready =
          new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
      if (!"ready".equals(ready)) {
        p.destroyForcibly();
        throw new IllegalStateException("the relay to port " + port + " did not start");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String RELAY =
      """
      import ctypes, os, signal, socket, sys, threading
      # Ctrl-C reaches the whole process group; the lab ends the relay itself.
      signal.signal(signal.SIGINT, signal.SIG_IGN)
      CLONE_NEWNET = 0x40000000
      libc = ctypes.CDLL(None, use_errno=True)
      port = int(sys.argv[2])
      root = os.open('/proc/self/ns/net', os.O_RDONLY)
      lab = os.open(sys.argv[1], os.O_RDONLY)
      if libc.setns(lab, CLONE_NEWNET) != 0:
          raise OSError(ctypes.get_errno(), 'setns into the lab')
      servers = []
      for spec in sys.argv[3:]:
          address, listen = spec.rsplit(':', 1)
          srv = socket.socket()
          srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          srv.bind((address, int(listen)))
          srv.listen(128)
          servers.append(srv)
      if libc.setns(root, CLONE_NEWNET) != 0:
          raise OSError(ctypes.get_errno(), 'setns back')
      def pump(a, b):
          try:
              while True:
                  data = a.recv(65536)
                  if not data:
                      break
                  b.sendall(data)
          except OSError:
              pass
          finally:
              for s in (a, b):
                  try:
                      s.shutdown(socket.SHUT_RDWR)
                  except OSError:
                      pass
      def serve(srv):
          while True:
              c, _ = srv.accept()
              try:
                  u = socket.create_connection(('127.0.0.1', port))
              except OSError:
                  c.close()
                  continue
              threading.Thread(target=pump, args=(c, u), daemon=True).start()
              threading.Thread(target=pump, args=(u, c), daemon=True).start()
      print('ready', flush=True)
      loops = [threading.Thread(target=serve, args=(s,), daemon=True) for s in servers]
      for t in loops:
          t.start()
      for t in loops:
          t.join()
      """;

  /**
   * Replaces the hosts file that processes in this namespace see (ip netns exec bind-mounts it).
   */
  public void hostsFile(String content) {
    etcFile("hosts", content);
  }

  /** Replaces the gai.conf (getaddrinfo's address order) that processes in this namespace see. */
  public void gaiConf(String content) {
    etcFile("gai.conf", content);
  }

  /**
   * Replaces the resolv.conf that processes in this namespace see (ip netns exec bind-mounts it).
   */
  public void resolvConf(String content) {
    etcFile("resolv.conf", content);
  }

  // Every file this host writes goes through Teardown.make: once the JVM stops, a write that came
  // after the hook removed the lab would put the file back (a SIGTERM while the haunted house was
  // built left /etc/netns/<ns> so).
  private void etcFile(String name, String content) {
    Path etc = Path.of("/etc/netns", ns);
    Teardown.make(
        "/etc/netns/" + ns + "/" + name,
        () -> {
          Files.createDirectories(etc);
          return Files.writeString(etc.resolve(name), content);
        });
  }

  /**
   * Lays a symbolic link over the machine's /etc in this host's {@link #rootView}, e.g. {@code
   * resolv.conf -> ../run/systemd/resolve/stub-resolv.conf} as on a node that resolves through
   * systemd-resolved. Only the view has it: {@code ip netns exec} bind-mounts files, and a bind
   * mount cannot put a link where a file is.
   */
  public void etcLink(String name, String target) {
    Teardown.make(
        "a link " + name + " in " + ns + "'s view",
        () -> {
          Path link = layer().resolve(name);
          Files.createDirectories(link.getParent());
          Files.deleteIfExists(link);
          return Files.createSymbolicLink(link, Path.of(target));
        });
  }

  /** Lays a file over the machine's /etc in this host's {@link #rootView}, e.g. a drop-in. */
  public void etcLayerFile(String name, String content) {
    Teardown.make(
        "a file " + name + " in " + ns + "'s view",
        () -> {
          Path file = layer().resolve(name);
          Files.createDirectories(file.getParent());
          return Files.writeString(file, content);
        });
  }

  private Path layer() throws IOException {
    if (etcLayer == null) {
      etcLayer = Files.createDirectories(dir.resolve(ns + "-etc"));
    }
    return etcLayer;
  }

  /**
   * A folder of the lab that this host's {@link #rootView} shows at {@code path} (e.g. {@code
   * /run/systemd/resolve}), made now and removed with the lab.
   */
  public Path mountedDir(String path) {
    Path folder =
        Teardown.make(
            "a folder for " + path + " in " + ns + "'s view",
            () -> Files.createDirectories(dir.resolve(ns + "-mnt" + path.replace('/', '-'))));
    mounts.put(path, folder);
    return folder;
  }

  /**
   * The shell lines that make this host's view of the machine's files in a fresh private mount
   * namespace: the layer over /etc as a read-only overlay (a link where the machine has a file),
   * the host's /etc/netns files bound as {@code ip netns exec} binds them (except those the layer
   * holds: a bind onto a link would land on its target), and its mounted folders. What a node's
   * kubelet and containerd, the daemons of the host and a local {@code ghosthunt} run share.
   */
  public String rootView() {
    StringBuilder view = new StringBuilder("set -e\n");
    if (etcLayer != null) {
      view.append("mount -t overlay ghosthunt-etc -o ro,lowerdir=")
          .append(etcLayer)
          .append(":/etc /etc\n");
    }
    view.append("for f in /etc/netns/")
        .append(ns)
        .append("/*; do n=${f##*/}; [ -e \"$f\" ] || continue; ");
    if (etcLayer != null) {
      view.append("[ -e \"")
          .append(etcLayer)
          .append("/$n\" ] || [ -L \"")
          .append(etcLayer)
          .append("/$n\" ] && continue; ");
    }
    view.append("mount --bind \"$f\" \"/etc/$n\"; done\n");
    mounts.forEach(
        (path, folder) ->
            view.append("mkdir -p ")
                .append(path)
                .append(" && mount --bind ")
                .append(folder)
                .append(' ')
                .append(path)
                .append('\n'));
    return view.toString();
  }

  /** Whether this host's {@link #rootView} shows a folder of the lab at {@code path}. */
  public boolean mounts(String path) {
    return mounts.containsKey(path);
  }

  /** Whether this host's view differs from what {@code ip netns exec} shows. */
  public boolean hasRootView() {
    return etcLayer != null || !mounts.isEmpty();
  }

  /**
   * The command that runs {@code command} in this host's namespace and {@link #rootView}: what a
   * process of the node sees.
   */
  public List<String> inView(List<String> command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    if (hasRootView()) {
      cmd.addAll(
          List.of(
              "unshare",
              "--mount",
              "--propagation",
              "private",
              "sh",
              "-c",
              rootView() + "exec \"$@\"",
              "sh"));
    }
    cmd.addAll(command);
    return cmd;
  }

  /**
   * Starts a daemon that forks into the background once it is ready (it has bound its sockets), so
   * that this returns when it serves. Its output goes to {@code log} in the lab's scratch folder.
   */
  public void daemon(String command, String log) {
    sh(command + " </dev/null >>" + dir.resolve(ns + "-" + log) + " 2>&1");
  }

  /** What a GhostHunt run printed and returned. */
  public record Run(int exitCode, String stdout, String stderr) {}

  /** Runs the shipped {@code ghosthunt} jar inside this namespace, as the node's agent would. */
  public Run ghosthunt(String... args) {
    List<String> cmd = ghosthuntCommand(args);
    try {
      Path err = Files.createTempFile(dir, "stderr", ".txt");
      Process p =
          Teardown.start(
              new ProcessBuilder(cmd)
                  .redirectError(err.toFile())
                  .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("ghosthunt did not finish: " + cmd);
      }
      return new Run(p.exitValue(), out, Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts the shipped ghosthunt jar inside this namespace in the background (as a kubelet starts a
   * container), with extra environment and its output in {@code log}. The lab ends it on close.
   */
  public Process startGhosthunt(java.util.Map<String, String> env, Path log, String... args) {
    ProcessBuilder pb =
        new ProcessBuilder(ghosthuntCommand(args))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    return Teardown.start(pb);
  }

  /**
   * {@code ip netns exec NS java ... -jar ghosthunt.jar ARGS}: the jar a user gets, run on this
   * host, in its {@link #rootView}.
   */
  private List<String> ghosthuntCommand(String... args) {
    Path jar = repo().resolve("probe-agent/target/ghosthunt.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: the *IT tests run after `mvn package`");
    }
    List<String> java =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:CompileThresholdScaling=5",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString()));
    java.addAll(List.of(args));
    return inView(java);
  }

  /** Writes a file into the lab's scratch folder, e.g. a hunt for {@link #ghosthunt}. */
  public Path file(String name, String content) {
    return Teardown.make(
        "a lab file " + name, () -> Files.writeString(dir.resolve(ns + "-" + name), content));
  }

  public static Path repo() {
    String repo = System.getProperty("ghosthunt.repo");
    return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
  }
}
