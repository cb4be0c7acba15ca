package io.ghosthunt.operator.bench;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.ghosthunt.agent.cli.AgentCommand;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.operator.GhostHuntOperator;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.testing.Fixtures;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hunt over N simulated nodes against the real API server. The agents are replaced by a fast
 * stand-in that writes a realistic node entry (all seven checks, one node in a hundred haunted) and
 * marks the pod Succeeded. Prints: apply to Complete, API requests per node made by the operator,
 * operator heap, and the size of the hunt object. Run by scripts/bench.sh scale [NODES]: above
 * 1,000 nodes, 1,000 first and then N, each against a fresh API server, and how N compares.
 */
public final class ScaleBenchmark {

  /** What a larger N is measured against: its time should stay within 6× of this one's. */
  static final int BASE = 1000;

  /** One run's figures, for the comparison. */
  record Figures(int nodes, double seconds, double requestsPerNode, int huntBytes, int landed) {}

  public static void main(String[] args) {
    int code = 0;
    try {
      int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
      if (n <= BASE) {
        run(n);
      } else {
        Figures base = run(BASE);
        Figures big = run(n);
        // The line carries × and ≤: UTF-8 whatever the locale says (a C locale would print ?).
        PrintStream out =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        out.printf(
            java.util.Locale.ROOT,
            "scale: %d nodes in %.1f s, %d nodes in %.1f s (%.1f× the %d-node time; goal ≤ 6×),"
                + " operator requests per node %.2f / %.2f, hunt object %.1f KiB / %.1f KiB,"
                + " reports landed %d/%d, %d/%d%n",
            base.nodes(),
            base.seconds(),
            big.nodes(),
            big.seconds(),
            big.seconds() / base.seconds(),
            base.nodes(),
            base.requestsPerNode(),
            big.requestsPerNode(),
            base.huntBytes() / 1024.0,
            big.huntBytes() / 1024.0,
            base.landed(),
            base.nodes(),
            big.landed(),
            big.nodes());
      }
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      code = 2;
    }
    // The operator and clients leave non-daemon threads behind: end the JVM explicitly.
    System.exit(code);
  }

  static final AtomicLong FIRST_POD = new AtomicLong();
  static final AtomicLong LAST_WRITE = new AtomicLong();
  static final AtomicLong SSA_NANOS = new AtomicLong();
  static final java.util.concurrent.atomic.AtomicInteger WRITES =
      new java.util.concurrent.atomic.AtomicInteger();

  static Figures run(int n) throws Exception {
    // A second run in this JVM starts from zero: its own counters and heap peak.
    FIRST_POD.set(0);
    LAST_WRITE.set(0);
    SSA_NANOS.set(0);
    WRITES.set(0);
    FAILED_WRITES.set(0);
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    ControlPlane cp = ControlPlane.apiServerOnly();
    // The stand-in agents use the agent's request timeout (AgentCommand: 60 s).
    KubernetesClient admin =
        new KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(
                        Config.fromKubeconfig(cp.kubeconfigYaml()))
                    .withRequestTimeout(60_000)
                    .build())
            .build();
    Fixtures.installCrd(cp);
    for (String ns : List.of("ghosthunt-system", "hunts")) {
      cp.namespace(ns);
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    for (int i = 0; i < n; i++) {
      String name = String.format("sim-%04d", i);
      pool.submit(
          () -> {
            admin
                .resource(
                    new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("kubernetes.io/os", "linux")
                        .endMetadata()
                        .build())
                .create();
            admin
                .nodes()
                .withName(name)
                .editStatus(
                    x ->
                        new NodeBuilder(x)
                            .withNewStatus()
                            .addNewCondition()
                            .withType("Ready")
                            .withStatus("True")
                            .withReason("KubeletReady")
                            .endCondition()
                            .endStatus()
                            .build());
          });
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.MINUTES);
    System.out.printf("%d Ready nodes created%n", n);

    AtomicLong operatorRequests = new AtomicLong();
    Interceptor counter =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            operatorRequests.incrementAndGet();
          }
        };
    KubernetesClient operatorClient =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(cp.kubeconfigYaml()))
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count", counter))
            .build();
    GhostHuntOperator operator =
        new GhostHuntOperator(
            operatorClient,
            new OperatorConfig(
                "ghosthunt-system",
                "ghosthunt/probe-agent:bench",
                false,
                Set.of("hunts"),
                OperatorConfig.ProbeResources.DEFAULT,
                List.of()),
            new OperatorMetrics(),
            null);
    operator.start();

    ExecutorService agents = Executors.newFixedThreadPool(16);
    var informer =
        admin
            .pods()
            .inNamespace("ghosthunt-system")
            .inform(
                new ResourceEventHandler<Pod>() {
                  @Override
                  public void onAdd(Pod pod) {
                    FIRST_POD.compareAndSet(0, System.nanoTime());
                    agents.submit(() -> standInAgent(admin, pod));
                  }

                  @Override
                  public void onUpdate(Pod a, Pod b) {}

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {}
                });

    long before = operatorRequests.get();
    long start = System.nanoTime();
    admin
        .resource(
            admin
                .getKubernetesSerialization()
                .unmarshal(
                    """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: fleet, namespace: hunts}
        spec: {target: "https://app.example.com:8443/health", timeoutSeconds: 600}
        """,
                    GhostHunt.class))
        .create();
    GhostHunt done =
        admin
            .resources(GhostHunt.class)
            .inNamespace("hunts")
            .withName("fleet")
            .waitUntilCondition(
                h ->
                    h != null
                        && h.getStatus() != null
                        && h.getStatus().getPhase() == HuntPhase.Complete,
                20,
                TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    long requests = operatorRequests.get() - before;
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long peak =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .mapToLong(p -> p.getPeakUsage().getUsed())
            .sum();
    int size =
        admin.getKubernetesSerialization().asJson(done).getBytes(StandardCharsets.UTF_8).length;

    System.out.printf(
        "nodes: %d, verdict %s, ghosts %d, progress %s%n",
        n,
        done.getStatus().getVerdict(),
        done.getStatus().getGhosts(),
        done.getStatus().getProgress());
    System.out.printf(
        "apply -> Complete: %.1f s (first probe pod after %.1f s, %d reports written by %.1f s)%n",
        seconds, (FIRST_POD.get() - start) / 1e9, WRITES.get(), (LAST_WRITE.get() - start) / 1e9);
    System.out.printf(
        "agent report write: %.0f ms on average, %d writes failed%n",
        SSA_NANOS.get() / 1e6 / Math.max(1, WRITES.get()), FAILED_WRITES.get());
    System.out.printf(
        "operator API requests: %d (%.2f per node)%n", requests, (double) requests / n);
    System.out.printf(
        "JVM heap after GC: %d MiB, peak %d MiB (operator, stand-in agents and client share this JVM)%n",
        heap >> 20, peak >> 20);
    System.out.printf(
        "hunt object: %d bytes (%.1f KiB, %.0f bytes per node; limit 1 MiB)%n",
        size, size / 1024.0, (double) size / n);
    int landed =
        (int)
            admin.resources(GhostHuntReport.class).inNamespace("hunts").list().getItems().stream()
                .filter(r -> r.getStatus() != null && r.getStatus().getPhase() == NodePhase.Done)
                .count();
    System.out.printf(
        "scale: %d nodes, Complete in %.1f s, hunt object %d bytes, reports landed %d/%d,"
            + " operator requests per node %.2f%n",
        n, seconds, size, landed, n, (double) requests / n);
    informer.close();
    agents.shutdownNow();
    operator.close();
    admin.close();
    cp.close();
    return new Figures(n, seconds, (double) requests / n, size, landed);
  }

  /**
   * What an agent writes for a node (see AgentCommand.compact): seven findings, one node in a
   * hundred haunted.
   */
  static void standInAgent(KubernetesClient admin, Pod pod) {
    try {
      writeEntry(admin, pod);
    } catch (RuntimeException e) {
      FAILED_WRITES.incrementAndGet();
      System.err.println(
          "stand-in agent for " + pod.getSpec().getNodeName() + " failed: " + e.getMessage());
    }
  }

  static final java.util.concurrent.atomic.AtomicInteger FAILED_WRITES =
      new java.util.concurrent.atomic.AtomicInteger();

  private static void writeEntry(KubernetesClient admin, Pod pod) {
    String node = pod.getSpec().getNodeName();
    List<String> args = pod.getSpec().getContainers().get(0).getArgs();
    long generation = Long.parseLong(args.get(args.indexOf("--generation") + 1));
    NodeStatus entry = new NodeStatus(node, NodePhase.Done);
    entry.setGeneration(generation);
    boolean haunted = node.endsWith("00");
    for (CheckKey key : CheckKey.values()) {
      // As the agent writes it: a Clear finding is compacted to check, target and verdict.
      Finding f = new Finding(key, target(key), FindingVerdict.Clear);
      if (haunted && key == CheckKey.PORT_OWNER) {
        f.setDurationMs(40L);
        f.setVerdict(FindingVerdict.Ghost);
        f.setGhost(GhostName.OrphanedPort);
        f.setSummary("port 8443 is held by PID 4242 (sleep 3600), not by java; its parent exited");
        f.evidence("pid", 4242)
            .evidence("command", "sleep 3600")
            .evidence("ppid", 1)
            .evidence("listen", "0.0.0.0:8443");
        f.setRemediation("kill 4242, then restart java");
      }
      entry.addFinding(f);
    }
    long t0 = System.nanoTime();
    // The agent's own write: its node's report status.
    AgentCommand.writeReport(
        admin, "hunts", args.get(args.indexOf("--report") + 1), entry, java.time.Instant.now());
    SSA_NANOS.addAndGet(System.nanoTime() - t0);
    WRITES.incrementAndGet();
    LAST_WRITE.set(System.nanoTime());
    admin
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .editStatus(
            p ->
                new PodBuilder(p)
                    .editOrNewStatus()
                    .withPhase("Succeeded")
                    .withContainerStatuses(
                        new ContainerStatusBuilder()
                            .withName("probe")
                            .withNewState()
                            .withNewTerminated()
                            .withExitCode(0)
                            .withReason("Completed")
                            .endTerminated()
                            .endState()
                            .build())
                    .endStatus()
                    .build());
  }

  private static String target(CheckKey key) {
    return switch (key) {
      case PORT_OWNER -> "tcp/8443";
      case LOOPBACK -> "localhost:8443";
      case HTTP2 -> "https://app.example.com:8443/health";
      // One of the node's own addresses, as the check writes it (the operator drops anything else).
      case DUPLICATE_IP -> "203.0.113.10";
      default -> "app.example.com";
    };
  }
}
