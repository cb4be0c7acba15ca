package io.ghosthunt.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A network lab of hosts in network namespaces that the test creates and always removes.
 *
 * <p>Rules it keeps: only namespaces it made (named {@code gh<id>-<role>}), only the documentation
 * ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and loopback, links only between its own
 * namespaces (never to a real interface), and on close every process inside is killed and every
 * namespace deleted, {@link Teardown}'s shutdown hook covering a run that stops half-way (Ctrl-C, a
 * test run that dies).
 */
public final class Lab implements AutoCloseable {

  private static final List<String> DOC_RANGES =
      List.of("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:");

  private final String id =
      "gh"
          + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt())
          + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
  private final List<LabHost> hosts = new ArrayList<>();
  private final java.util.Set<String> roles = new java.util.HashSet<>();
  private final List<Process> owned = new ArrayList<>();
  private Path dir;
  private final Teardown.Registration registration;
  private boolean closed;

  public Lab() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(
          "network labs need root (ip netns, nft): run the tests as root");
    }
    registration =
        Teardown.make(
            "a lab",
            () -> {
              Teardown.Registration r = Teardown.register("lab " + id, this);
              dir = Files.createTempDirectory("ghosthunt-lab-" + id);
              return r;
            });
  }

  /**
   * A new host: a namespace with lo up, forwarding off and reverse-path filtering off until asked.
   * A role already taken in this lab (two small labs in one house) gets a number.
   */
  public synchronized LabHost host(String role) {
    String unique = role;
    for (int n = 2; roles.contains(unique); n++) {
      unique = role + n;
    }
    roles.add(unique);
    String ns = id + "-" + unique;
    LabHost h = new LabHost(this, ns, dir);
    Teardown.make(
        "namespace " + ns,
        () -> {
          // Known before it exists: close deletes it whatever happens next.
          hosts.add(h);
          return run(List.of("ip", "netns", "add", ns));
        });
    h.sh(
        // Without detection on new interfaces their IPv6 link-local addresses are usable at once:
        // routers resolve each other with them, and a tentative one silently stalls forwarding for
        // the first second or two of a lab.
        "ip link set lo up; sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0"
            + " net.ipv6.conf.default.accept_dad=0");
    return h;
  }

  /**
   * A veth cable between two lab hosts, each end with an address (CIDR) in a documentation range.
   */
  public void link(LabHost a, String ifA, String cidrA, LabHost b, String ifB, String cidrB) {
    requireDocRange(cidrA);
    requireDocRange(cidrB);
    run(
        List.of(
            "ip", "link", "add", ifA, "netns", a.ns(), "type", "veth", "peer", "name", ifB, "netns",
            b.ns()));
    a.sh(
        "ip addr add "
            + cidrA
            + " dev "
            + ifA
            + " && ip link set "
            + ifA
            + " up && sysctl -qw net.ipv4.conf."
            + ifA
            + ".rp_filter=0");
    b.sh(
        "ip addr add "
            + cidrB
            + " dev "
            + ifB
            + " && ip link set "
            + ifB
            + " up && sysctl -qw net.ipv4.conf."
            + ifB
            + ".rp_filter=0");
  }

  /**
   * An IPv6 address (CIDR in 2001:db8::/32) on a lab host's interface, usable at once: {@code
   * nodad} skips duplicate address detection, whose second of waiting a lab does not need, and
   * which would refuse the duplicates some labs are about.
   */
  public static void address6(LabHost host, String dev, String cidr) {
    requireDocRange(cidr);
    host.sh("ip -6 addr add " + cidr + " dev " + dev + " nodad");
  }

  /**
   * A switch: a bridge inside the lab host {@code sw}, for hosts that share one Ethernet segment.
   */
  public void bridge(LabHost sw, String bridge) {
    sw.sh("ip link add " + bridge + " type bridge && ip link set " + bridge + " up");
  }

  /**
   * Plugs {@code host} into {@code sw}'s bridge with a cable: its end is {@code ifHost} with the
   * given MAC and address (CIDR, documentation range), the switch's end {@code port}.
   */
  public void plug(
      LabHost sw,
      String bridge,
      String port,
      LabHost host,
      String ifHost,
      String cidr,
      String mac) {
    requireDocRange(cidr);
    run(
        List.of(
            "ip", "link", "add", port, "netns", sw.ns(), "type", "veth", "peer", "name", ifHost,
            "netns", host.ns()));
    sw.sh("ip link set " + port + " master " + bridge + " && ip link set " + port + " up");
    host.sh(
        "ip link set "
            + ifHost
            + " address "
            + mac
            + " && ip addr add "
            + cidr
            + " dev "
            + ifHost
            + " && ip link set "
            + ifHost
            + " up");
  }

  /** A process outside the namespaces (a relay) that must end with the lab. */
  synchronized void own(Process p) {
    owned.add(p);
  }

  static void requireDocRange(String cidr) {
    if (DOC_RANGES.stream().noneMatch(cidr::startsWith) && !cidr.startsWith("127.")) {
      throw new IllegalArgumentException(
          cidr + " is outside the documentation ranges a lab may use");
    }
  }

  static String run(List<String> command) {
    Exec e = exec(command, Duration.ofSeconds(60));
    if (e.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + ": exit " + e.exitCode() + "\n" + e.output());
    }
    return e.output();
  }

  /**
   * What a command printed (stdout and stderr together) and its exit code; 124 when it timed out.
   */
  public record Exec(int exitCode, String output) {}

  /**
   * Runs a command to its end, bounded by {@code timeout}, with no input. Once the JVM stops, only
   * {@link Teardown}'s hook runs commands: anywhere else this throws {@link Teardown.Stopping}.
   */
  public static Exec exec(List<String> command, Duration timeout) {
    return Teardown.make(
        String.join(" ", command),
        () -> {
          Process p =
              Teardown.start(
                  new ProcessBuilder(command)
                      .redirectErrorStream(true)
                      .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
              p.destroyForcibly();
              return new Exec(
                  124,
                  out
                      + "\n"
                      + String.join(" ", command)
                      + ": timed out after "
                      + timeout.toSeconds()
                      + " s");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return new Exec(p.exitValue(), out);
        });
  }

  /**
   * Kills every process of the lab and deletes its namespaces and files. It may run twice: a close
   * that the JVM's stop interrupted on another thread leaves the lab to {@link Teardown}'s hook.
   */
  @Override
  public synchronized void close() {
    if (closed || Teardown.interrupted()) {
      return;
    }
    owned.forEach(Process::destroyForcibly);
    for (LabHost h : hosts) {
      try {
        // Every process still in the namespace: daemons, orphans, servers the test started.
        String pids = run(List.of("ip", "netns", "pids", h.ns())).trim();
        if (!pids.isEmpty()) {
          List<String> kill = new ArrayList<>(List.of("kill", "-9"));
          kill.addAll(List.of(pids.split("\\s+")));
          try {
            run(kill);
          } catch (IllegalStateException e) {
            // some exited between listing and killing
          }
        }
      } catch (IllegalStateException e) {
        // the namespace is already gone
      }
      try {
        run(List.of("ip", "netns", "del", h.ns()));
      } catch (IllegalStateException e) {
        // already gone
      }
      deleteTree(Path.of("/etc/netns", h.ns()));
    }
    deleteTree(dir);
    if (Teardown.interrupted()) {
      return; // some of it was refused: the hook closes the lab again
    }
    closed = true;
    registration.close();
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp file is harmless
    }
  }
}
