package io.ghosthunt.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Who spent the machine's CPU during a hunt, in CPU-seconds between two looks: the lab nodes' pods
 * (the cgroup v1 cpuacct of each node's {@code kubepods}, which keeps what deleted pods spent), by
 * pod where a pod lived through both looks (the operator, CoreDNS, the web pods), the rest being
 * the hunt's probe pods; the control plane's processes; and the whole machine from {@code
 * /proc/stat}, whose remainder is the nodes' kubelets, containerds, shims and runc, kube-proxies
 * (not in a cgroup of their own), the kernel and the bench. The control plane is found by its
 * processes' names: the bench runs alone on its machine. On a machine where the probes start at
 * once on every node, their CPU-seconds over the cores are a floor no operator can go under.
 */
final class CpuMeter {

  /** The control plane, by the kernel's (15-character) process names. */
  static final Set<String> CONTROL_PLANE =
      Set.of("etcd", "kube-apiserver", "kube-controller", "kube-scheduler");

  static final Path CPUACCT = Path.of("/sys/fs/cgroup/cpuacct");

  /** USER_HZ: what /proc counts CPU time in on every Linux this runs on. */
  static final double TICK = 0.01;

  /** One look: nanoseconds by node (its pods), by pod UID; ticks by the rest. */
  record Look(
      Map<String, Long> nodePods,
      Map<String, Long> pods,
      long controlPlaneTicks,
      long machineBusyTicks) {}

  /** What was spent between two looks, in CPU-seconds. */
  record Spent(
      double probePods, double operator, double otherPods, double controlPlane, double machine) {

    /** What the machine spent beside the pods and the control plane. */
    double rest() {
      return machine - probePods - operator - otherPods - controlPlane;
    }
  }

  private CpuMeter() {}

  /**
   * @param cgroups each lab node's cgroup name (its cgroupRoot)
   */
  static Look look(List<String> cgroups) {
    Map<String, Long> nodePods = new HashMap<>();
    Map<String, Long> pods = new HashMap<>();
    for (String cg : cgroups) {
      Path node = CPUACCT.resolve(cg);
      long kubepods = usage(node.resolve("kubepods"));
      if (kubepods < 0) {
        // A machine without cgroup v1's cpuacct, or another cgroupRoot: no figure rather than 0.
        throw new IllegalStateException("no CPU figure: cannot read " + node + "/kubepods");
      }
      nodePods.put(cg, kubepods);
      // kubepods/podUID (Guaranteed) and kubepods/{burstable,besteffort}/podUID.
      for (Path qos : children(node.resolve("kubepods"))) {
        for (Path pod :
            qos.getFileName().toString().startsWith("pod") ? List.of(qos) : children(qos)) {
          long used = usage(pod);
          if (pod.getFileName().toString().startsWith("pod") && used >= 0) {
            pods.put(pod.getFileName().toString().substring(3), used);
          }
        }
      }
    }
    return new Look(nodePods, pods, controlPlaneTicks(), machineBusyTicks());
  }

  /**
   * @param operatorUid the operator pod's UID (its cgroup is {@code pod<UID>})
   */
  static Spent between(Look a, Look b, String operatorUid) {
    long pods = 0;
    for (String cg : b.nodePods().keySet()) {
      pods += b.nodePods().get(cg) - a.nodePods().getOrDefault(cg, b.nodePods().get(cg));
    }
    long operator = 0;
    long lived = 0;
    for (Map.Entry<String, Long> pod : b.pods().entrySet()) {
      Long before = a.pods().get(pod.getKey());
      if (before == null) {
        continue; // born during the hunt (a probe), or unreadable at the first look
      }
      long spent = pod.getValue() - before;
      lived += spent;
      if (pod.getKey().replace('_', '-').equals(operatorUid)) {
        operator = spent;
      }
    }
    return new Spent(
        (pods - lived) / 1e9,
        operator / 1e9,
        (lived - operator) / 1e9,
        (b.controlPlaneTicks() - a.controlPlaneTicks()) * TICK,
        (b.machineBusyTicks() - a.machineBusyTicks()) * TICK);
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      return List.of(); // a pod's cgroup removed while listed
    }
  }

  /** A cgroup's cpuacct.usage in nanoseconds; -1 when it cannot be read (gone, or no cpuacct). */
  private static long usage(Path cgroup) {
    try {
      return Long.parseLong(Files.readString(cgroup.resolve("cpuacct.usage")).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static long controlPlaneTicks() {
    long ticks = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (CONTROL_PLANE.contains(comm)) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException e) {
          // a process that ended while read
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks;
  }

  /**
   * user + nice + system + irq + softirq of the machine's "cpu" line: steal is time the hypervisor
   * gave someone else, guest time is in user already.
   */
  private static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      return Long.parseLong(f[1])
          + Long.parseLong(f[2])
          + Long.parseLong(f[3])
          + Long.parseLong(f[6])
          + Long.parseLong(f[7]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
