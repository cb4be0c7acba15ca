package io.ghosthunt.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A pod's processes on this node, seen through the host's PID namespace: the kubelet puts every pod
 * into a cgroup that names the pod's UID, whichever container runtime or cgroup driver runs it, so
 * no runtime socket is needed to find a pod's network namespace.
 */
public final class PodProcesses {

  private final Path proc;

  public PodProcesses() {
    this(Path.of("/proc"));
  }

  public PodProcesses(Path proc) {
    this.proc = proc;
  }

  /**
   * Whether a /proc/PID/cgroup text puts the process into the pod: the cgroupfs driver names {@code
   * .../pod<uid>/<container>}, the systemd driver {@code ...-pod<uid with _ for ->.slice/...}.
   */
  static boolean inPod(String cgroup, String uid) {
    return cgroup.contains("pod" + uid + "/")
        || cgroup.contains("pod" + uid + "\n")
        || cgroup.endsWith("pod" + uid)
        || cgroup.contains("-pod" + uid.replace('-', '_') + ".slice");
  }

  /**
   * The PIDs of each pod (by UID) on this node, lowest first; a pod without a process here is
   * absent.
   */
  public Map<String, List<Long>> find(Collection<String> uids) {
    Map<String, TreeMap<Long, Boolean>> found = new HashMap<>();
    try (Stream<Path> entries = Files.list(proc)) {
      entries
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(
              p -> {
                String cgroup;
                try {
                  cgroup = Files.readString(p.resolve("cgroup"));
                } catch (IOException | RuntimeException e) {
                  return; // exited meanwhile
                }
                for (String uid : uids) {
                  if (inPod(cgroup, uid)) {
                    found
                        .computeIfAbsent(uid, u -> new TreeMap<>())
                        .put(Long.parseLong(p.getFileName().toString()), true);
                  }
                }
              });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + proc, e);
    }
    Map<String, List<Long>> pids = new HashMap<>();
    found.forEach((uid, set) -> pids.put(uid, List.copyOf(set.keySet())));
    return pids;
  }

  /**
   * The process whose view of the pod the checks take: one whose root holds {@code etc/hosts}, the
   * file the kubelet mounts into every container (with its {@code resolv.conf}); the sandbox's
   * pause process has neither.
   */
  public Optional<Long> withPodFiles(List<Long> pids) {
    return pids.stream()
        .filter(pid -> Files.isRegularFile(proc.resolve(pid + "/root/etc/hosts")))
        .findFirst();
  }

  /** Whether the process shares this process's network namespace (a hostNetwork pod does). */
  public boolean sharesOurNetwork(long pid) {
    try {
      return Files.readSymbolicLink(proc.resolve(pid + "/ns/net"))
          .equals(Files.readSymbolicLink(proc.resolve("self/ns/net")));
    } catch (IOException e) {
      return false;
    }
  }

  public Path root(long pid) {
    return proc.resolve(pid + "/root");
  }

  public Path netns(long pid) {
    return proc.resolve(pid + "/ns/net");
  }
}
