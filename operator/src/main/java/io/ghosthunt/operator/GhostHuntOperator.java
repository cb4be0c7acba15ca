package io.ghosthunt.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.operator.metrics.HealthServer;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.observer.AdmissionPolicies;
import io.ghosthunt.operator.observer.InformerObserver;
import io.ghosthunt.operator.observer.OpenReportsApi;
import io.ghosthunt.operator.reconciler.EventRecorder;
import io.ghosthunt.operator.reconciler.GhostHuntReconciler;
import io.ghosthunt.operator.reconciler.KubernetesActor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires and runs the operator: plain constructors, no container. */
public final class GhostHuntOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GhostHuntOperator.class);

  /** The Lease that replicas compete for; only its holder reconciles. */
  public static final String LEASE_NAME = "ghosthunt-operator";

  private final Operator operator;
  private volatile boolean closing;
  private final KubernetesClient client;
  private final String leaseNamespace;
  private final String identity = identity();
  private KubernetesActor actor;

  /**
   * @param leaseNamespace where the leader-election Lease lives (the operator's own namespace), or
   *     null for a single replica without election
   */
  public GhostHuntOperator(
      KubernetesClient client,
      OperatorConfig config,
      OperatorMetrics metrics,
      String leaseNamespace) {
    this.client = client;
    this.leaseNamespace = leaseNamespace;
    operator = new Operator(o -> configure(o, client, metrics));
    operator.register(
        reconciler(client, config, metrics, Clock.systemUTC()),
        c -> {
          if (!config.watchNamespaces().isEmpty()) {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
  }

  private void configure(
      ConfigurationServiceOverrider o, KubernetesClient client, OperatorMetrics metrics) {
    o.withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withStopOnInformerErrorDuringStartup(true)
        // Reconcile counts and timings per controller, not per hunt: bounded series at any scale.
        .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
    if (leaseNamespace != null) {
      o.withLeaderElectionConfiguration(
          new LeaderElectionConfiguration(
              LEASE_NAME,
              leaseNamespace,
              LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
              LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
              LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
              identity,
              leaderCallbacks(),
              false));
    }
  }

  /**
   * A replica that loses its lease while running must stop reconciling at once: it exits and its
   * pod restarts as a follower. Stopping on purpose (close, SIGTERM) is not a loss.
   */
  private LeaderCallbacks leaderCallbacks() {
    return new LeaderCallbacks(
        () -> LOG.info("leading: this replica reconciles"),
        () -> {
          if (!closing) {
            LOG.error("lost the leader lease; exiting so that the pod restarts as a follower");
            new Thread(() -> System.exit(1), "lost-lease").start();
          }
        },
        leader -> LOG.info("leader is {}", leader));
  }

  /**
   * The reconciler with its collaborators: an observer over informer caches, the pure decisions,
   * and an actor that makes every write.
   */
  private GhostHuntReconciler reconciler(
      KubernetesClient client, OperatorConfig config, OperatorMetrics metrics, Clock clock) {
    InformerObserver observer =
        new InformerObserver(
            config,
            new AdmissionPolicies(client, clock),
            new OpenReportsApi(client, config.openReports(), clock));
    actor =
        new KubernetesActor(
            client, config, new EventRecorder(client), metrics, observer::informers);
    return new GhostHuntReconciler(observer, actor, clock, metrics);
  }

  public void start() {
    operator.start();
  }

  /** Why this replica is not ready, or null when it is: started, and every informer healthy. */
  public String unready() {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return "the operator has not started";
    }
    if (!info.allEventSourcesAreHealthy()) {
      return "unhealthy informers: " + info.unhealthyEventSources().keySet();
    }
    return null;
  }

  @Override
  public void close() {
    closing = true;
    operator.stop();
    actor.close();
    if (leaseNamespace != null) {
      releaseLease();
    }
  }

  /** The pod's name in a cluster (its HOSTNAME), else the machine's. */
  private static String identity() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "ghosthunt-operator-" + ProcessHandle.current().pid();
    }
  }

  /**
   * Hands the Lease over on a deliberate stop (a rolling update, a scale-down). JOSDK 5.2 stops
   * without releasing it, and the next replica waited it out, 15 s and more with no leader; this
   * releases it as fabric8's own elector does with releaseOnCancel: no holder, a one-second lease.
   */
  private void releaseLease() {
    try {
      LeaseLock lock = new LeaseLock(leaseNamespace, LEASE_NAME, identity);
      LeaderElectionRecord held = lock.get(client);
      if (held == null || !identity.equals(held.getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      LeaderElectionRecord released =
          new LeaderElectionRecord(
              null, Duration.ofSeconds(1), now, now, held.getLeaderTransitions());
      lock.update(client, released);
      LOG.info("released the leader lease");
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release the leader lease ({}); the next leader waits for it to expire",
          e.getMessage());
    }
  }

  /**
   * Installs (server-side applies) the CRDs this build carries and the policy that confines probes
   * to their own node's report (what the chart installs), and waits until the CRDs are served.
   */
  public static void installCrd(KubernetesClient client) throws IOException {
    installAdmissionPolicies(client);
    for (Map.Entry<String, String> crd : CRDS.entrySet()) {
      try (InputStream in =
          GhostHuntOperator.class.getResourceAsStream("/META-INF/fabric8/" + crd.getKey())) {
        CustomResourceDefinition def =
            client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        client.resource(def).fieldManager("ghosthunt-operator").forceConflicts().serverSideApply();
      }
      awaitEstablished(client, crd.getValue(), 60);
    }
  }

  /**
   * The CRD files this build carries (generated into META-INF/fabric8, committed under crds/), by
   * CRD name.
   */
  public static final Map<String, String> CRDS =
      java.util.Collections.unmodifiableMap(
          new java.util.LinkedHashMap<>(
              Map.of(
                  GhostHunt.CRD_FILE,
                  GhostHunt.CRD_NAME,
                  GhostHuntReport.CRD_FILE,
                  GhostHuntReport.CRD_NAME)));

  /** Waits until the API server serves a CRD (its Established condition). */
  public static void awaitEstablished(KubernetesClient client, String crdName, long seconds) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crdName)
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
            seconds,
            TimeUnit.SECONDS);
  }

  /** The chart's files/admission-policies.yaml, carried in the jar. */
  static final String ADMISSION_POLICIES = "admission-policies.yaml";

  /**
   * The ValidatingAdmissionPolicies and their bindings every installation needs: a probe writes
   * only its own round's report, and a node hunt needs the permission to hunt nodes.
   */
  public static void installAdmissionPolicies(KubernetesClient client) throws IOException {
    try (InputStream in = GhostHuntOperator.class.getResourceAsStream(ADMISSION_POLICIES)) {
      for (HasMetadata o : client.load(in).items()) {
        client.resource(o).fieldManager("ghosthunt-operator").forceConflicts().serverSideApply();
      }
    }
  }

  private static void releaseHunts() throws Exception {
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      String ns = System.getenv().getOrDefault("GHOSTHUNT_RELEASE_NAMESPACE", "ghosthunt");
      int released =
          Uninstall.releaseHunts(client, ns, config.watchNamespaces(), Duration.ofSeconds(120));
      System.out.println("released " + released + " hunts from the operator's finalizer");
    } catch (Exception e) {
      // Never the reason an uninstall fails: say what is left to do by hand, and let it go on.
      System.out.println(
          "could not release the hunts ("
              + e
              + "); to delete a hunt left behind: kubectl patch ghosthunt NAME -n NAMESPACE"
              + " --type=json -p '[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]'");
    }
  }

  private static final String USAGE =
      """
      Usage: ghosthunt operator [--install-crd | --release-hunts]

      Runs the GhostHunt operator against the current kubeconfig ($KUBECONFIG, ~/.kube/config, or
      the in-cluster service account).

        --install-crd   apply the GhostHunt and GhostHuntReport CRDs and the admission policies first
                        (what the chart installs; for local clusters and tests)
        --release-hunts stop the operator's Deployment (GHOSTHUNT_RELEASE_NAMESPACE) and remove
                        its finalizer from every hunt, so that hunts stay deletable once it is
                        uninstalled (the chart's pre-delete hook runs this)

      Environment: GHOSTHUNT_PROBE_NAMESPACE (default ghosthunt-system; must allow privileged pods),
      GHOSTHUNT_PROBE_IMAGE, GHOSTHUNT_PROBE_MODE (privileged|hardened), GHOSTHUNT_WATCH_NAMESPACES
      (comma-separated; default all), GHOSTHUNT_HTTP_PORT (/healthz, /readyz, /metrics; default 8080, 0
      off), GHOSTHUNT_LEADER_ELECTION_NAMESPACE (set it to run several replicas: a Lease there
      elects the one that reconciles).
      """;

  public static void main(String[] args) throws Exception {
    boolean installCrd = false;
    for (String a : args) {
      switch (a) {
        case "--install-crd" -> installCrd = true;
        case "--release-hunts" -> {
          releaseHunts();
          return;
        }
        case "-h", "--help" -> {
          System.out.print(USAGE);
          return;
        }
        case "--cds-training" -> {
          CdsTraining.run();
          // The operator's threads would keep the JVM up; the archive is written at exit.
          System.exit(0);
        }
        default -> {
          System.err.println("ghosthunt operator: unknown option " + a + " (see --help)");
          System.exit(2);
        }
      }
    }
    run(installCrd);
  }

  private static void run(boolean installCrd) throws IOException {
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    KubernetesClient client = operatorClient();
    if (installCrd) {
      installCrd(client);
    }
    OperatorMetrics metrics = new OperatorMetrics();
    String leaseNamespace =
        System.getenv().getOrDefault("GHOSTHUNT_LEADER_ELECTION_NAMESPACE", "").trim();
    GhostHuntOperator op =
        new GhostHuntOperator(
            client, config, metrics, leaseNamespace.isEmpty() ? null : leaseNamespace);
    HealthServer health = healthServer(metrics, op);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  op.close();
                  if (health != null) {
                    health.close();
                  }
                },
                "operator-stop"));
    op.start();
    LOG.info(
        "GhostHunt operator started; probes in namespace {} with image {}",
        config.probeNamespace(),
        config.probeImage());
  }

  /**
   * Status applies wait behind every probe's write to the same hunt object: a minute, not ten
   * seconds.
   */
  private static KubernetesClient operatorClient() {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(Config.autoConfigure(null)).withRequestTimeout(60_000).build())
        .build();
  }

  private static HealthServer healthServer(OperatorMetrics metrics, GhostHuntOperator op) {
    int port = Integer.parseInt(System.getenv().getOrDefault("GHOSTHUNT_HTTP_PORT", "8080"));
    if (port <= 0) {
      return null;
    }
    try {
      return new HealthServer(port, metrics, op::unready);
    } catch (IOException e) {
      // A local run beside a service on that port still hunts; in a pod the failing probes show it.
      LOG.warn(
          "no /healthz, /readyz, /metrics: cannot listen on port {} ({}); set GHOSTHUNT_HTTP_PORT",
          port,
          e.getMessage());
      return null;
    }
  }
}
