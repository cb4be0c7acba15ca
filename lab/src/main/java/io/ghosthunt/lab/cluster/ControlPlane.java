package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.Teardown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real control plane, for the demo and for the whole test run: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler, started by {@code scripts/control-plane.sh up} from
 * the binaries its {@code build} compiled, never downloaded. The script's flags are a real
 * cluster's: RBAC, the ServiceAccount admission plugin (pods get a projected token and the cluster
 * CA), a Service range in a documentation prefix and a serving certificate for the {@code
 * kubernetes} Service's address, which lab nodes' pods dial. Tests get one through a JUnit
 * extension of their own module's test sources.
 */
public final class ControlPlane implements AutoCloseable {

  /**
   * The {@code kubernetes} Service's ClusterIP (the first address of the script's Service range).
   */
  public static final String KUBERNETES_SERVICE_IP = "203.0.113.225";

  /**
   * The address the API server advertises as the {@code kubernetes} Service's endpoint (lab nodes
   * relay it).
   */
  public static final String ADVERTISE_IP = "203.0.113.223";

  private Path state;
  private final String kubeconfigYaml;
  private final KubernetesClient admin;
  private final Teardown.Registration registration;
  private boolean closed;

  /** A whole control plane: close it when done. */
  public static ControlPlane start() {
    return new ControlPlane(true);
  }

  /**
   * etcd and the API server alone, no controller-manager or scheduler: for the scale benchmark,
   * whose nodes are Node objects without kubelets (a controller-manager would mark them Unknown).
   */
  public static ControlPlane apiServerOnly() {
    return new ControlPlane(false);
  }

  private final boolean controllers;

  private ControlPlane(boolean controllers) {
    this.controllers = controllers;
    String version = Binaries.kubernetesVersion();
    Path bin = Binaries.dir();
    if (!Files.isExecutable(bin.resolve("kube-apiserver"))
        || !Files.isExecutable(bin.resolve("etcd"))) {
      throw new IllegalStateException(
          "no kube-apiserver/etcd "
              + version
              + " in "
              + bin
              + ": run scripts/control-plane.sh build first");
    }
    // A JVM that ends without closing us (Ctrl-C while it starts, a crash, a forgotten close)
    // still stops etcd, the API server and the controllers: registered before the script starts
    // them (the hook kills a script still starting them, then runs down).
    registration =
        Teardown.make(
            "a control plane",
            () -> {
              Teardown.Registration r = Teardown.register("control plane", this::down);
              state = Files.createTempDirectory("ghosthunt-cp-");
              return r;
            });
    try {
      Lab.Exec up = script("up");
      if (up.exitCode() != 0) {
        throw new IllegalStateException("scripts/control-plane.sh up failed:\n" + up.output());
      }
      kubeconfigYaml = Files.readString(state.resolve("kubeconfig"));
      admin = clientFor(kubeconfigYaml);
    } catch (IOException | RuntimeException e) {
      if (!Teardown.interrupted()) {
        down();
        registration.close();
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private Lab.Exec script(String... command) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "env",
                "GHOSTHUNT_CP_DIR=" + state,
                "K8S_VERSION=" + Binaries.kubernetesVersion(),
                "GHOSTHUNT_CONTROLLERS=" + (controllers ? 1 : 0),
                repo().resolve("scripts/control-plane.sh").toString()));
    cmd.addAll(List.of(command));
    return Lab.exec(cmd, Duration.ofMinutes(3));
  }

  /**
   * A fault, for real: stops {@code etcd} or the {@code apiserver} process and starts the same one
   * again (same ports and data), returning once the API server is ready again.
   */
  public void restart(String part) {
    Lab.Exec r = script("restart", part);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("control-plane.sh restart " + part + ":\n" + r.output());
    }
  }

  /** The API server's port on the machine's loopback. */
  public int apiPort() {
    return URI.create(admin.getConfiguration().getMasterUrl()).getPort();
  }

  /** The real kubectl that was installed beside the API server. */
  public Path kubectl() {
    return Binaries.path("kubectl");
  }

  public static KubernetesClient clientFor(String kubeconfigYaml) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
  }

  /** A kubeconfig for a bearer token against this API server (an agent's service account, say). */
  public static Path tokenKubeconfig(KubernetesClient admin, String token, Path file) {
    String ca = admin.getConfiguration().getCaCertData();
    if (ca == null && admin.getConfiguration().getCaCertFile() != null) {
      try {
        ca =
            java.util.Base64.getEncoder()
                .encodeToString(
                    Files.readAllBytes(Path.of(admin.getConfiguration().getCaCertFile())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", certificate-authority-data: "%s"}
        users:
        - name: agent
          user: {token: "%s"}
        contexts:
        - name: test
          context: {cluster: test, user: agent}
        current-context: test
        """
            .formatted(admin.getConfiguration().getMasterUrl(), ca, token);
    try {
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client acting with a fresh token of the service account NAMESPACE/ACCOUNT. */
  public static KubernetesClient tokenClient(
      KubernetesClient admin, String namespace, String account) {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(account)
            .tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Path file = null;
    try {
      file = Files.createTempFile(account, ".kubeconfig");
      return clientFor(Files.readString(tokenKubeconfig(admin, token, file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      // It holds the token: read once, never left behind in /tmp.
      deleteQuietly(file);
    }
  }

  public KubernetesClient admin() {
    return admin;
  }

  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  /** Writes the admin kubeconfig to a file, for kubectl and for processes the tests start. */
  public Path kubeconfigFile(Path dir) {
    try {
      Path file = dir.resolve("kubeconfig");
      Files.writeString(file, kubeconfigYaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A plain namespace, applied server-side so that a second call is a no-op. */
  public void namespace(String namespace) {
    admin
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(namespace)
                .endMetadata()
                .build())
        .serverSideApply();
  }

  /**
   * The probe namespace as a cluster admin prepares it, labelled for Pod Security Admission level
   * privileged; returns once kube-controller-manager has published the kube-root-ca.crt ConfigMap
   * that pods' projected service-account volumes mount.
   */
  public void probeNamespace(String namespace) {
    admin
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(namespace)
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged")
                .endMetadata()
                .build())
        .serverSideApply();
    awaitRootCa(namespace);
  }

  /** Waits for kube-controller-manager to publish kube-root-ca.crt into a namespace. */
  public void awaitRootCa(String namespace) {
    admin
        .configMaps()
        .inNamespace(namespace)
        .withName("kube-root-ca.crt")
        .waitUntilCondition(java.util.Objects::nonNull, 30, TimeUnit.SECONDS);
  }

  public static Path repo() {
    String repo = System.getProperty("ghosthunt.repo");
    return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
  }

  /**
   * Stops etcd, the API server and the controllers and removes their state. It may run twice: a
   * close that the JVM's stop interrupted on another thread leaves the rest to {@link Teardown}'s
   * hook, which runs down again.
   */
  @Override
  public synchronized void close() {
    if (closed || Teardown.interrupted()) {
      return;
    }
    admin.close();
    down();
    if (Teardown.interrupted()) {
      return;
    }
    closed = true;
    registration.close();
  }

  private void down() {
    if (state == null) {
      return;
    }
    script("down");
    // A part that the script started a moment before a Ctrl-C reached the whole process group has
    // no pid file (the script died before writing it), ignores SIGINT (a shell's background job)
    // and is no longer the script's descendant: found by its folder on its command line.
    String folder = state.toString();
    List<ProcessHandle> left = Teardown.naming(folder);
    left.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : left) {
      try {
        p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        // gone already, or still there: the folder goes regardless
      }
    }
    if (Files.exists(state)) {
      Lab.exec(List.of("rm", "-rf", folder), Duration.ofMinutes(1));
    }
  }

  /** Deletes a file of credentials, if there is one. */
  public static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
