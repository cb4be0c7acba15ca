package io.ghosthunt.agent.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.ghosthunt.agent.redact.Redactor;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ghosthunt hunt}: a hunt in the cluster for a CI pipeline. Creates the GhostHunt (or runs
 * it again), waits for Complete, prints the verdict per node, writes JUnit XML, and says it all in
 * its exit code.
 */
public final class HuntCommand {

  public static final String HELP =
      """
      Usage: ghosthunt hunt -f FILE [--kubeconfig K] [--namespace N] [--wait] [--timeout D]
                            [--junit FILE] [--output table|json]

      Runs a GhostHunt in the cluster, for people and for CI pipelines. The hunt in FILE is created;
      one of the same name that already exists is deleted first, so every call is a fresh hunt. A
      hunt with spec.schedule runs at once (annotation ghosthunt.io/run-now), then on its schedule.

        -f, --file FILE       the GhostHunt YAML ('-' reads stdin)
            --kubeconfig K    kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, in-cluster)
        -n, --namespace N     namespace (default: the file's, else the kubeconfig's, else default)
            --wait            wait until the hunt is Complete and report (implied by --junit)
            --timeout D       how long to wait: 90s, 5m, 1h or seconds (default: spec.timeoutSeconds + 60s)
            --junit FILE      write JUnit XML: one test case per node and check, a ghost is a failure
        -o, --output FORMAT   table (default) or json (the hunt's status)
        -h, --help            this help

      Exit codes (as ghosthunt check): 0 no ghost, every check ran (Clear or Inconclusive), 1 a
      ghost, 2 bad input, an error (a check that could not run, a node that could not be hunted, the
      hunt Failed) or the wait timed out. Without --wait: 0 once the hunt is created.

      The same with kubectl alone:
        kubectl delete ghosthunt NAME --ignore-not-found --wait && kubectl apply -f FILE
        kubectl wait --for=condition=Complete ghosthunt/NAME --timeout=5m
        kubectl get ghosthunt NAME -o jsonpath='{.status.verdict}'
      and a scheduled hunt that exists runs now with
        kubectl annotate ghosthunt NAME ghosthunt.io/run-now="$(date -u +%FT%TZ)" --overwrite
      """;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;

  public HuntCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public int run(String[] argv) throws UsageException {
    Args args =
        Args.parse(
            argv,
            Set.of("file", "kubeconfig", "namespace", "timeout", "junit", "output"),
            Set.of("wait", "help"),
            Map.of("f", "file", "n", "namespace", "o", "output", "h", "help"));
    if (args.has("help")) {
      out.print(HELP);
      return 0;
    }
    if (!args.has("file")) {
      throw new UsageException("-f FILE is required: the GhostHunt to run");
    }
    String output = args.has("output") ? args.get("output") : "table";
    if (!output.equals("table") && !output.equals("json")) {
      throw new UsageException("--output must be table or json, not '" + output + "'");
    }
    GhostHunt hunt = HuntFiles.read(args.get("file"));
    try {
      HuntResolver.resolve(hunt.getSpec());
    } catch (InvalidHuntException e) {
      throw new UsageException("the hunt cannot run:\n  - " + String.join("\n  - ", e.problems()));
    }
    String name = hunt.getMetadata() == null ? null : hunt.getMetadata().getName();
    if (name == null || name.isBlank()) {
      throw new UsageException(args.get("file") + ": metadata.name is required");
    }
    boolean wait = args.has("wait") || args.has("junit");
    Duration timeout =
        args.has("timeout")
            ? duration(args.get("timeout"))
            : Duration.ofSeconds(hunt.getSpec().timeoutSecondsOrDefault() + 60L);

    Config config;
    try {
      // A pipeline wants a quick no: two retries, not the client's default backoff of ten.
      config =
          new io.fabric8.kubernetes.client.ConfigBuilder(
                  args.has("kubeconfig")
                      ? Config.fromKubeconfig(Files.readString(Path.of(args.get("kubeconfig"))))
                      : Config.autoConfigure(null))
              .withRequestRetryBackoffLimit(2)
              .build();
    } catch (IOException e) {
      throw new UsageException(
          "cannot read --kubeconfig " + args.get("kubeconfig") + ": " + e.getMessage());
    }
    String namespace =
        args.has("namespace")
            ? args.get("namespace")
            : hunt.getMetadata().getNamespace() != null
                ? hunt.getMetadata().getNamespace()
                : config.getNamespace() != null ? config.getNamespace() : "default";

    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      Resource<GhostHunt> ref =
          client.resources(GhostHunt.class).inNamespace(namespace).withName(name);
      if (ref.get() != null) {
        err.printf(
            "ghosthunt: deleting the earlier GhostHunt %s/%s to hunt again%n", namespace, name);
        ref.delete();
        // The operator's finalizer removes the earlier hunt's probes before the object goes.
        ref.waitUntilCondition(Objects::isNull, Math.max(1, timeout.toSeconds()), TimeUnit.SECONDS);
      }
      GhostHunt fresh = new GhostHunt();
      fresh.setMetadata(
          new ObjectMetaBuilder()
              .withName(name)
              .withNamespace(namespace)
              .withLabels(hunt.getMetadata().getLabels())
              .withAnnotations(runNow(hunt))
              .build());
      fresh.setSpec(hunt.getSpec());
      GhostHunt created = client.resource(fresh).create();
      long generation =
          created.getMetadata().getGeneration() == null ? 1 : created.getMetadata().getGeneration();
      err.printf(
          "ghosthunt: created GhostHunt %s/%s%s%n",
          namespace,
          name,
          hunt.getSpec().getSchedule() == null
              ? ""
              : " (scheduled: its first run starts now, asked for by "
                  + GhostHunt.RUN_NOW
                  + ", then on its schedule)");
      if (!wait) {
        return 0;
      }
      AtomicReference<String> shown = new AtomicReference<>("");
      GhostHunt done;
      try {
        done =
            ref.waitUntilCondition(
                h -> {
                  if (h == null || h.getStatus() == null) {
                    return false;
                  }
                  String progress =
                      h.getStatus().getPhase()
                          + " "
                          + Objects.toString(h.getStatus().getProgress(), "");
                  if (!progress.equals(shown.getAndSet(progress))) {
                    err.printf(
                        "ghosthunt: %s/%s %s (nodes decided/targeted)%n",
                        namespace, name, progress.trim());
                  }
                  return Objects.equals(h.getStatus().getObservedGeneration(), generation)
                      && (h.getStatus().getPhase() == HuntPhase.Complete
                          || h.getStatus().getPhase() == HuntPhase.Failed);
                },
                Math.max(1, timeout.toSeconds()),
                TimeUnit.SECONDS);
      } catch (KubernetesClientTimeoutException e) {
        err.printf(
            "ghosthunt: GhostHunt %s/%s did not complete within %d s (last: %s)%n",
            namespace, name, timeout.toSeconds(), shown.get());
        return 2;
      }
      GhostHuntStatus status = redacted(withReports(client, done));
      if (args.has("junit")) {
        Path junit = Path.of(args.get("junit"));
        try {
          Files.writeString(junit, JUnitReport.of(namespace, name, status));
        } catch (IOException e) {
          err.printf("ghosthunt: cannot write --junit %s: %s%n", junit, e.getMessage());
          return 2;
        }
      }
      print(name, status, output);
      return exitCode(status);
    } catch (KubernetesClientException e) {
      err.println("ghosthunt: " + AgentCommand.describe(e));
      if (e.getCode() <= 0) {
        err.println(
            "ghosthunt: the API server was "
                + config.getMasterUrl()
                + (args.has("kubeconfig")
                    ? ""
                    : " (from $KUBECONFIG, ~/.kube/config or the in-cluster account: point --kubeconfig at your cluster)"));
      }
      return 2;
    }
  }

  /**
   * The hunt's status with every node's entry: the hunt object keeps only the haunted and the
   * unhunted nodes; each node's whole findings are in its GhostHuntReport.
   */
  public static GhostHuntStatus withReports(KubernetesClient client, GhostHunt hunt) {
    GhostHuntStatus status = hunt.getStatus();
    long generation = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
    Map<String, NodeStatus> nodes = new TreeMap<>();
    for (GhostHuntReport r :
        client
            .resources(GhostHuntReport.class)
            .inNamespace(hunt.getMetadata().getNamespace())
            .withLabel(GhostHuntReport.HUNT_UID_LABEL, hunt.getMetadata().getUid())
            .withLabel(GhostHuntReport.GENERATION_LABEL, Long.toString(generation))
            .list()
            .getItems()) {
      if (r.getStatus() != null && r.getStatus().getPhase() != null) {
        nodes.put(
            r.getSpec().key(),
            r.getStatus().toNodeStatus(r.getSpec().getNode(), r.getSpec().getPod(), generation));
      }
    }
    // Nodes the operator decided (not hunted) have no findings of their own.
    for (NodeStatus n : status.getNodes() == null ? List.<NodeStatus>of() : status.getNodes()) {
      nodes.putIfAbsent(n.key(), n);
    }
    status.setNodes(nodes.isEmpty() ? null : new ArrayList<>(nodes.values()));
    return status;
  }

  /**
   * The hunt's summary and every node's entry redacted, in place, before they are printed or
   * written to JUnit XML: the probes redact what they write, this covers reports an older probe
   * wrote.
   */
  static GhostHuntStatus redacted(GhostHuntStatus status) {
    status.setSummary(Redactor.redact(status.getSummary()));
    if (status.getNodes() != null) {
      status.getNodes().forEach(Redactor::redact);
    }
    return status;
  }

  private void print(String name, GhostHuntStatus status, String output) {
    if (output.equals("json")) {
      try {
        out.println(JSON.writeValueAsString(status));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    out.printf(
        "GhostHunt %s: %s, %s%s%n",
        name,
        status.getPhase(),
        status.getVerdict(),
        status.getGhosts() == null || status.getGhosts() == 0
            ? ""
            : " (" + status.getGhosts() + (status.getGhosts() == 1 ? " ghost)" : " ghosts)"));
    if (status.getSummary() != null) {
      out.println(status.getSummary());
    }
    for (NodeStatus node : status.getNodes() == null ? List.<NodeStatus>of() : status.getNodes()) {
      out.println();
      if (node.getPhase() != NodePhase.Done) {
        out.printf(
            "GhostHunt %s on %s: %s: %s%n",
            name, node.subject(), node.getPhase(), node.getMessage());
      } else {
        FindingsTable.print(out, name, node, List.of());
      }
    }
  }

  /** See {@link ExitCodes}: the same rule as {@code ghosthunt check}. */
  static int exitCode(GhostHuntStatus status) {
    if (status.getVerdict() == HuntVerdict.Haunted) {
      return ExitCodes.GHOST;
    }
    return ExitCodes.of(
        status.getPhase() == HuntPhase.Failed,
        status.getNodes() == null ? List.of() : status.getNodes());
  }

  static Duration duration(String text) throws UsageException {
    try {
      String t = text.trim();
      char unit = t.charAt(t.length() - 1);
      long n =
          Character.isDigit(unit)
              ? Long.parseLong(t)
              : Long.parseLong(t.substring(0, t.length() - 1));
      Duration d =
          switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> {
              if (!Character.isDigit(unit)) {
                throw new NumberFormatException();
              }
              yield Duration.ofSeconds(n);
            }
          };
      if (d.isZero() || d.isNegative()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (RuntimeException e) {
      throw new UsageException(
          "--timeout must be a duration like 90s, 5m, 1h or a number of seconds, not '"
              + text
              + "'");
    }
  }

  /**
   * The file's annotations, and for a scheduled hunt a run asked for now: the command waits for a
   * verdict, and a schedule's first time may be days away.
   */
  static Map<String, String> runNow(GhostHunt hunt) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (hunt.getMetadata().getAnnotations() != null) {
      annotations.putAll(hunt.getMetadata().getAnnotations());
    }
    if (hunt.getSpec().getSchedule() != null) {
      annotations.put(GhostHunt.RUN_NOW, Instant.now().toString());
    }
    return annotations;
  }
}
