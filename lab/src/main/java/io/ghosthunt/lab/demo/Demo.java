package io.ghosthunt.lab.demo;

import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.Teardown;
import io.ghosthunt.lab.cluster.HauntedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code ./ghosthunt demo}: GhostHunt's whole flow on this machine. A whole cluster (control plane,
 * a haunted house of five real nodes: kubelet, containerd and kube-proxy in lab namespaces, a pod
 * network), GhostHunt installed with {@code helm install} from the images this build made; then
 * what a user does: {@code kubectl apply} the Tuesday possession, {@code kubectl wait}, {@code
 * kubectl describe}. Everything is removed on exit, Ctrl-C and SIGTERM included, at any moment (the
 * lab's {@link Teardown} hook); {@code --keep} leaves it running to explore with kubectl.
 */
public final class Demo {

  static final String HELP =
      """
      Usage: ./ghosthunt demo [--keep] [--hunt FILE]

      Starts a whole Kubernetes cluster: a control plane (etcd, kube-apiserver,
      kube-controller-manager, kube-scheduler) and five real nodes, each a kubelet, a containerd and
      a kube-proxy inside a lab network namespace, with a pod network between them (node-a: the
      Tuesday orphaned port; node-b: stale DNS, an HTTP/2 quirk, a duplicate IP; node-c: an MTU
      black hole; node-d: an asymmetric route and a blocked loopback; node-e: clean). Installs
      GhostHunt with `helm install` of charts/ghosthunt-operator, the operator and probe-agent
      images built from this tree; applies the hunt with kubectl, waits for it and prints kubectl
      describe. Needs root. Removes everything on exit (kubelets, containerds, pods, mounts,
      cgroups, namespaces), Ctrl-C included.

        --keep       leave it all running and print the KUBECONFIG to explore with kubectl
        --hunt FILE  the hunt to apply (default: examples/tuesday-possession.yaml;
                     examples/every-ghost.yaml finds all seven); a scheduled one is asked to
                     run now (kubectl annotate ... ghosthunt.io/run-now=TIME)
      """;

  private Demo() {}

  public static void main(String[] args) throws Exception {
    List<String> argv = List.of(args);
    if (argv.contains("--help") || argv.contains("-h")) {
      System.out.print(HELP);
      return;
    }
    boolean keep = argv.contains("--keep");
    Path repo = Path.of(System.getProperty("ghosthunt.repo", "."));
    int at = argv.indexOf("--hunt");
    Path hunt =
        at >= 0 && at + 1 < argv.size()
            ? Path.of(argv.get(at + 1))
            : repo.resolve("examples/tuesday-possession.yaml");
    if (!Files.isReadable(hunt)) {
      System.err.println("ghosthunt demo: no such hunt file: " + hunt);
      System.exit(2);
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      System.err.println("ghosthunt demo: needs root (network namespaces for the lab nodes)");
      System.exit(2);
    }
    Instant started = Instant.now();
    // The first registered is the last undone: this says that all the rest is gone.
    Path dir =
        Teardown.make(
            "the demo's folder",
            () -> {
              Path made = Files.createTempDirectory("ghosthunt-demo-");
              Teardown.register(
                  "the demo's folder",
                  () -> {
                    Lab.exec(List.of("rm", "-rf", made.toString()), Duration.ofMinutes(1));
                    step(started, "removed everything");
                  });
              return made;
            });
    Teardown.onStopping(
        () ->
            step(
                started,
                "stopping: removing the nodes (kubelets, containerds, kube-proxies, pods),"
                    + " the lab namespaces and the control plane"));
    try {
      run(started, dir, keep, repo, hunt);
    } catch (Exception e) {
      if (Teardown.stopping()) {
        // Ctrl-C or SIGTERM while it worked: the hook removes everything and ends the JVM; what
        // failed here failed because of that.
        Thread.currentThread().join();
      }
      e.printStackTrace();
      System.err.println("ghosthunt demo: failed (" + e + "); removing everything");
      System.exit(2);
    }
  }

  private static void run(Instant started, Path dir, boolean keep, Path repo, Path hunt)
      throws Exception {
    HauntedCluster cluster = HauntedCluster.start(dir, s -> step(started, s));
    step(started, "kubectl get nodes -o wide");
    print(cluster.kubectl("get", "nodes", "-o", "wide"));
    step(started, "kubectl get pods -A -o wide");
    print(cluster.kubectl("get", "pods", "-A", "-o", "wide"));
    String name = huntName(hunt);
    step(started, "kubectl apply -f " + repo.relativize(hunt.toAbsolutePath().normalize()));
    print(cluster.kubectl("apply", "-f", hunt.toString()));
    if (scheduled(hunt)) {
      // Its first time may be days away: a run is asked for now, as a user would.
      String now = Instant.now().toString();
      step(
          started,
          "kubectl annotate ghosthunt "
              + name
              + " ghosthunt.io/run-now="
              + now
              + " --overwrite (a scheduled hunt: run it now, then on its schedule)");
      print(
          cluster.kubectl(
              "annotate", "ghosthunt", name, "ghosthunt.io/run-now=" + now, "--overwrite"));
    }
    step(
        started,
        "kubectl wait --for=condition=Complete ghosthunt/"
            + name
            + " --timeout=5m"
            + " (each node's kubelet runs one probe pod from the image; it hunts in the node's namespace)");
    Lab.Exec waited =
        cluster.kubectl("wait", "--for=condition=Complete", "ghosthunt/" + name, "--timeout=5m");
    print(waited);
    step(started, "kubectl get ghosthunts");
    print(cluster.kubectl("get", "ghosthunts"));
    step(
        started,
        "kubectl get ghosthuntreports -l ghosthunt.io/hunt=" + name + " (one report per node)");
    print(cluster.kubectl("get", "ghosthuntreports", "-l", "ghosthunt.io/hunt=" + name));
    step(started, "kubectl describe ghosthunt " + name);
    print(cluster.kubectl("describe", "ghosthunt", name));
    Duration took = Duration.between(started, Instant.now());
    if (keep) {
      step(started, "ready after " + took.toSeconds() + " s; left running. In another shell:");
      System.out.println(
          "  export KUBECONFIG="
              + cluster.kubeconfig
              + " PATH="
              + cluster.controlPlane.kubectl().getParent()
              + ":$PATH");
      System.out.println("  kubectl get ghosthunts,nodes");
      System.out.println(
          "  kubectl apply -f examples/every-ghost.yaml && kubectl describe ghosthunt every-ghost");
      System.out.println("Ctrl-C here stops it and removes everything.");
      Thread.currentThread().join();
    }
    System.exit(waited.exitCode() == 0 ? 0 : 2);
  }

  private static void step(Instant started, String what) {
    System.out.printf(
        "[demo %5.1fs] %s%n", Duration.between(started, Instant.now()).toMillis() / 1000.0, what);
    System.out.flush();
  }

  private static void print(Lab.Exec k) {
    System.out.print(k.output());
    if (!k.output().endsWith("\n")) {
      System.out.println();
    }
  }

  /** Whether the hunt's spec has a schedule (a line "schedule:", comments aside). */
  private static boolean scheduled(Path file) throws java.io.IOException {
    return Files.readAllLines(file).stream()
        .map(String::strip)
        .anyMatch(t -> t.startsWith("schedule:"));
  }

  private static String huntName(Path file) throws java.io.IOException {
    for (String line : Files.readAllLines(file)) {
      String t = line.strip();
      if (t.startsWith("name:")) {
        return t.substring(5).strip();
      }
    }
    throw new IllegalArgumentException(file + " has no metadata.name");
  }
}
