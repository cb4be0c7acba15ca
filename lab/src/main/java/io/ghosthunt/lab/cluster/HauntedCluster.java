package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.HauntedHouse;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A whole GhostHunt installation on one machine, as a user makes it: a whole cluster (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler; five real nodes, each a kubelet,
 * containerd and kube-proxy in a {@link HauntedHouse} lab host, with a pod network between them,
 * CoreDNS as its cluster DNS), and GhostHunt installed into it with {@code helm install} of
 * charts/ghosthunt-operator: the operator image this build made runs as the chart's Deployment.
 * What {@code ghosthunt demo} starts and the end-to-end tests use; {@link #close} removes all of
 * it.
 */
public final class HauntedCluster implements AutoCloseable {

  /** The chart's default probe namespace, which it creates. */
  public static final String PROBES = "ghosthunt-system";

  /** Where the release and the operator live. */
  public static final String NAMESPACE = "ghosthunt";

  public static final String RELEASE = "ghosthunt";
  public static final String DEPLOYMENT = "ghosthunt-operator";

  /** helm's own --timeout (180 s) and a margin for the client. */
  private static final Duration HELM_TIMEOUT = Duration.ofMinutes(4);

  /**
   * CoreDNS runs on node-a and forwards to its resolver: systemd-resolved's upstream, the unbound
   * authoritative for corp.test (a lab node's resolver is reachable from that node only).
   */
  public static final String DNS_NODE = "node-a";

  /** The node with the web server (labelled role=web). */
  public static final String WEB_NODE = "node-b";

  private final List<AutoCloseable> parts = new ArrayList<>();
  public final ControlPlane controlPlane;
  public final KubernetesClient client;
  public final HauntedHouse house;
  public final Path kubeconfig;

  /** Node name → the real node. */
  public final Map<String, LabNode> nodes = new LinkedHashMap<>();

  private final Path dir;
  private final int replicas;
  private boolean closed;
  private String installed;

  /** The cluster with GhostHunt installed by its chart, one operator replica. */
  public static HauntedCluster start(Path dir, Consumer<String> progress) {
    return new HauntedCluster(dir, progress, 1);
  }

  /** With {@code replicas} operator replicas (they elect a leader through a Lease). */
  public static HauntedCluster start(Path dir, Consumer<String> progress, int replicas) {
    return new HauntedCluster(dir, progress, replicas);
  }

  private HauntedCluster(Path dir, Consumer<String> progress, int replicas) {
    this.dir = dir;
    this.replicas = replicas;
    String version = Binaries.kubernetesVersion();
    List<Path> images = Images.forNodes();
    // The images' import and the control plane's start wait on different things: overlap them.
    java.util.concurrent.CompletableFuture<Void> imported =
        java.util.concurrent.CompletableFuture.runAsync(() -> LabNode.prepareImages(images));
    try {
      Files.createDirectories(dir);
      progress.accept(
          "starting the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler "
              + version
              + "), importing the images into the nodes' store meanwhile");
      controlPlane = ControlPlane.start();
      parts.add(controlPlane);
      client = controlPlane.admin();
      kubeconfig = controlPlane.kubeconfigFile(dir);

      progress.accept(
          "building the haunted house: five lab nodes in network namespaces, with unbound, systemd-resolved, nginx,"
              + " routers, a firewall and a squatter");
      Lab lab = new Lab();
      parts.add(0, lab);
      house = new HauntedHouse(lab);
      progress.accept(
          "starting five real nodes: kubelet "
              + version
              + ", containerd and kube-proxy in each lab namespace,"
              + " a pod network between them, the images "
              + Images.operator()
              + " and "
              + Images.probeAgent()
              + " imported");
      imported.join();
      for (Map.Entry<String, LabHost> n : house.nodes.entrySet()) {
        LabNode node =
            LabNode.start(controlPlane, n.getValue(), n.getKey(), LabNode.Setup.READY, images);
        parts.add(0, node);
        nodes.put(n.getKey(), node);
      }
      for (LabNode node : nodes.values()) {
        node.awaitReady(client, true, Duration.ofMinutes(2));
      }
      // What examples/every-check.yaml selects: the web node, as an admin labels it.
      client
          .nodes()
          .withName(WEB_NODE)
          .edit(
              n ->
                  new NodeBuilder(n)
                      .editMetadata()
                      .addToLabels("role", "web")
                      .endMetadata()
                      .build());
      progress.accept(
          "cluster DNS: CoreDNS "
              + Binaries.corednsVersion()
              + " as kubeadm deploys it (kube-system/coredns, Service kube-dns at "
              + LabNode.CLUSTER_DNS
              + "), on "
              + DNS_NODE
              + ", whose resolver it forwards to, and the web pods of default on "
              + HauntedPods.NODE
              + " (app=web): starting while helm installs");
      ClusterDns.deploy(client, DNS_NODE);
      HauntedPods.create(client);
      progress.accept(
          "helm install "
              + RELEASE
              + " charts/ghosthunt-operator --namespace "
              + NAMESPACE
              + " --create-namespace --set replicaCount="
              + replicas
              + " --wait");
      install();
      ClusterDns.awaitReady(client, Duration.ofMinutes(2));
      HauntedPods.awaitRunning(client, Duration.ofMinutes(2));
      // The nodes' start gave node-a addresses, which emptied its systemd-resolved's cache.
      house.resolved.haunt();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static Path chart() {
    return ControlPlane.repo().resolve("charts/ghosthunt-operator");
  }

  private void install() throws IOException {
    // node-d is the asymmetric lab's firewall: its forward policy drops what the lab did not allow,
    // pod traffic from other nodes included, as behind any such firewall. The operator's metrics
    // Service must answer from every node, so its pods go elsewhere.
    Path values =
        Files.writeString(
            dir.resolve("values.yaml"),
            """
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
                - matchExpressions:
                    - {key: kubernetes.io/hostname, operator: NotIn, values: [node-d]}
        """);
    List<String> args =
        new ArrayList<>(
            List.of(
                "install",
                RELEASE,
                chart().toString(),
                "--namespace",
                NAMESPACE,
                "--create-namespace",
                "--kubeconfig",
                kubeconfig.toString(),
                "--values",
                values.toString(),
                "--set",
                "replicaCount=" + replicas));
    args.addAll(Helm.set(new java.util.TreeMap<>(images())));
    args.addAll(List.of("--wait", "--timeout", "180s"));
    installed = Helm.run(args, HELM_TIMEOUT);
  }

  /**
   * The images this build made, as chart values (the chart's defaults name the same, unless the
   * build was retagged).
   */
  private static Map<String, Object> images() {
    String operator = Images.operator();
    String probe = Images.probeAgent();
    return Map.of(
        "image.repository",
        operator.substring(0, operator.lastIndexOf(':')),
        "image.tag",
        operator.substring(operator.lastIndexOf(':') + 1),
        "probes.image.repository",
        probe.substring(0, probe.lastIndexOf(':')),
        "probes.image.tag",
        probe.substring(probe.lastIndexOf(':') + 1));
  }

  /** {@code helm upgrade --reuse-values --set ... --wait}: rolls the operator's Deployment. */
  public void upgrade(Map<String, Object> values) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "upgrade",
                RELEASE,
                chart().toString(),
                "--namespace",
                NAMESPACE,
                "--kubeconfig",
                kubeconfig.toString(),
                "--reuse-values"));
    args.addAll(Helm.set(new java.util.TreeMap<>(values)));
    args.addAll(List.of("--wait", "--timeout", "180s"));
    Helm.run(args, HELM_TIMEOUT);
  }

  /**
   * The operator makes hardened probes (capabilities, read-only root) or privileged ones: a helm
   * upgrade.
   */
  public void probeMode(boolean hardened) {
    upgrade(Map.of("probes.mode", hardened ? "hardened" : "privileged"));
  }

  /** {@code helm uninstall}; returns Helm's message. */
  public String uninstall() {
    return Helm.run(
        List.of(
            "uninstall", RELEASE, "--namespace", NAMESPACE, "--kubeconfig", kubeconfig.toString()),
        HELM_TIMEOUT);
  }

  /**
   * {@code helm uninstall}, then a wait until what it removes is gone: the operator's Deployment
   * and pods, and the probe namespace (one still terminating would refuse the next install's).
   */
  public void uninstallAndWait() {
    uninstall();
    client
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .withName(DEPLOYMENT)
        .waitUntilCondition(Objects::isNull, 3, TimeUnit.MINUTES);
    client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/name", "ghosthunt-operator")
        .informOnCondition(List::isEmpty)
        .orTimeout(3, TimeUnit.MINUTES)
        .join();
    client.namespaces().withName(PROBES).waitUntilCondition(Objects::isNull, 3, TimeUnit.MINUTES);
  }

  /** The operator's pods that are not being deleted. */
  public List<Pod> operatorPods() {
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/name", "ghosthunt-operator")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /**
   * {@code helm install --wait} again, as {@link #start} did (after {@link #uninstallAndWait});
   * returns what it printed.
   */
  public String reinstall() {
    try {
      install();
      return installed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code helm install} printed (the chart's NOTES.txt among it). */
  public String installed() {
    return installed;
  }

  /** A Service's ClusterIP, as the API has it. */
  public String clusterIp(String namespace, String service) {
    return client
        .services()
        .inNamespace(namespace)
        .withName(service)
        .get()
        .getSpec()
        .getClusterIP();
  }

  /** The real kubectl against this cluster. */
  public Lab.Exec kubectl(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(controlPlane.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return Lab.exec(cmd, Duration.ofMinutes(5));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        // keep closing the rest: nothing may outlive the cluster
      }
    }
  }
}
