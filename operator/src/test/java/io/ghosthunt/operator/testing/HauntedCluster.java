package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.agent.lab.HauntedHouse;
import io.ghosthunt.agent.lab.Lab;
import io.ghosthunt.operator.GhostHuntOperator;
import io.ghosthunt.operator.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A whole GhostHunt installation on one machine: the real control plane, the CRD, the probe
 * namespace, five Ready nodes backed by the {@link HauntedHouse} lab, a stand-in kubelet that runs
 * the shipped agent in them, and the operator. What {@code ghosthunt demo} starts and the
 * end-to-end tests use; {@link #close} removes all of it.
 */
public final class HauntedCluster implements AutoCloseable {

  public static final String PROBES = "ghosthunt-system";

  private final List<AutoCloseable> parts = new ArrayList<>();
  public final ControlPlane controlPlane;
  public final KubernetesClient client;
  public final HauntedHouse house;
  public final Path kubeconfig;
  private boolean closed;

  public static HauntedCluster start(Path dir, Consumer<String> progress) {
    return new HauntedCluster(dir, progress);
  }

  private HauntedCluster(Path dir, Consumer<String> progress) {
    try {
      Files.createDirectories(dir);
      progress.accept("starting the control plane (etcd, kube-apiserver " + System.getProperty("kube.version", "1.34.4") + ")");
      controlPlane = ControlPlane.start();
      parts.add(controlPlane);
      client = controlPlane.admin();
      kubeconfig = controlPlane.kubeconfigFile(dir);
      controlPlane.installCrd();
      client.resource(new NamespaceBuilder().withNewMetadata().withName(PROBES)
          .addToLabels("pod-security.kubernetes.io/enforce", "privileged").endMetadata().build()).serverSideApply();

      progress.accept("building the haunted house: five lab nodes in network namespaces, with unbound, nginx,"
          + " routers, a firewall and a squatter");
      Lab lab = new Lab();
      parts.add(0, lab);
      house = new HauntedHouse(lab);
      for (String node : house.nodes.keySet()) {
        client.resource(new NodeBuilder().withNewMetadata().withName(node).addToLabels("kubernetes.io/os", "linux")
            .addToLabels("lab", "ghosthunt").endMetadata().build()).create();
        client.nodes().withName(node).editStatus(n -> new NodeBuilder(n).withNewStatus().addNewCondition()
            .withType("Ready").withStatus("True").withReason("KubeletReady").withMessage("lab node").endCondition()
            .endStatus().build());
      }
      Path logs = dir.resolve("probe-logs");
      Files.createDirectories(logs);
      parts.add(0, new FakeKubelet(client, PROBES, house.nodes, logs));

      progress.accept("starting the operator");
      GhostHuntOperator operator = new GhostHuntOperator(client, new OperatorConfig(PROBES, "ghosthunt/probe-agent:lab", false, Set.of()));
      operator.start();
      parts.add(0, operator::close);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
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
