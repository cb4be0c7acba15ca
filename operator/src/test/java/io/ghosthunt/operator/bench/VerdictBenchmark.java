package io.ghosthunt.operator.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.HuntTimeline;
import io.ghosthunt.api.status.ProbeTimeline;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.lab.cluster.HauntedCluster;
import io.ghosthunt.lab.cluster.Images;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.status.Conditions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * How long a user waits for a verdict, on the demo's cluster ({@link HauntedCluster}: five real
 * nodes, GhostHunt installed with helm, one operator replica), and where that time goes. N times
 * each, in turn: {@code kubectl apply} of examples/tuesday-possession.yaml and of
 * examples/every-ghost.yaml (renamed per run), timed from before {@code kubectl apply} to the
 * Complete condition seen by an informer on the hunts (not {@code kubectl wait}, whose own start
 * and poll would count), then split into steps by the hunt's status.timeline and its reports'
 * timelines (milliseconds; every clock here is this machine's), the hunt's creationTimestamp and
 * the probe pods' PodScheduled times (seconds: the API server keeps no finer); the hunt is deleted
 * before the next. Then the floor, what the kubelet and containerd alone take: a pod of the pause
 * image only (imported on every node, never pulled), host network, pinned to one node, from its
 * create to Running seen by an informer. Then "operator ready", N times: {@code helm uninstall},
 * everything of it gone, then {@code helm install --wait} timed until an informer sees the
 * operator's Deployment Available (and until helm returns). Prints each run, a table of the medians
 * per step and kind, who spent the CPU meanwhile ({@link CpuMeter}: the probe pods, the operator,
 * the nodes' daemons, the control plane), the floor, and last a line {@code verdict: tuesday S s,
 * every-ghost S s, operator ready S s (medians of N)}. Run by scripts/bench.sh verdict [N], as
 * root.
 */
public final class VerdictBenchmark {

  static final String NS = "default";
  static final Duration WAIT = Duration.ofMinutes(5);

  /** Where the floor's pause pod runs: the haunted house's clean node. */
  static final String FLOOR_NODE = "node-e";

  /** A kind of hunt: the key the verdict line names it by, its example and its name there. */
  record Kind(String key, String example, String name) {}

  static final List<Kind> KINDS =
      List.of(
          new Kind("tuesday", "tuesday-possession.yaml", "tuesday-possession"),
          new Kind("every-ghost", "every-ghost.yaml", "every-ghost"));

  /** One step of a hunt, by its short key (a run's line) and what it measures (the table). */
  record Step(String key, String label) {}

  /** The chain: each step ends where the next begins, so that together they are the total. */
  static final List<Step> CHAIN =
      List.of(
          new Step("seen", "kubectl apply -> operator saw it (timeline.seenAt)"),
          new Step("probes", "seen -> probe pods created (timeline.probesCreatedAt)"),
          new Step("process", "probes created -> process started (the last report's probe)"),
          new Step("client", "process started -> checks started (JVM, client, the hunt read)"),
          new Step("checks", "checks started -> checks done"),
          new Step("written", "checks done -> report written (its finishedAt: the write begins)"),
          new Step("complete", "report written -> Complete (timeline.completedAt)"),
          new Step("observed", "Complete -> seen by an informer"));

  static final Step TOTAL = new Step("total", "total: kubectl apply -> Complete seen");

  /** Beside the chain: coarser, or over every probe rather than the last. */
  static final List<Step> BESIDE =
      List.of(
          new Step("created-seen", "  hunt created -> seen (creationTimestamp: to the second)"),
          new Step("scheduled", "  probes created -> last PodScheduled (to the second)"),
          new Step("last-process", "  probes created -> last process started (any probe)"));

  /** CPU-seconds from kubectl apply to Complete seen, by whom ({@link CpuMeter}). */
  static final List<Step> CPU =
      List.of(
          new Step("cpu-probes", "the hunt's probe pods (JVMs, their pause containers)"),
          new Step("cpu-operator", "the operator's pod"),
          new Step("cpu-other", "the cluster's other pods (CoreDNS, web)"),
          new Step("cpu-control", "the control plane (etcd, API server, controllers, scheduler)"),
          new Step(
              "cpu-rest", "the rest: kubelets, containerds, shims, runc, the kernel, the bench"),
          new Step("cpu-machine", "the whole machine"));

  /** One hunt's figures, in seconds by step key (NaN: not known). */
  record HuntRun(Kind kind, int run, Map<String, Double> steps) {}

  public static void main(String[] args) {
    int code = 0;
    try {
      run(args.length > 0 ? Integer.parseInt(args[0]) : 5, System.out);
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      code = 2;
    }
    // The clients and the lab leave non-daemon threads behind: end the JVM explicitly.
    System.exit(code);
  }

  static void run(int n, PrintStream out) throws Exception {
    Path dir = Files.createDirectories(ControlPlane.repo().resolve("operator/target/verdict"));
    try (HauntedCluster cluster =
        HauntedCluster.start(dir, s -> System.err.println("[verdict] " + s), 1)) {
      List<HuntRun> runs = new ArrayList<>();
      try (Watch watch = new Watch(cluster.client)) {
        for (int i = 1; i <= n; i++) {
          for (Kind kind : KINDS) {
            HuntRun r = hunt(cluster, watch, kind, i, dir);
            runs.add(r);
            out.println(line(r));
          }
        }
      }
      List<Double> floors = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        floors.add(floor(cluster.client, node(cluster), i));
        out.printf(Locale.ROOT, "floor run %d: %.3f s%n", i, floors.get(i - 1));
      }
      List<double[]> ready = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        ready.add(operatorReady(cluster));
        out.printf(
            Locale.ROOT,
            "operator ready run %d: Available seen %.3f s, helm returned %.3f s%n",
            i,
            ready.get(i - 1)[0],
            ready.get(i - 1)[1]);
      }
      report(out, n, runs, floors, ready);
    }
  }

  private static String node(HauntedCluster cluster) {
    return cluster.nodes.containsKey(FLOOR_NODE)
        ? FLOOR_NODE
        : cluster.nodes.keySet().iterator().next();
  }

  /**
   * One hunt of {@code kind}: applied, Complete, its figures taken, deleted with its probes gone.
   */
  static HuntRun hunt(HauntedCluster cluster, Watch watch, Kind kind, int run, Path dir)
      throws Exception {
    String name = kind.name() + "-" + run;
    Path file = copy(kind, name, dir);
    CompletableFuture<Instant> complete = watch.completion(name);
    List<String> cgroups = cluster.nodes.values().stream().map(n -> n.host().ns()).toList();
    String operator =
        cluster.operatorPods().stream().map(p -> p.getMetadata().getUid()).findFirst().orElse("");
    CpuMeter.Look before = CpuMeter.look(cgroups);
    Instant applied = Instant.now();
    Lab.Exec apply = cluster.kubectl("apply", "-n", NS, "-f", file.toString());
    if (apply.exitCode() != 0) {
      throw new IllegalStateException("kubectl apply: " + apply.output());
    }
    Instant observed;
    CpuMeter.Spent cpu;
    try {
      observed = complete.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      CpuMeter.Look after = CpuMeter.look(cgroups);
      cpu = CpuMeter.between(before, after, operator);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          name + " not Complete within " + WAIT + ":\n" + describe(cluster, name), e);
    }
    KubernetesClient client = cluster.client;
    GhostHunt hunt = client.resources(GhostHunt.class).inNamespace(NS).withName(name).get();
    String uid = hunt.getMetadata().getUid();
    List<GhostHuntReport> reports =
        client
            .resources(GhostHuntReport.class)
            .inNamespace(NS)
            .withLabel(GhostHuntReport.HUNT_UID_LABEL, uid)
            .list()
            .getItems();
    Map<String, Double> steps = steps(applied, observed, hunt, reports, watch.probes(uid));
    steps.put("cpu-probes", cpu.probePods());
    steps.put("cpu-operator", cpu.operator());
    steps.put("cpu-other", cpu.otherPods());
    steps.put("cpu-rest", cpu.rest());
    steps.put("cpu-control", cpu.controlPlane());
    steps.put("cpu-machine", cpu.machine());
    Lab.Exec deleted =
        cluster.kubectl("delete", "ghosthunt", name, "-n", NS, "--wait", "--timeout=120s");
    if (deleted.exitCode() != 0) {
      throw new IllegalStateException("kubectl delete: " + deleted.output());
    }
    watch.awaitNoProbes(Duration.ofMinutes(2));
    return new HuntRun(kind, run, steps);
  }

  private static String describe(HauntedCluster cluster, String name) {
    return cluster.kubectl("describe", "ghosthunt", name, "-n", NS).output()
        + cluster.kubectl("get", "pods", "-A", "-o", "wide").output();
  }

  /** The example with its name replaced, in {@code dir}. */
  static Path copy(Kind kind, String name, Path dir) throws IOException {
    Path example = ControlPlane.repo().resolve("examples").resolve(kind.example());
    return Files.writeString(
        dir.resolve(name + ".yaml"),
        Files.readString(example).replace("name: " + kind.name(), "name: " + name));
  }

  /** The steps of one hunt, in seconds, from the times the cluster kept and the bench's own. */
  static Map<String, Double> steps(
      Instant applied,
      Instant observed,
      GhostHunt hunt,
      List<GhostHuntReport> reports,
      List<Pod> probes) {
    HuntTimeline t =
        hunt.getStatus().getTimeline() == null
            ? new HuntTimeline()
            : hunt.getStatus().getTimeline();
    GhostHuntReportStatus last =
        reports.stream()
            .map(GhostHuntReport::getStatus)
            .filter(s -> s != null && at(s.getFinishedAt()) != null)
            .max(Comparator.comparing(s -> at(s.getFinishedAt())))
            .orElse(new GhostHuntReportStatus());
    ProbeTimeline p = last.getTimeline() == null ? new ProbeTimeline() : last.getTimeline();
    Instant seen = at(t.getSeenAt());
    Instant created = at(t.getProbesCreatedAt());
    Map<String, Double> steps = new LinkedHashMap<>();
    steps.put("seen", seconds(applied, seen));
    steps.put("probes", seconds(seen, created));
    steps.put("process", seconds(created, at(p.getProcessStartedAt())));
    steps.put("client", seconds(at(p.getProcessStartedAt()), at(p.getChecksStartedAt())));
    steps.put("checks", seconds(at(p.getChecksStartedAt()), at(p.getChecksFinishedAt())));
    steps.put("written", seconds(at(p.getChecksFinishedAt()), at(last.getFinishedAt())));
    steps.put("complete", seconds(at(last.getFinishedAt()), at(t.getCompletedAt())));
    steps.put("observed", seconds(at(t.getCompletedAt()), observed));
    steps.put("total", seconds(applied, observed));
    steps.put("created-seen", seconds(at(hunt.getMetadata().getCreationTimestamp()), seen));
    steps.put("scheduled", seconds(created, lastScheduled(probes)));
    steps.put("last-process", seconds(created, at(t.getLastProcessStartedAt())));
    return steps;
  }

  /** The latest PodScheduled time of the probes (seconds: a condition's time is no finer). */
  private static Instant lastScheduled(List<Pod> probes) {
    Instant latest = null;
    for (Pod pod : probes) {
      if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
        continue;
      }
      for (PodCondition c : pod.getStatus().getConditions()) {
        Instant when = "PodScheduled".equals(c.getType()) ? at(c.getLastTransitionTime()) : null;
        if (when != null && (latest == null || when.isAfter(latest))) {
          latest = when;
        }
      }
    }
    return latest;
  }

  /**
   * The floor: a pause pod, host network, on {@code node}, from its create to Running seen by an
   * informer that was watching before the create; then deleted and gone.
   */
  static double floor(KubernetesClient client, String node, int run) throws Exception {
    String name = "verdict-floor-" + run;
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .withHostNetwork(true)
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withTerminationGracePeriodSeconds(0L)
            .addNewToleration()
            .withOperator("Exists")
            .endToleration()
            .addNewContainer()
            .withName("pause")
            .withImage(Images.PAUSE)
            .withImagePullPolicy("Never")
            .endContainer()
            .endSpec()
            .build();
    AtomicReference<Instant> running = new AtomicReference<>();
    CompletableFuture<List<Pod>> seen =
        client
            .pods()
            .inNamespace(NS)
            .withName(name)
            .informOnCondition(
                pods -> {
                  boolean up =
                      pods.stream()
                          .anyMatch(
                              p ->
                                  p.getStatus() != null
                                      && "Running".equals(p.getStatus().getPhase()));
                  if (up) {
                    running.compareAndSet(null, Instant.now());
                  }
                  return up;
                });
    Instant created = Instant.now();
    client.resource(pod).create();
    seen.get(2, TimeUnit.MINUTES);
    // Not forced: gone from the API once its kubelet has stopped it, before the next run.
    client.pods().inNamespace(NS).withName(name).delete();
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .waitUntilCondition(Objects::isNull, 2, TimeUnit.MINUTES);
    return seconds(created, running.get());
  }

  /**
   * helm uninstall and everything of it gone; then helm install --wait, timed until an informer
   * sees the operator's Deployment Available, and until helm returns: {available, helm} seconds.
   */
  static double[] operatorReady(HauntedCluster cluster) throws Exception {
    cluster.uninstallAndWait();
    AtomicReference<Instant> available = new AtomicReference<>();
    CompletableFuture<List<Deployment>> ready =
        cluster
            .client
            .apps()
            .deployments()
            .inNamespace(HauntedCluster.NAMESPACE)
            .withName(HauntedCluster.DEPLOYMENT)
            .informOnCondition(
                list -> {
                  boolean up = list.stream().anyMatch(VerdictBenchmark::available);
                  if (up) {
                    available.compareAndSet(null, Instant.now());
                  }
                  return up;
                });
    Instant start = Instant.now();
    try {
      cluster.reinstall();
    } catch (RuntimeException e) {
      ready.cancel(true); // stops its informer
      throw e;
    }
    Instant helm = Instant.now();
    ready.get(1, TimeUnit.MINUTES);
    return new double[] {seconds(start, available.get()), seconds(start, helm)};
  }

  static boolean available(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getConditions() != null
        && Objects.equals(d.getStatus().getObservedGeneration(), d.getMetadata().getGeneration())
        && d.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** One run in one line: its total and each step of the chain. */
  static String line(HuntRun r) {
    String steps =
        CHAIN.stream()
            .map(s -> s.key() + " " + format(r.steps().get(s.key())))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "%s run %d: %s s (%s)",
        r.kind().key(),
        r.run(),
        format(r.steps().get("total")),
        steps);
  }

  static void report(
      PrintStream out, int n, List<HuntRun> runs, List<Double> floors, List<double[]> ready) {
    out.println();
    out.printf(Locale.ROOT, "medians of %d, seconds%n", n);
    out.printf(Locale.ROOT, "%-72s %12s %12s%n", "step", KINDS.get(0).key(), KINDS.get(1).key());
    List<Step> rows = new ArrayList<>(CHAIN);
    rows.add(TOTAL);
    rows.addAll(BESIDE);
    for (Step s : rows) {
      out.printf(
          Locale.ROOT,
          "%-72s %12s %12s%n",
          s.label(),
          format(median(runs, KINDS.get(0), s.key())),
          format(median(runs, KINDS.get(1), s.key())));
    }
    cpuTable(out, runs);
    double floorMedian = median(floors);
    out.printf(
        Locale.ROOT,
        "floor: a pause pod (host network, %s), create -> Running seen: %s s%n",
        FLOOR_NODE,
        format(floorMedian));
    double readyMedian = median(ready.stream().map(r -> r[0]).toList());
    out.printf(
        Locale.ROOT,
        "operator ready: helm install -> Deployment Available seen %s s, helm install --wait"
            + " returned %s s%n",
        format(readyMedian),
        format(median(ready.stream().map(r -> r[1]).toList())));
    out.printf(
        Locale.ROOT,
        "verdict: tuesday %.1f s, every-ghost %.1f s, operator ready %.1f s (medians of %d)%n",
        median(runs, KINDS.get(0), "total"),
        median(runs, KINDS.get(1), "total"),
        readyMedian,
        n);
  }

  /** Who spent the CPU, medians per kind, and the probe pods' CPU over the cores. */
  static void cpuTable(PrintStream out, List<HuntRun> runs) {
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(
        Locale.ROOT,
        "%-72s %12s %12s%n",
        "CPU-seconds, kubectl apply -> Complete seen (" + cores + " cores)",
        KINDS.get(0).key(),
        KINDS.get(1).key());
    for (Step s : CPU) {
      out.printf(
          Locale.ROOT,
          "%-72s %12s %12s%n",
          "  " + s.label(),
          format(median(runs, KINDS.get(0), s.key())),
          format(median(runs, KINDS.get(1), s.key())));
    }
    out.printf(
        Locale.ROOT,
        "%-72s %12s %12s%n",
        "  the probe pods' CPU over the cores: no hunt of them ends sooner",
        format(median(runs, KINDS.get(0), "cpu-probes") / cores),
        format(median(runs, KINDS.get(1), "cpu-probes") / cores));
  }

  static double median(List<HuntRun> runs, Kind kind, String step) {
    return median(
        runs.stream()
            .filter(r -> r.kind().equals(kind))
            .map(r -> r.steps().getOrDefault(step, Double.NaN))
            .toList());
  }

  /** The median of the known values (NaN: none known). */
  static double median(List<Double> values) {
    List<Double> known = values.stream().filter(v -> !v.isNaN()).sorted().toList();
    if (known.isEmpty()) {
      return Double.NaN;
    }
    int m = known.size() / 2;
    return known.size() % 2 == 1 ? known.get(m) : (known.get(m - 1) + known.get(m)) / 2;
  }

  static String format(Double seconds) {
    return seconds == null || seconds.isNaN() ? "-" : String.format(Locale.ROOT, "%.3f", seconds);
  }

  /** Seconds from {@code a} to {@code b}; NaN when either is not known. */
  static double seconds(Instant a, Instant b) {
    return a == null || b == null ? Double.NaN : Duration.between(a, b).toNanos() / 1e9;
  }

  /** An RFC 3339 time, or null. */
  static Instant at(String time) {
    try {
      return time == null ? null : Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Informers for the whole benchmark: the hunts of {@link #NS} (when each turns Complete) and the
   * probe pods (their last state, kept after they are deleted at the verdict).
   */
  static final class Watch implements AutoCloseable {

    private final Map<String, CompletableFuture<Instant>> complete = new ConcurrentHashMap<>();
    private final Map<String, Pod> probes = new ConcurrentHashMap<>();
    private final SharedIndexInformer<GhostHunt> hunts;
    private final SharedIndexInformer<Pod> pods;

    Watch(KubernetesClient client) {
      hunts = client.resources(GhostHunt.class).inNamespace(NS).inform(handler(this::hunt));
      pods = client.pods().inNamespace(HauntedCluster.PROBES).inform(handler(this::probe));
    }

    private static <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> seen) {
      return new ResourceEventHandler<>() {
        @Override
        public void onAdd(T t) {
          seen.accept(t);
        }

        @Override
        public void onUpdate(T before, T after) {
          seen.accept(after);
        }

        @Override
        public void onDelete(T t, boolean unknown) {
          seen.accept(t);
        }
      };
    }

    private void hunt(GhostHunt h) {
      CompletableFuture<Instant> f = complete.get(h.getMetadata().getName());
      if (f != null && !f.isDone() && isComplete(h)) {
        f.complete(Instant.now());
      }
    }

    static boolean isComplete(GhostHunt h) {
      return h.getStatus() != null
          && h.getStatus().getConditions() != null
          && h.getStatus().getConditions().stream()
              .anyMatch(
                  c -> Conditions.COMPLETE.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void probe(Pod p) {
      probes.put(p.getMetadata().getName(), p);
    }

    /** When the hunt {@code name} is seen Complete: ask before it is applied. */
    CompletableFuture<Instant> completion(String name) {
      return complete.computeIfAbsent(name, k -> new CompletableFuture<>());
    }

    /** The last state seen of every probe pod of the hunt {@code uid}. */
    List<Pod> probes(String uid) {
      return probes.values().stream()
          .filter(p -> p.getMetadata().getLabels() != null)
          .filter(p -> uid.equals(p.getMetadata().getLabels().get(Labels.HUNT_UID)))
          .toList();
    }

    /** Until no probe pod is left, so that one hunt's teardown does not slow the next. */
    void awaitNoProbes(Duration within) throws InterruptedException {
      Instant end = Instant.now().plus(within);
      while (!pods.getStore().list().isEmpty()) {
        if (Instant.now().isAfter(end)) {
          throw new IllegalStateException(
              "probe pods still there after " + within + ": " + pods.getStore().listKeys());
        }
        Thread.sleep(100);
      }
    }

    @Override
    public void close() {
      hunts.close();
      pods.close();
    }
  }
}
