package io.ghosthunt.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.controller.GhostHuntReconciler;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires and runs the operator: plain constructors, no container. */
public final class GhostHuntOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GhostHuntOperator.class);

  private final Operator operator;

  public GhostHuntOperator(KubernetesClient client, OperatorConfig config) {
    operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withStopOnInformerErrorDuringStartup(true));
    operator.register(new GhostHuntReconciler(client, config, Clock.systemUTC()), c -> {
      if (!config.watchNamespaces().isEmpty()) {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
  }

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
  }

  /** Installs (server-side applies) the CRD this build carries and waits until it is served. */
  public static void installCrd(KubernetesClient client) throws IOException {
    try (InputStream in = GhostHuntOperator.class.getResourceAsStream("/META-INF/fabric8/" + GhostHunt.CRD_FILE)) {
      CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      client.resource(crd).fieldManager("ghosthunt-operator").forceConflicts().serverSideApply();
    }
    client.apiextensions().v1().customResourceDefinitions().withName(GhostHunt.CRD_NAME).waitUntilCondition(
        c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions()
            .stream().anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
        60, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    boolean installCrd = false;
    for (String a : args) {
      switch (a) {
        case "--install-crd" -> installCrd = true;
        case "-h", "--help" -> {
          System.out.print("""
              Usage: ghosthunt operator [--install-crd]

              Runs the GhostHunt operator against the current kubeconfig ($KUBECONFIG, ~/.kube/config, or
              the in-cluster service account).

                --install-crd   apply the GhostHunt CRD first (for local clusters and tests)

              Environment: GHOSTHUNT_PROBE_NAMESPACE (default ghosthunt-system; must allow privileged pods),
              GHOSTHUNT_PROBE_IMAGE, GHOSTHUNT_PROBE_MODE (privileged|hardened), GHOSTHUNT_WATCH_NAMESPACES
              (comma-separated; default all).
              """);
          return;
        }
        default -> {
          System.err.println("ghosthunt operator: unknown option " + a + " (see --help)");
          System.exit(2);
        }
      }
    }
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    // Status applies wait behind every probe's write to the same hunt object: a minute, not ten seconds.
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.autoConfigure(null)).withRequestTimeout(60_000).build()).build();
    if (installCrd) {
      installCrd(client);
    }
    GhostHuntOperator op = new GhostHuntOperator(client, config);
    Runtime.getRuntime().addShutdownHook(new Thread(op::close, "operator-stop"));
    op.start();
    LOG.info("GhostHunt operator started; probes in namespace {} with image {}", config.probeNamespace(), config.probeImage());
  }
}
