package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ghosthunt.agent.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the kubelets of lab nodes. For each probe pod bound to one of its nodes it does
 * what a kubelet would: marks the pod Running, mounts a token of the pod's service account (a real
 * TokenRequest), runs the container's command (the shipped ghosthunt jar) as a local process inside
 * the lab namespace that plays the node, kills it at activeDeadlineSeconds, and reports the phase
 * from its exit. Nodes it does not know never start their pods, as a dead kubelet would.
 */
public final class FakeKubelet implements AutoCloseable {

  /** How a lab node behaves. */
  public enum Mode { RUN, CRASH }

  private final KubernetesClient admin;
  private final String namespace;
  private final Map<String, LabHost> nodes;
  private final Map<String, Mode> modes = new ConcurrentHashMap<>();
  private final Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final List<Process> running = new ArrayList<>();
  private final SharedIndexInformer<Pod> informer;

  public FakeKubelet(KubernetesClient admin, String namespace, Map<String, LabHost> nodes, Path dir) {
    this.admin = admin;
    this.namespace = namespace;
    this.nodes = nodes;
    this.dir = dir;
    int apiPort = URI.create(admin.getConfiguration().getMasterUrl()).getPort();
    nodes.values().forEach(h -> h.relayFromRoot(apiPort));
    informer = admin.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        maybeStart(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        maybeStart(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        // a deleted pod's process ends with the lab
      }
    });
  }

  public FakeKubelet mode(String node, Mode mode) {
    modes.put(node, mode);
    return this;
  }

  private void maybeStart(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (node != null && nodes.containsKey(node) && pod.getMetadata().getDeletionTimestamp() != null) {
      // A live kubelet confirms a graceful deletion once the container is gone.
      pool.submit(() -> {
        try {
          admin.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
          // already gone
        }
      });
      return;
    }
    if (node == null || !nodes.containsKey(node) || pod.getMetadata().getDeletionTimestamp() != null
        || !started.add(pod.getMetadata().getUid())) {
      return;
    }
    pool.submit(() -> run(pod, nodes.get(node)));
  }

  private void run(Pod pod, LabHost host) {
    String name = pod.getMetadata().getName();
    try {
      setStatus(name, "Running", null, null);
      Path kubeconfig = kubeconfigFor(pod);
      List<String> args = pod.getSpec().getContainers().get(0).getArgs();
      int exit;
      String reason;
      if (modes.getOrDefault(pod.getSpec().getNodeName(), Mode.RUN) == Mode.CRASH) {
        exit = 137;
        reason = "OOMKilled";
      } else {
        Process p = host.startGhosthunt(Map.of("KUBECONFIG", kubeconfig.toString(), "NODE_NAME", pod.getSpec().getNodeName()),
            dir.resolve(name + ".log"), args.toArray(String[]::new));
        synchronized (running) {
          running.add(p);
        }
        Long deadline = pod.getSpec().getActiveDeadlineSeconds();
        if (deadline != null && !p.waitFor(deadline, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          setStatus(name, "Failed", null, "DeadlineExceeded");
          return;
        }
        p.waitFor();
        exit = p.exitValue();
        reason = exit == 0 ? "Completed" : "Error";
      }
      setStatus(name, exit == 0 ? "Succeeded" : "Failed", new int[] {exit}, reason);
    } catch (KubernetesClientException e) {
      // the pod was deleted under us (the hunt completed or went away)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void setStatus(String pod, String phase, int[] exit, String reason) {
    String now = Instant.now().toString();
    admin.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
      PodBuilder b = new PodBuilder(p);
      var status = b.editOrNewStatus().withPhase(phase).withStartTime(now);
      if ("DeadlineExceeded".equals(reason)) {
        status.withReason(reason).withMessage("Pod was active on the node longer than the specified deadline");
      }
      if (exit != null) {
        status.withContainerStatuses(new ContainerStatusBuilder().withName("probe").withReady(false).withRestartCount(0)
            .withImage(p.getSpec().getContainers().get(0).getImage()).withImageID("")
            .withNewState().withNewTerminated().withExitCode(exit[0]).withReason(reason).withFinishedAt(now)
            .endTerminated().endState().build());
      }
      return status.endStatus().build();
    });
  }

  /** A kubeconfig with a token of the pod's own service account, as the kubelet would mount. */
  private Path kubeconfigFor(Pod pod) {
    String sa = pod.getSpec().getServiceAccountName();
    String token = admin.serviceAccounts().inNamespace(namespace).withName(sa)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    return ControlPlane.tokenKubeconfig(admin, token, dir.resolve(pod.getMetadata().getName() + ".kubeconfig"));
  }

  @Override
  public void close() {
    informer.close();
    pool.shutdownNow();
    synchronized (running) {
      running.forEach(Process::destroyForcibly);
    }
  }
}
