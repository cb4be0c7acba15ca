package io.ghosthunt.operator.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ghosthunt.api.GhostHunt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real kube-apiserver + etcd for the whole test run (JUnit extension), started from the
 * binaries that scripts/control-plane.sh built into kube-api-test's cache, never downloaded.
 * Tests get an admin {@link KubernetesClient} or this object as a parameter.
 */
public final class ControlPlane implements ParameterResolver, AutoCloseable, ExtensionContext.Store.CloseableResource {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ControlPlane.class);

  private final KubeAPIServer server;
  private final String kubeconfigYaml;
  private final KubernetesClient admin;
  private final List<ProcessHandle> own;

  /** A control plane outside JUnit (benchmarks); close it when done. */
  public static ControlPlane start() {
    return new ControlPlane();
  }

  private ControlPlane() {
    String version = System.getProperty("kube.version", "1.34.4");
    Path bin = binDir(version);
    if (!Files.isExecutable(bin.resolve("kube-apiserver")) || !Files.isExecutable(bin.resolve("etcd"))) {
      throw new IllegalStateException(
          "no kube-apiserver/etcd " + version + " in " + bin + ": run scripts/control-plane.sh build first");
    }
    server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion(version)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .build());
    Set<Long> before = controlPlaneProcesses().map(ProcessHandle::pid).collect(Collectors.toSet());
    server.start();
    // Ours are the ones that were not there before: several control planes may run in one JVM.
    own = controlPlaneProcesses().filter(p -> !before.contains(p.pid())).toList();
    // A test JVM that ends without closing us (a crash, a forgotten close) still takes them along.
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopOwn, "control-plane-stop"));
    kubeconfigYaml = server.getKubeConfigYaml();
    admin = clientFor(kubeconfigYaml);
  }

  private static java.util.stream.Stream<ProcessHandle> controlPlaneProcesses() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/kube-apiserver") || c.endsWith("/etcd")).orElse(false));
  }

  static Path binDir(String version) {
    return Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s", version + "-linux-amd64");
  }

  /** The real kubectl that was installed beside the API server. */
  public Path kubectl() {
    return binDir(System.getProperty("kube.version", "1.34.4")).resolve("kubectl");
  }

  public static KubernetesClient clientFor(String kubeconfigYaml) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
  }

  /** A kubeconfig for a bearer token against this API server (an agent's service account, say). */
  public static Path tokenKubeconfig(KubernetesClient admin, String token, Path file) {
    String ca = admin.getConfiguration().getCaCertData();
    if (ca == null && admin.getConfiguration().getCaCertFile() != null) {
      try {
        ca = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getConfiguration().getCaCertFile())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String yaml = """
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
        """.formatted(admin.getConfiguration().getMasterUrl(), ca, token);
    try {
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /** Installs the committed CRD (the one users apply) and waits until it is served. */
  public void installCrd() {
    Path crd = repo().resolve("crds").resolve(GhostHunt.CRD_FILE);
    try {
      CustomResourceDefinition def =
          admin.getKubernetesSerialization().unmarshal(Files.readString(crd), CustomResourceDefinition.class);
      admin.resource(def).serverSideApply();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(GhostHunt.CRD_NAME)
          .waitUntilCondition(
              c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
                  .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
              30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path repo() {
    String repo = System.getProperty("ghosthunt.repo");
    return repo != null ? Path.of(repo) : Path.of("..").toAbsolutePath().normalize();
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    Class<?> type = p.getParameter().getType();
    return type == ControlPlane.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    ControlPlane cp = c.getRoot().getStore(NS).getOrComputeIfAbsent(ControlPlane.class, k -> new ControlPlane(), ControlPlane.class);
    return p.getParameter().getType() == ControlPlane.class ? cp : cp.admin;
  }

  @Override
  public void close() {
    admin.close();
    server.stop();
    stopOwn();
  }

  /**
   * kube-api-test 7.5.2 returns from stop() with etcd and kube-apiserver still running: end our own
   * children by hand so that no control plane outlives the test run.
   */
  private void stopOwn() {
    own.forEach(p -> {
      p.destroy();
      p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> {
        p.destroyForcibly();
        return p;
      }).join();
    });
  }
}
