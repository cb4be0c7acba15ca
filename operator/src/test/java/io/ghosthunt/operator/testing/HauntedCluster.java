package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.agent.lab.HauntedHouse;
import io.ghosthunt.agent.lab.Lab;
import io.ghosthunt.agent.lab.LabHost;
import io.ghosthunt.operator.GhostHuntOperator;
import io.ghosthunt.operator.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A whole GhostHunt installation on one machine: the real control plane, the CRD, the probe
 * namespace, five real nodes (kubelet and containerd in each {@link HauntedHouse} lab host, running
 * the probe-agent image this build made), and the operator. What {@code ghosthunt demo} starts and
 * the end-to-end tests use; {@link #close} removes all of it.
 */
public final class HauntedCluster implements AutoCloseable {

  public static final String PROBES = "ghosthunt-system";

  private final List<AutoCloseable> parts = new ArrayList<>();
  public final ControlPlane controlPlane;
  public final KubernetesClient client;
  public final HauntedHouse house;
  public final Path kubeconfig;
  /** Node name → the real node. */
  public final Map<String, LabNode> nodes = new LinkedHashMap<>();
  private GhostHuntOperator operator;
  private boolean closed;

  public static HauntedCluster start(Path dir, Consumer<String> progress) {
    return new HauntedCluster(dir, progress, false);
  }

  /** With the probes in hardened mode (capabilities, read-only root) instead of privileged. */
  public static HauntedCluster start(Path dir, Consumer<String> progress, boolean hardened) {
    return new HauntedCluster(dir, progress, hardened);
  }

  private HauntedCluster(Path dir, Consumer<String> progress, boolean hardened) {
    try {
      Files.createDirectories(dir);
      progress.accept("starting the control plane (etcd, kube-apiserver " + System.getProperty("kube.version", "1.34.4") + ")");
      controlPlane = ControlPlane.start();
      parts.add(controlPlane);
      client = controlPlane.admin();
      kubeconfig = controlPlane.kubeconfigFile(dir);
      controlPlane.installCrd();
      controlPlane.probeNamespace(PROBES);

      progress.accept("building the haunted house: five lab nodes in network namespaces, with unbound, nginx,"
          + " routers, a firewall and a squatter");
      Lab lab = new Lab();
      parts.add(0, lab);
      house = new HauntedHouse(lab);
      progress.accept("starting five real nodes: kubelet " + System.getProperty("kube.version", "1.34.4")
          + " and containerd in each lab namespace, importing the probe-agent image " + Images.probeAgent());
      List<Path> images = Images.forNodes();
      for (Map.Entry<String, LabHost> n : house.nodes.entrySet()) {
        LabNode node = LabNode.start(controlPlane, n.getValue(), n.getKey(), LabNode.Setup.READY, images);
        parts.add(0, node);
        nodes.put(n.getKey(), node);
      }
      for (LabNode node : nodes.values()) {
        node.awaitReady(client, true, Duration.ofMinutes(2));
      }
      progress.accept("starting the operator");
      startOperator(hardened);
      parts.add(0, () -> operator.close());
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * (Re)starts the operator, its probes privileged or hardened: one cluster hunts in both modes.
   */
  public synchronized void startOperator(boolean hardened) {
    if (operator != null) {
      operator.close();
    }
    operator = new GhostHuntOperator(client, new OperatorConfig(PROBES, Images.probeAgent(), hardened, Set.of()));
    operator.start();
  }

  /** The real kubectl against this cluster. */
  public Lab.Exec kubectl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(controlPlane.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
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
