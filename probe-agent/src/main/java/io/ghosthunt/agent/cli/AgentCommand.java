package io.ghosthunt.agent.cli;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ghosthunt.agent.check.Check;
import io.ghosthunt.agent.check.CheckRunner;
import io.ghosthunt.agent.check.ConfigMaps;
import io.ghosthunt.agent.redact.Redactor;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ProbeTimeline;
import io.ghosthunt.api.status.ReportBounds;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ghosthunt agent}: the probe pod's entry point. Reads its hunt, runs the checks on this
 * node and server-side-applies this node's entry of status.nodes, as its own field manager, so that
 * concurrent agents never clobber each other.
 */
public final class AgentCommand {

  private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

  public static final String HELP =
      """
      Usage: ghosthunt agent --hunt NAMESPACE/NAME --node NODE --report NAME [--generation G]
                             [--timeout SECONDS] [--host-etc DIR] [--pods NAME/UID/REPORT,...]
                             [--services JSON]

      The probe pod's mode: reads the GhostHunt from the API server (in-cluster service account, or
      $KUBECONFIG), runs its checks on this node and writes them into the status of this node's
      GhostHuntReport (kubectl get ghr), which the operator created for it. The operator starts it;
      run it by hand only to debug a probe.

        --hunt NS/NAME     the GhostHunt to run
        --node NODE        this node's name (the pod gets it from the downward API)
        --report NAME      this node's GhostHuntReport, in the hunt's namespace
        --generation G     the spec generation the pod was made for; a newer spec makes it exit
        --timeout SECONDS  bound for the checks (default: spec.timeoutSeconds)
        --host-etc DIR     where the node's /etc is mounted (the probe pod mounts it at /host/etc):
                           the dns check reads the node's resolv.conf and hosts file there, not
                           the pod's own, following their links as the node would (a link into
                           /run/systemd/resolve, mounted next to it); a link elsewhere is named in
                           the finding, not followed into this pod's files (default: /etc)
        --pods LIST        a pod hunt: the checks run inside each of these pods' network
                           namespace (nsenter, from a process of the pod found by its UID through
                           host PID), with the pod's own resolv.conf and hosts; each pod's findings
                           go into the report named after it. --report is then not used.
        --services JSON    in a pod hunt, what the API said of the Services the dns names may
                           name and of kube-system/kube-dns when the operator made this probe
                           (the probe has no right to read Services): a Service name's answer is
                           compared with its ClusterIP

      Exit codes: 0 the entry was written (whatever was found), 2 it could not be. Stopped by
      SIGTERM (the pod's deadline, or its deletion) before that, it says on stderr what it was doing,
      which the pod's termination message carries to the operator.
      """;

  static final String FIELD_MANAGER = "ghosthunt-agent";

  private final Function<Path, List<Check>> checks;
  private final PrintStream out;

  /** What the agent is doing now, for its last words if SIGTERM comes first. */
  private volatile String doing = "starting";

  private volatile boolean finished;

  /**
   * @param checks the checks, given the folder that holds the node's /etc
   */
  public AgentCommand(Function<Path, List<Check>> checks, PrintStream out) {
    this.checks = checks;
    this.out = out;
  }

  public int run(String[] argv) throws UsageException {
    Args args =
        Args.parse(
            argv,
            Set.of(
                "hunt", "node", "report", "generation", "timeout", "host-etc", "pods", "services"),
            Set.of("help"),
            Map.of("h", "help"));
    if (args.has("help")) {
      out.print(HELP);
      return 0;
    }
    String ref = args.get("hunt");
    if (ref == null || !ref.contains("/")) {
      throw new UsageException("--hunt NAMESPACE/NAME is required");
    }
    String node = args.get("node") != null ? args.get("node") : System.getenv("NODE_NAME");
    if (node == null || node.isBlank()) {
      throw new UsageException("--node NODE (or $NODE_NAME) is required");
    }
    List<PodHunt.Target> pods = args.has("pods") ? PodHunt.Target.parse(args.get("pods")) : null;
    ServiceFacts services;
    try {
      services =
          args.has("services") ? ServiceFacts.decode(args.get("services")) : ServiceFacts.NONE;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String report = args.get("report");
    if (pods == null && (report == null || report.isBlank())) {
      throw new UsageException("--report NAME is required (or --pods for a pod hunt)");
    }
    Path etc = Path.of(args.get("host-etc") != null ? args.get("host-etc") : "/etc");
    if (!Files.isDirectory(etc)) {
      throw new UsageException("--host-etc " + etc + " is not a directory");
    }
    lastWordsFor(node);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      GhostHunt hunt = readHunt(client, ref, args);
      if (hunt == null) {
        return 2;
      }
      return pods != null
          ? huntPods(client, hunt, pods, services, node, args)
          : huntNode(client, hunt, node, report, etc, args);
    } catch (KubernetesClientException e) {
      System.err.println(Redactor.redact("ghosthunt agent: " + describe(e)));
      return 2;
    } finally {
      finished = true;
    }
  }

  /**
   * Transient API errors (a restarting API server, a 5xx) are retried by the client with backoff.
   * One hunt object takes every node's write, so an apply can wait behind hundreds of others: give
   * it a minute rather than the client's default ten seconds.
   */
  private static Config config() {
    return new ConfigBuilder(Config.autoConfigure(null))
        .withRequestRetryBackoffLimit(6)
        .withRequestRetryBackoffInterval(500)
        .withRequestTimeout(60_000)
        .build();
  }

  /**
   * The hunt {@code NAMESPACE/NAME}, or null (said on stderr) when it is gone or at another
   * generation than the one this probe was made for.
   */
  private GhostHunt readHunt(KubernetesClient client, String ref, Args args) {
    doing = "reading GhostHunt " + ref + " from " + client.getMasterUrl();
    GhostHunt hunt =
        client
            .resources(GhostHunt.class)
            .inNamespace(ref.substring(0, ref.indexOf('/')))
            .withName(ref.substring(ref.indexOf('/') + 1))
            .get();
    if (hunt == null) {
      System.err.println("ghosthunt agent: GhostHunt " + ref + " not found");
      return null;
    }
    long generation = hunt.getMetadata().getGeneration();
    if (args.has("generation") && Long.parseLong(args.get("generation")) != generation) {
      System.err.println(
          "ghosthunt agent: GhostHunt "
              + ref
              + " is at generation "
              + generation
              + ", this probe was made for "
              + args.get("generation")
              + ": the operator starts a new probe");
      return null;
    }
    return hunt;
  }

  /** The pod's termination message, should SIGTERM come before the report is written. */
  private void lastWordsFor(String node) {
    Instant started = Instant.now();
    Thread lastWords =
        new Thread(
            () -> {
              if (!finished) {
                // The pod's termination message: it reaches the operator, and its events.
                System.err.println(
                    Redactor.redact(
                        "ghosthunt agent: stopped after "
                            + Duration.between(started, Instant.now()).toSeconds()
                            + " s while "
                            + doing
                            + "; nothing was written for node "
                            + node));
              }
            },
            "agent-last-words");
    Runtime.getRuntime().addShutdownHook(lastWords);
  }

  /**
   * The checks on this node, into its report with their timeline; 0 when they ran and the report
   * was written.
   */
  private int huntNode(
      KubernetesClient client, GhostHunt hunt, String node, String report, Path etc, Args args) {
    String namespace = hunt.getMetadata().getNamespace();
    Instant checksStarted = null;
    Instant checksFinished = null;
    NodeStatus entry;
    try {
      ResolvedHunt resolved = HuntResolver.resolve(hunt.getSpec());
      doing = "running the checks " + resolved.keys();
      checksStarted = Instant.now();
      entry =
          new CheckRunner(checks.apply(etc))
              .run(resolved, node, timeout(hunt, args), configMapsIn(client, namespace));
      checksFinished = Instant.now();
      FindingsTable.print(out, hunt.getMetadata().getName(), entry, resolved.skipped());
    } catch (InvalidHuntException e) {
      entry = new NodeStatus(node, NodePhase.Failed);
      entry.setMessage("the hunt cannot run: " + e.getMessage());
    }
    entry.setGeneration(hunt.getMetadata().getGeneration());
    doing = "writing GhostHuntReport " + namespace + "/" + report + " to " + client.getMasterUrl();
    writeReport(
        client,
        namespace,
        report,
        compact(entry),
        timeline(checksStarted, checksFinished),
        Instant.now());
    LOG.info("wrote the findings of node {} into GhostHuntReport {}/{}", node, namespace, report);
    return entry.getPhase() == NodePhase.Done ? 0 : 2;
  }

  /** --timeout, else the hunt's timeoutSeconds. */
  private static Duration timeout(GhostHunt hunt, Args args) {
    return Duration.ofSeconds(
        args.has("timeout")
            ? Long.parseLong(args.get("timeout"))
            : hunt.getSpec().timeoutSecondsOrDefault());
  }

  /**
   * This probe's timeline: its process's start (the JVM's, which the container's start is, to the
   * millisecond) and its checks' start and end (null when they never ran).
   */
  static ProbeTimeline timeline(Instant checksStarted, Instant checksFinished) {
    return new ProbeTimeline(
        Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()),
        checksStarted,
        checksFinished);
  }

  /**
   * Each pod's findings into its own report, as soon as they are known; 0 when every report was
   * written.
   */
  private int huntPods(
      KubernetesClient client,
      GhostHunt hunt,
      List<PodHunt.Target> pods,
      ServiceFacts services,
      String node,
      Args args) {
    String namespace = hunt.getMetadata().getNamespace();
    long generation = hunt.getMetadata().getGeneration();
    int[] failed = {0};
    PodHunt.Done write =
        (t, entry, checksStarted) -> {
          Instant checksFinished = checksStarted == null ? null : Instant.now();
          entry.setGeneration(generation);
          doing =
              "writing GhostHuntReport " + namespace + "/" + t.report() + " (pod " + t.pod() + ")";
          // Printed first, as on a node: the log keeps what compact() and the bounds cut.
          FindingsTable.print(out, hunt.getMetadata().getName(), entry, List.of());
          ProbeTimeline timeline = timeline(checksStarted, checksFinished);
          writeReport(client, namespace, t.report(), compact(entry), timeline, Instant.now());
          failed[0] += entry.getPhase() == NodePhase.Done ? 0 : 1;
        };
    try {
      HuntResolver.resolve(hunt.getSpec());
    } catch (InvalidHuntException e) {
      for (PodHunt.Target t : pods) {
        NodeStatus entry = new NodeStatus(node, NodePhase.Failed);
        entry.setPod(t.pod());
        entry.setMessage("the hunt cannot run: " + e.getMessage());
        write.accept(t, entry, null);
      }
      return 2;
    }
    try {
      doing = "hunting inside pods " + pods.stream().map(PodHunt.Target::pod).toList();
      new PodHunt(
              new io.ghosthunt.agent.host.PodProcesses(),
              node,
              Path.of(System.getProperty("java.io.tmpdir")))
          .run(
              hunt,
              pods,
              Instant.now().plus(timeout(hunt, args)),
              caBundle(client, hunt),
              services,
              write);
    } catch (IOException e) {
      System.err.println(Redactor.redact("ghosthunt agent: " + e.getMessage()));
      return 2;
    }
    return failed[0] == 0 ? 0 : 2;
  }

  /**
   * The CA bundle an http2 check names, read once here: the children inside the pods have no API
   * access.
   */
  private static byte[] caBundle(KubernetesClient client, GhostHunt hunt) throws IOException {
    var checks = hunt.getSpec().getChecks();
    if (checks == null
        || checks.getHttp2() == null
        || checks.getHttp2().getCaBundleConfigMap() == null) {
      return null;
    }
    var ref = checks.getHttp2().getCaBundleConfigMap();
    return configMapsIn(client, hunt.getMetadata().getNamespace())
        .read(ref.getName(), ref.keyOrDefault());
  }

  /**
   * ConfigMaps of the hunt's namespace, through the API server; the agent's Role allows exactly the
   * one the spec names. A CA bundle may sit in data or, as binary, in binaryData.
   */
  static ConfigMaps configMapsIn(KubernetesClient client, String namespace) {
    return (name, key) -> {
      ConfigMap map;
      try {
        map = client.configMaps().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        throw new IOException("ConfigMap " + namespace + "/" + name + ": " + describe(e), e);
      }
      if (map == null) {
        throw new IOException("ConfigMap " + namespace + "/" + name + " not found");
      }
      if (map.getData() != null && map.getData().containsKey(key)) {
        return map.getData().get(key).getBytes(StandardCharsets.UTF_8);
      }
      if (map.getBinaryData() != null && map.getBinaryData().containsKey(key)) {
        return Base64.getDecoder().decode(map.getBinaryData().get(key));
      }
      throw new IOException("ConfigMap " + namespace + "/" + name + " has no key " + key);
    };
  }

  /**
   * An API failure in words: the HTTP status when there was one, else the root cause (TLS,
   * connect).
   */
  static String describe(KubernetesClientException e) {
    if (e.getCode() > 0) {
      return "the API server answered " + e.getCode() + ": " + e.getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "cannot reach the API server: " + root + " (" + e.getMessage().strip() + ")";
  }

  /**
   * What goes into the cluster: a Clear finding keeps its check, target, verdict and duration; its
   * summary and evidence stay in this pod's log, so that a thousand nodes' reports stay small;
   * ghosts and unsure findings keep everything (their evidence is already bounded per finding).
   */
  static NodeStatus compact(NodeStatus entry) {
    if (entry.getFindings() != null) {
      for (io.ghosthunt.api.status.Finding f : entry.getFindings()) {
        if (f.getVerdict() == io.ghosthunt.api.status.FindingVerdict.Clear) {
          f.setSummary(null);
          f.setEvidence(null);
        }
      }
    }
    return entry;
  }

  /**
   * This node's findings into the status of its report, from a fresh object holding name, namespace
   * and status: the report's spec and labels are the operator's. The entry is first brought within
   * the report's bounds (the CRD's, which the API server enforces): what that cuts stays in this
   * pod's log, which has every finding in full.
   */
  public static void writeReport(
      KubernetesClient client, String namespace, String report, NodeStatus entry, Instant at) {
    writeReport(client, namespace, report, entry, null, at);
  }

  /** The same, with the probe's timeline (null: none). */
  public static void writeReport(
      KubernetesClient client,
      String namespace,
      String report,
      NodeStatus entry,
      ProbeTimeline timeline,
      Instant at) {
    int cut = ReportBounds.fit(entry);
    if (cut > 0) {
      LOG.info(
          "{} findings cut to fit report {}/{} within its bounds (the log above has them whole)",
          cut,
          namespace,
          report);
    }
    GhostHuntReport patch = new GhostHuntReport();
    patch.setMetadata(new ObjectMetaBuilder().withName(report).withNamespace(namespace).build());
    patch.setStatus(reportStatus(entry, timeline, at));
    client
        .resource(patch)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(FIELD_MANAGER)
                .withForce(true)
                .build());
  }

  /**
   * What a report holds, redacted ({@link Redactor}), the entry in place: every write into the
   * cluster passes here, so that no path around the check runner (a pod hunt's failure message with
   * its child's stderr, an entry read back from a child's JSON) writes an unredacted word.
   */
  static GhostHuntReportStatus reportStatus(NodeStatus entry, ProbeTimeline timeline, Instant at) {
    GhostHuntReportStatus status = GhostHuntReportStatus.of(Redactor.redact(entry), at.toString());
    status.setTimeline(timeline);
    return status;
  }
}
