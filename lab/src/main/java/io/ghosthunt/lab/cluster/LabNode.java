package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.Teardown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kubernetes node made of a lab host: a kubelet (built from the Kubernetes module by
 * scripts/control-plane.sh) and a containerd (Debian's, with runc) running inside the host's
 * network namespace, registered with the test API server, with the pause and probe-agent images
 * this build made imported. A {@code hostNetwork} pod lands in the lab host's namespace, so a probe
 * sees exactly the node the lab built.
 *
 * <p>Both daemons share one private mount namespace: it shows them the lab host's {@code /etc}
 * files (as {@code ip netns exec} does, without remounting {@code /sys}, which would hide the
 * cgroups) and tmpfs over the host paths a kubelet or containerd writes outside its own folders, so
 * nodes neither collide nor leave anything behind; every mount they make dies with that namespace.
 * What they still change on the machine (a cgroup per node, three kernel sysctls) is undone on
 * {@link #close}, or by {@link Teardown}'s hook when the JVM stops first (Ctrl-C while the cluster
 * starts, a crash): a node is registered there before it makes anything.
 */
public final class LabNode implements AutoCloseable {

  /**
   * The cluster DNS Service address the kubelets give pods; nothing serves it, as on a node whose
   * DNS is down.
   */
  public static final String CLUSTER_DNS = "203.0.113.226";

  /** Where systemd-resolved writes its resolv.conf files. */
  private static final String RESOLVED_RUN = "/run/systemd/resolve";

  /**
   * How a node is set up.
   *
   * @param network a CNI configuration (without one the runtime reports its network not ready and
   *     the node stays NotReady, as a node whose CNI plugin never installed)
   * @param podPidsLimit the kubelet's podPidsLimit, or null for none
   * @param apiDropped a firewall rule on the node drops its pods' packets to the {@code kubernetes}
   *     Service (the kubelet itself still reaches the API server), as broken Service rules do
   */
  public record Setup(boolean network, Integer podPidsLimit, boolean apiDropped) {
    public static final Setup READY = new Setup(true, null, false);
    public static final Setup NO_CNI = new Setup(false, null, false);
    public static final Setup API_DROPPED = new Setup(true, null, true);

    /** A node whose pods may hold only {@code pids} processes and threads. */
    public static Setup pidsLimit(int pids) {
      return new Setup(true, pids, false);
    }
  }

  /**
   * Host paths a kubelet or containerd writes outside its own folders (containerd: its pods'
   * network namespaces in /run/netns); each node gets a tmpfs over them.
   */
  private static final List<Path> SHADOWED =
      List.of(
          Path.of("/var/lib/kubelet"),
          Path.of("/var/log/containers"),
          Path.of("/usr/libexec/kubernetes/kubelet-plugins"),
          Path.of("/run/containerd"),
          Path.of("/run/netns"));

  /**
   * Sysctls the kubelet sets at start (its setupKernelTunables, all six: on this machine three of
   * them change); put back when the last node stops.
   */
  private static final List<String> KUBELET_SYSCTLS =
      List.of(
          "vm.overcommit_memory",
          "vm.panic_on_oom",
          "kernel.panic",
          "kernel.panic_on_oops",
          "kernel.keys.root_maxkeys",
          "kernel.keys.root_maxbytes");

  private static final List<String> CGROUP_CONTROLLERS =
      List.of(
          "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd",
          "unified");
  private static final HostFootprint FOOTPRINT = new HostFootprint();

  private static final String LAUNCHER =
      """
      set -e
      eval "$ROOT_VIEW"
      for d in $SHADOWED; do mount -t tmpfs -o mode=0755 ghosthunt-node "$d"; done
      containerd --config "$DIR/containerd.toml" >"$DIR/containerd.log" 2>&1 &
      "$KUBE_PROXY" --config "$DIR/kube-proxy.yaml" >"$DIR/kube-proxy.log" 2>&1 &
      i=0
      until [ -S "$DIR/state/containerd.sock" ]; do
        i=$((i + 1)); [ $i -le 300 ] || { echo "containerd did not open its socket in 30 s" >&2; exit 1; }
        sleep 0.1
      done
      exec "$KUBELET" --config "$DIR/kubelet.yaml" --kubeconfig "$DIR/kubeconfig" --hostname-override "$NODE" \\
        --node-ip "$NODE_IP" --root-dir "$DIR/kubelet" --cert-dir "$DIR/kubelet/pki" >"$DIR/kubelet.log" 2>&1
      """;

  private final String name;
  private final LabHost host;
  private final String cgroup;
  private final Teardown.Registration registration;

  /** The node's slot on the pod network, -1 once released. */
  private int slot = -1;

  /** Whether this node counts in {@link #FOOTPRINT}. */
  private boolean footprint;

  private Path dir;
  private Process kubelet;
  private boolean closed;

  /** Holds the host's footprint, a slot and a folder, registered before any of them. */
  private LabNode(String name, LabHost host) throws IOException {
    this.name = name;
    this.host = host;
    this.cgroup = host.ns();
    // The footprint first: the hook, which closes the last registered first, puts the sysctls
    // back after the last kubelet is gone.
    FOOTPRINT.acquire();
    footprint = true;
    registration = Teardown.register("lab node " + name, this);
    try {
      slot = PodNetwork.reserve();
      dir = Files.createTempDirectory("ghosthunt-node-" + name + "-");
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Starts the node's containerd, kube-proxy and kubelet in {@code host}'s namespace, plugged into
   * the lab's cluster segment ({@link PodNetwork}) with its InternalIP there; returns once the
   * processes are launched: {@link #awaitReady} waits for registration. The API server is reached
   * through a relay from the machine's loopback, at 127.0.0.1 (the kubelet, kube-proxy) and at the
   * address it advertises for the {@code kubernetes} Service (pods, through kube-proxy's rules).
   */
  public static LabNode start(
      ControlPlane cp, LabHost host, String name, Setup setup, List<Path> images) {
    LabNode node = Teardown.make("lab node " + name, () -> new LabNode(name, host));
    try {
      node.launch(cp, setup, images);
      return node;
    } catch (RuntimeException e) {
      try {
        node.close();
      } catch (RuntimeException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  private void launch(ControlPlane cp, Setup setup, List<Path> images) {
    try {
      PodNetwork.attach(host, slot);
      host.sh("ip addr add " + ControlPlane.ADVERTISE_IP + "/32 dev lo");
      host.relayFromRoot(
          cp.apiPort(),
          "127.0.0.1:" + cp.apiPort(),
          ControlPlane.ADVERTISE_IP + ":" + cp.apiPort());
      if (setup.apiDropped()) {
        // Before kube-proxy's translation (nat at -100), where the pods' packets still name the
        // Service.
        host.sh(
            "nft add table inet ghapi && nft add chain inet ghapi out '{ type filter hook output priority -150; }'"
                + " && nft add rule inet ghapi out ip daddr "
                + ControlPlane.KUBERNETES_SERVICE_IP
                + " tcp dport 443 drop");
      }
      Teardown.make(
          "cgroup " + cgroup,
          () -> {
            makeCgroup(cgroup);
            return cgroup;
          });
      // Through Teardown.make, as every write into the node's folder: once the JVM stops, a write
      // after the hook removed the folder would put it back.
      Teardown.make(
          "node " + name + "'s configuration",
          () -> {
            writeConfigs(cp, dir, host, name, slot, setup);
            return dir;
          });
      // The images, imported once per run into a seed store, reach each node as hard links: five
      // containerds each unpacking the same 148 MB image took most of a cluster's start.
      Path seed = seed(images);
      Lab.exec(
          List.of("cp", "-al", seed.resolve("root").toString(), dir.resolve("root").toString()),
          Duration.ofMinutes(1));
      Teardown.make("node " + name + "'s image databases", () -> ownDatabases(seed));
      ProcessBuilder pb =
          new ProcessBuilder(
                  "unshare",
                  "--mount",
                  "--propagation",
                  "private",
                  "nsenter",
                  "--net=/run/netns/" + host.ns(),
                  "sh",
                  "-c",
                  LAUNCHER)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("launcher.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      var env = pb.environment();
      env.put("ROOT_VIEW", host.rootView());
      env.put("DIR", dir.toString());
      env.put("NODE", name);
      env.put("NODE_IP", PodNetwork.nodeIp(slot));
      env.put("KUBELET", Binaries.path("kubelet").toString());
      env.put("KUBE_PROXY", Binaries.path("kube-proxy").toString());
      env.put("SHADOWED", String.join(" ", SHADOWED.stream().map(Path::toString).toList()));
      // Whatever it starts names the node's folder or lives in its cgroup: close finds it there.
      kubelet = Teardown.start(pb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public LabHost host() {
    return host;
  }

  /**
   * Waits until the node is registered and its Ready condition is {@code ready} (null: Unknown, as
   * the controller-manager marks a node whose kubelet stopped posting), and for a Ready node until
   * kube-proxy has written the {@code kubernetes} Service's rules (a pod started before that could
   * not reach the API server).
   */
  public Node awaitReady(KubernetesClient client, Boolean ready, Duration timeout) {
    String want = ready == null ? "Unknown" : ready ? "True" : "False";
    try {
      Node node =
          client
              .nodes()
              .withName(name)
              .waitUntilCondition(
                  n ->
                      n != null
                          && n.getStatus() != null
                          && n.getStatus().getConditions() != null
                          && n.getStatus().getConditions().stream()
                              .anyMatch(
                                  c -> "Ready".equals(c.getType()) && want.equals(c.getStatus())),
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
      if (Boolean.TRUE.equals(ready)) {
        awaitServiceRules(timeout);
      }
      return node;
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "node "
              + name
              + " did not turn Ready="
              + want
              + " within "
              + timeout.toSeconds()
              + " s: "
              + (kubelet.isAlive() ? "" : "its kubelet exited. ")
              + "launcher.log:\n"
              + tail("launcher.log")
              + "\nkubelet.log:\n"
              + tail("kubelet.log")
              + "\nkube-proxy.log:\n"
              + tail("kube-proxy.log"),
          e);
    }
  }

  private void awaitServiceRules(Duration timeout) {
    // kube-proxy's health endpoint answers before its first sync; the rule itself is the proof.
    String rule = "-d " + ControlPlane.KUBERNETES_SERVICE_IP + "/32 .*--dport 443";
    host.sh(
        "i=0; until iptables-save -t nat 2>/dev/null | grep -q -- '"
            + rule
            + "'; do i=$((i + 1));"
            + " [ $i -le "
            + timeout.toSeconds() * 5
            + " ] || { echo 'kube-proxy wrote no rule for the kubernetes Service' >&2; exit 1; };"
            + " sleep 0.2; done");
  }

  private static final java.util.Map<List<Path>, Path> SEEDS = new java.util.HashMap<>();

  /**
   * Imports {@code images} into the store nodes start from, ahead of the first node: a caller can
   * overlap the import (seconds per image) with the control plane's start.
   */
  public static void prepareImages(List<Path> images) {
    try {
      seed(images);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A containerd root holding {@code images}, made once per JVM: a containerd of its own (in a
   * private mount namespace, so that its unpacking mounts stay there) imports them and stops.
   */
  private static synchronized Path seed(List<Path> images) throws IOException {
    Path seed = SEEDS.get(images);
    if (seed != null) {
      return seed;
    }
    // Kept for the JVM's run (every cluster's nodes start from it), removed when it ends.
    seed =
        Teardown.make(
            "an image store",
            () -> {
              Path made = Files.createTempDirectory("ghosthunt-images-");
              Teardown.register(
                  "image store " + made,
                  () -> {
                    // A signal to the whole process group ends the import's shell before the hook
                    // can kill it with its children, and leaves its containerd orphaned: found by
                    // its folder on its command line, as a node's.
                    String folder = made.toString();
                    List<ProcessHandle> left = Teardown.naming(folder);
                    left.forEach(ProcessHandle::destroyForcibly);
                    left.forEach(LabNode::waitFor);
                    Lab.exec(List.of("rm", "-rf", folder), Duration.ofMinutes(1));
                  });
              return made;
            });
    writeContainerdConfig(seed);
    Lab.Exec imported =
        Lab.exec(
            List.of(
                "env",
                "DIR=" + seed,
                "IMAGES=" + String.join(" ", images.stream().map(Path::toString).toList()),
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                SEED),
            Duration.ofMinutes(5));
    if (imported.exitCode() != 0) {
      throw new IllegalStateException("importing " + images + " failed:\n" + imported.output());
    }
    SEEDS.put(images, seed);
    return seed;
  }

  private static final String SEED =
      """
      set -e
      containerd --config "$DIR/containerd.toml" >"$DIR/containerd.log" 2>&1 &
      pid=$!
      # Its containerd goes with the shell: a background job ignores the terminal's Ctrl-C.
      trap 'kill $pid 2>/dev/null || true' EXIT
      trap 'exit 130' INT
      trap 'exit 143' TERM
      i=0
      until [ -S "$DIR/state/containerd.sock" ]; do
        i=$((i + 1)); [ $i -le 300 ] || { echo "containerd did not open its socket in 30 s" >&2; kill $pid; exit 1; }
        sleep 0.1
      done
      for image in $IMAGES; do ctr -a "$DIR/state/containerd.sock" -n k8s.io images import "$image" >/dev/null; done
      kill $pid
      wait $pid || true
      """;

  /**
   * Kills the kubelet, as a crashed one: the Node stays, its pods are never started or reported.
   */
  public void killKubelet() {
    kubelet.destroyForcibly();
    waitFor(kubelet.toHandle());
  }

  /**
   * Every container log the kubelet keeps of the pods in {@code namespace}, each under its folder's
   * name.
   */
  public String containerLogs(String namespace) {
    try (Stream<Path> files = Files.walk(dir.resolve("kubelet/pod-logs"))) {
      StringBuilder out = new StringBuilder();
      for (Path f :
          files
              .filter(f -> f.toString().contains("/" + namespace + "_") && Files.isRegularFile(f))
              .sorted()
              .toList()) {
        out.append("==> ")
            .append(name)
            .append(": ")
            .append(dir.resolve("kubelet/pod-logs").relativize(f))
            .append('\n')
            .append(Files.readString(f));
      }
      return out.toString();
    } catch (IOException e) {
      return "";
    }
  }

  private String tail(String log) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(log));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(none)";
    }
  }

  /** The stores' databases are written: each node gets its own copy, not a shared link. */
  private Path ownDatabases(Path seed) throws IOException {
    try (Stream<Path> dbs = Files.walk(dir.resolve("root"))) {
      for (Path db : dbs.filter(f -> f.getFileName().toString().endsWith(".db")).toList()) {
        // Unlinked first: Files.copy does nothing when source and target are one file, as links
        // are.
        Files.delete(db);
        Files.copy(seed.resolve(dir.relativize(db)), db);
      }
    }
    return dir;
  }

  private static void writeConfigs(
      ControlPlane cp, Path dir, LabHost host, String name, int slot, Setup setup)
      throws IOException {
    String ns = host.ns();
    // As kubeadm does on a node that runs systemd-resolved: its stub, 127.0.0.53, is the node's
    // loopback, which a pod cannot reach; the upstreams it lists in /run are.
    String resolvConf =
        host.mounts(RESOLVED_RUN) ? RESOLVED_RUN + "/resolv.conf" : "/etc/resolv.conf";
    Files.createDirectories(dir.resolve("cni/bin"));
    Files.createDirectories(dir.resolve("cni/net.d"));
    Files.createDirectories(dir.resolve("kubelet/pki"));
    for (String plugin : List.of("loopback", "host-local", "bridge")) {
      Files.createSymbolicLink(
          dir.resolve("cni/bin").resolve(plugin), Path.of("/usr/lib/cni", plugin));
    }
    if (setup.network()) {
      Files.writeString(
          dir.resolve("cni/net.d/10-ghosthunt-pods.conflist"),
          PodNetwork.cniConfig(slot, dir.resolve("cni/ipam").toString()));
    }
    // conntrack limits and timeouts are the machine's (0: leave them), localhost NodePorts off so
    // that kube-proxy needs no route_localnet: it changes only the node's own iptables.
    Files.writeString(
        dir.resolve("kube-proxy.yaml"),
        """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        clientConnection: {kubeconfig: %1$s/kubeconfig}
        hostnameOverride: %2$s
        mode: iptables
        clusterCIDR: %3$s
        healthzBindAddress: 127.0.0.1:10256
        metricsBindAddress: 127.0.0.1:10249
        conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
        iptables: {localhostNodePorts: false}
        """
            .formatted(dir, name, PodNetwork.CLUSTER_CIDR));
    Files.writeString(dir.resolve("kubeconfig"), cp.kubeconfigYaml());
    writeContainerdConfig(dir);
    Files.writeString(
        dir.resolve("kubelet.yaml"),
        """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        cgroupDriver: cgroupfs
        containerRuntimeEndpoint: unix://%1$s/state/containerd.sock
        failSwapOn: false
        failCgroupV1: false
        authentication:
          anonymous: {enabled: false}
          webhook: {enabled: false}
        authorization:
          mode: AlwaysAllow
        address: 127.0.0.1
        port: 10250
        healthzBindAddress: 127.0.0.1
        healthzPort: 10248
        readOnlyPort: 0
        podLogsDir: %1$s/kubelet/pod-logs
        staticPodPath: ""
        cgroupsPerQOS: true
        cgroupRoot: /%2$s
        enforceNodeAllocatable: []
        evictionHard: {}
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        serializeImagePulls: false
        resolvConf: %5$s
        clusterDNS: [%3$s]
        clusterDomain: cluster.local
        %4$s
        """
            .formatted(
                dir,
                ns,
                CLUSTER_DNS,
                setup.podPidsLimit() == null ? "" : "podPidsLimit: " + setup.podPidsLimit(),
                resolvConf));
  }

  private static void writeContainerdConfig(Path dir) throws IOException {
    Files.writeString(
        dir.resolve("containerd.toml"),
        """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        [grpc]
          address = "%1$s/state/containerd.sock"
        [ttrpc]
          address = "%1$s/state/containerd.sock.ttrpc"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%2$s"
          # runc cannot lower oom_score_adj without CAP_SYS_RESOURCE, which this machine's root lacks.
          restrict_oom_score_adj = true
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "%1$s/cni/bin"
            conf_dir = "%1$s/cni/net.d"
        """
            .formatted(dir, Images.PAUSE));
  }

  /**
   * The node's cgroupRoot in every v1 controller; cpuset needs its CPUs and memory nodes before it
   * takes tasks.
   */
  private static void makeCgroup(String name) throws IOException {
    for (String controller : CGROUP_CONTROLLERS) {
      Path root = Path.of("/sys/fs/cgroup", controller);
      if (Files.isDirectory(root)) {
        Files.createDirectories(root.resolve(name));
      }
    }
    Path cpuset = Path.of("/sys/fs/cgroup/cpuset");
    if (Files.isDirectory(cpuset)) {
      for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
        Files.writeString(
            cpuset.resolve(name).resolve(f), Files.readString(cpuset.resolve(f)).trim());
      }
    }
  }

  /**
   * Kills the node's processes (the kubelet, kube-proxy, containerd, the shims, every process of
   * its cgroup), removes its cgroup, folder and slot, and, for the last node, puts back what the
   * nodes changed on the machine. It may run twice: a close that the JVM's stop interrupted on
   * another thread leaves the node to {@link Teardown}'s hook.
   */
  @Override
  public synchronized void close() {
    if (closed || Teardown.interrupted()) {
      return;
    }
    List<RuntimeException> failures = new ArrayList<>();
    // Each step runs whatever the one before left: the rest of the node must go in any case.
    step(
        failures,
        () -> {
          if (kubelet != null) {
            kubelet.destroyForcibly();
            waitFor(kubelet.toHandle());
          }
          // containerd and its shims name this node's folder on their command lines; containers are
          // in its cgroup.
          List<ProcessHandle> left = new ArrayList<>(cgroupProcesses());
          if (dir != null) {
            left.addAll(Teardown.naming(dir.toString()));
          }
          left.forEach(ProcessHandle::destroyForcibly);
          left.forEach(LabNode::waitFor);
        });
    step(failures, this::removeCgroup);
    // With every process gone, the node's mount namespace and all its mounts are gone too.
    if (dir != null) {
      step(failures, () -> Lab.exec(List.of("rm", "-rf", dir.toString()), Duration.ofMinutes(1)));
    }
    if (slot >= 0) {
      step(failures, () -> PodNetwork.release(host, slot));
      slot = -1;
    }
    if (Teardown.interrupted()) {
      return; // some of it was refused: the hook closes the node again
    }
    if (footprint) {
      footprint = false;
      step(failures, FOOTPRINT::release);
    }
    closed = true;
    registration.close();
    if (!failures.isEmpty()) {
      IllegalStateException e =
          new IllegalStateException("node " + name + " was not removed cleanly");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private static void step(List<RuntimeException> failures, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failures.add(e);
    }
  }

  private List<ProcessHandle> cgroupProcesses() {
    Path root = Path.of("/sys/fs/cgroup/pids", cgroup);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> procs = Files.walk(root)) {
      return procs
          .filter(p -> p.getFileName().toString().equals("cgroup.procs"))
          .flatMap(
              p -> {
                try {
                  return Files.readAllLines(p).stream();
                } catch (IOException e) {
                  return Stream.empty();
                }
              })
          .map(Long::parseLong)
          .map(ProcessHandle::of)
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private void removeCgroup() {
    for (String controller : CGROUP_CONTROLLERS) {
      Path root = Path.of("/sys/fs/cgroup", controller, cgroup);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        // Deepest first: a cgroup goes only once its children have.
        walk.filter(Files::isDirectory)
            .sorted(Comparator.reverseOrder())
            .forEach(
                d -> {
                  try {
                    Files.delete(d);
                  } catch (IOException e) {
                    throw new UncheckedIOException("cgroup " + d + " could not be removed", e);
                  }
                });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void waitFor(ProcessHandle p) {
    try {
      p.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("process " + p.pid() + " did not end", e);
    }
  }

  /**
   * What the nodes change on the machine itself, taken note of when the first node starts and put
   * back when the last one stops (or by {@link Teardown}'s hook, which closes it after every node
   * registered since): the mount points they shadow, if this made them, and the sysctls the kubelet
   * sets.
   */
  private static final class HostFootprint implements AutoCloseable {
    private int nodes;
    private final List<Path> made = new ArrayList<>();
    private final List<String> sysctls = new ArrayList<>();
    private Teardown.Registration registration;

    /** Called inside a {@link Teardown#make}. */
    synchronized void acquire() {
      if (nodes++ > 0) {
        return;
      }
      if (registration == null) {
        registration = Teardown.register("what lab nodes change on the machine", this);
      }
      try {
        for (Path p : SHADOWED) {
          Path top = p;
          while (top.getParent() != null && !Files.exists(top.getParent())) {
            top = top.getParent();
          }
          if (!Files.exists(p)) {
            made.add(top);
            Files.createDirectories(p);
          }
        }
        if (sysctls.isEmpty()) {
          for (String key : KUBELET_SYSCTLS) {
            sysctls.add(
                key + "=" + Files.readString(Path.of("/proc/sys", key.replace('.', '/'))).trim());
          }
        }
      } catch (IOException | RuntimeException e) {
        nodes--;
        close();
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
    }

    synchronized void release() {
      if (--nodes > 0) {
        return;
      }
      close();
    }

    /** Puts the sysctls back and removes the mount points it made; may run twice. */
    @Override
    public synchronized void close() {
      if (Teardown.interrupted()) {
        return; // the hook does it
      }
      for (String kv : sysctls) {
        Lab.exec(List.of("sysctl", "-qw", kv), Duration.ofSeconds(10));
      }
      for (Path p : made) {
        Lab.exec(List.of("rm", "-rf", p.toString()), Duration.ofSeconds(30));
      }
      if (Teardown.interrupted()) {
        return;
      }
      sysctls.clear();
      made.clear();
      if (registration != null) {
        registration.close();
        registration = null;
      }
    }
  }
}
