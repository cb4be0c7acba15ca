package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.ProcessInfo;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.Socket;
import io.ghosthunt.agent.host.SocketTable;
import io.ghosthunt.agent.redact.Redactor;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.spec.Protocol;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Service won't start: who holds the port. Socket table, then inode, then process (ss -ltnp). Ghost
 * {@code OrphanedPort} when something other than the expected process holds it.
 */
public final class PortOwnerCheck implements Check {

  private final SocketTable sockets;
  private final ProcessTable processes;

  public PortOwnerCheck(SocketTable sockets, ProcessTable processes) {
    this.sockets = sockets;
    this.processes = processes;
  }

  @Override
  public CheckKey key() {
    return CheckKey.PORT_OWNER;
  }

  @Override
  public void prefetch() {
    processes.prefetch();
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    PortOwnerSpec spec = checks.getPortOwner();
    String protocol = spec.getProtocol() == Protocol.UDP ? "udp" : "tcp";
    Set<Integer> ports = new HashSet<>(spec.getPorts());
    List<Socket> all;
    try {
      all = sockets.read(protocol, ports::contains);
    } catch (AccessDeniedException e) {
      return spec.getPorts().stream()
          .map(
              p ->
                  Findings.error(
                      key(), protocol + "/" + p, "cannot read the socket table: " + e.getMessage()))
          .toList();
    }
    Set<Long> inodes =
        all.stream()
            .filter(Socket::listening)
            .map(Socket::inode)
            .filter(i -> i != 0)
            .collect(Collectors.toSet());
    ProcessTable.Holders holders = processes.holders(inodes);
    List<Finding> findings = new ArrayList<>();
    for (int port : spec.getPorts()) {
      long started = System.nanoTime();
      Finding f = judge(protocol, port, all, holders, spec.getExpectedProcess());
      f.setDurationMs((System.nanoTime() - started) / 1_000_000);
      findings.add(f);
    }
    return findings;
  }

  private Finding judge(
      String protocol, int port, List<Socket> all, ProcessTable.Holders holders, String expected) {
    String target = protocol + "/" + port;
    List<Socket> onPort = all.stream().filter(s -> s.localPort() == port).toList();
    List<Socket> listeners = onPort.stream().filter(Socket::listening).toList();
    Map<String, Long> lingering =
        onPort.stream()
            .filter(s -> !s.listening())
            .collect(
                Collectors.groupingBy(
                    Socket::state, java.util.TreeMap::new, Collectors.counting()));

    // Every process holding a listener, once, with the addresses it listens on.
    Map<Integer, ProcessInfo> owners = new LinkedHashMap<>();
    Map<Integer, List<String>> addresses = new LinkedHashMap<>();
    boolean unknownOwner = false;
    for (Socket s : listeners) {
      List<ProcessInfo> ps = holders.byInode().getOrDefault(s.inode(), List.of());
      if (ps.isEmpty()) {
        unknownOwner = true;
      }
      for (ProcessInfo p : ps) {
        owners.putIfAbsent(p.pid(), p);
        addresses.computeIfAbsent(p.pid(), k -> new ArrayList<>()).add(s.local());
      }
    }

    if (listeners.isEmpty()) {
      Finding f =
          Findings.clear(
              key(),
              target,
              "port "
                  + port
                  + " is free: the ghost is elsewhere"
                  + (lingering.isEmpty() ? "" : " (" + describe(lingering) + " lingering)"));
      lingering.forEach((state, n) -> f.evidence(state.toLowerCase(Locale.ROOT), n));
      return f;
    }
    if (owners.isEmpty()) {
      Finding f =
          Findings.error(
              key(),
              target,
              "port "
                  + port
                  + " is bound ("
                  + listeners.get(0).local()
                  + ") but no process holding it is visible: run as root with the host PID namespace"
                  + (holders.unreadable() > 0
                      ? " (" + holders.unreadable() + " processes unreadable)"
                      : ""));
      f.evidence("inode", listeners.get(0).inode()).evidence("uid", listeners.get(0).uid());
      return f;
    }

    List<ProcessInfo> squatters = expected == null ? List.of() : squatters(owners, expected);
    ProcessInfo first = squatters.isEmpty() ? owners.values().iterator().next() : squatters.get(0);
    Finding f;
    if (squatters.isEmpty()) {
      String who =
          owners.values().stream().map(ProcessInfo::describe).collect(Collectors.joining(", "));
      ProcessInfo named =
          expected == null
              ? null
              : owners.values().stream().filter(p -> p.isNamed(expected)).findFirst().orElse(null);
      boolean activation = owners.values().stream().anyMatch(ProcessInfo::isServiceManager);
      f =
          Findings.clear(
              key(),
              target,
              "port "
                  + port
                  + " is held by PID "
                  + who
                  + (expected == null
                      ? ""
                      : named != null
                          ? ", the expected " + expected
                          : ": the service manager holds it for socket activation, and "
                              + expected
                              + " starts on the first connection")
                  + (activation && named != null ? " (socket activation)" : ""));
      if (named != null) {
        f.evidence("matchedBy", named.matchedBy(expected));
      }
    } else {
      boolean orphan = processes.orphaned(first);
      String summary =
          "port "
              + port
              + " is held by PID "
              + first.describe()
              + ", not by "
              + expected
              + (orphan ? "; its parent exited" : "")
              + (squatters.size() > 1 ? " (and " + (squatters.size() - 1) + " more)" : "");
      String pids =
          squatters.stream().map(p -> Integer.toString(p.pid())).collect(Collectors.joining(" "));
      String remediation =
          "kill "
              + pids
              + ", then restart "
              + expected
              + (orphan
                  ? " (PID " + first.pid() + " was orphaned by a crashed or killed parent)"
                  : "")
              + (first.pod() != null
                  ? "; it runs in pod " + first.pod() + ": delete that pod instead"
                  : "");
      f = Findings.ghost(key(), target, GhostName.OrphanedPort, summary, remediation);
      f.evidence("expectedProcess", expected);
      f.evidence(
          "orphaned", orphan ? "yes: its process group leader " + first.pgid() + " is gone" : null);
    }
    // Redacted before Finding.evidence cuts it to its bound (CheckRunner redacts again, whole).
    f.evidence("pid", first.pid())
        .evidence(
            "command",
            first.commandLine().isEmpty() ? first.comm() : Redactor.redact(first.commandLine()))
        .evidence("process", first.comm())
        .evidence("ppid", first.ppid())
        .evidence("pgid", first.pgid())
        .evidence("parent", processes.process(first.ppid()).map(ProcessInfo::comm).orElse(null))
        .evidence("started", first.started())
        .evidence("listen", String.join(" ", addresses.get(first.pid())))
        .evidence("container", first.container())
        .evidence("pod", first.pod());
    if (owners.size() > 1) {
      f.evidence(
          "holders",
          owners.values().stream().map(ProcessInfo::describe).collect(Collectors.joining(", ")));
    }
    if (unknownOwner) {
      f.evidence("note", "some sockets on this port have no visible owner");
    }
    lingering.forEach((state, n) -> f.evidence(state.toLowerCase(Locale.ROOT), n));
    return f;
  }

  /**
   * The holders that are not the expected process: neither named so (see {@link
   * ProcessInfo#matchedBy}), nor a child of a holder that is (a prefork server's workers share its
   * socket), nor the service manager holding it for socket activation.
   */
  static List<ProcessInfo> squatters(Map<Integer, ProcessInfo> owners, String expected) {
    java.util.Set<Integer> named =
        owners.values().stream()
            .filter(p -> p.isNamed(expected))
            .map(ProcessInfo::pid)
            .collect(Collectors.toSet());
    return owners.values().stream()
        .filter(p -> !named.contains(p.pid()) && !named.contains(p.ppid()) && !p.isServiceManager())
        .toList();
  }

  private static String describe(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }
}
