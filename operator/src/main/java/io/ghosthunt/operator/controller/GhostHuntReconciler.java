package io.ghosthunt.operator.controller;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.observer.NodeTargets;
import io.ghosthunt.operator.observer.ProbePodProblem;
import io.ghosthunt.operator.reconciler.AgentRbac;
import io.ghosthunt.operator.reconciler.Labels;
import io.ghosthunt.operator.reconciler.ProbePodFactory;
import io.ghosthunt.operator.reconciler.ReportFactory;
import io.ghosthunt.operator.status.Conditions;
import io.ghosthunt.operator.status.NodeOutcome;
import io.ghosthunt.operator.status.StatusAggregator;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * GhostHunt to probe pods to aggregated status. Observe (nodes, pods, the agents' entries), then act
 * (start a generation, create missing pods, write the aggregate, clean up), every step idempotent so
 * that an operator restart mid-hunt picks up where it stopped without duplicate pods.
 */
// Probes write their own reports, whose events wake the hunt up; its own status writes need not.
// Reports of a thousand nodes arrive within seconds: at most two reconciles (and status writes)
// per hunt and second, each aggregating all the reports that arrived meanwhile.
@ControllerConfiguration(name = "ghosthunt")
@RateLimited(maxReconciliations = 2, within = 1, unit = java.util.concurrent.TimeUnit.SECONDS)
public class GhostHuntReconciler implements Reconciler<GhostHunt>, Cleaner<GhostHunt> {

  private static final Logger LOG = LoggerFactory.getLogger(GhostHuntReconciler.class);
  /** A safety net: pod and status events drive the hunt, this only bounds a missed one. */
  private static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final NodeTargets nodeTargets;
  private final ProbePodFactory pods;
  private final AgentRbac rbac;
  private final StatusWriter statusWriter;
  private final EventRecorder events;
  private final Clock clock;
  private InformerEventSource<Pod, GhostHunt> podSource;
  private InformerEventSource<GhostHuntReport, GhostHunt> reportSource;
  private final OperatorMetrics metrics;
  /**
   * What this operator itself wrote last, per hunt UID. The primary cache may still show the status
   * from before our own write (agents keep changing the object, so an optimistic-locking write that
   * refreshes the cache would conflict forever); this memory keeps a reconcile that runs on such a
   * stale copy from starting a generation twice or re-creating the probes of a finished hunt.
   */
  private final Map<String, Progress> written = new java.util.concurrent.ConcurrentHashMap<>();

  private record Progress(long generation, String startedAt, boolean complete) {}

  public GhostHuntReconciler(KubernetesClient client, OperatorConfig config, Clock clock) {
    this(client, config, clock, new OperatorMetrics());
  }

  public GhostHuntReconciler(KubernetesClient client, OperatorConfig config, Clock clock, OperatorMetrics metrics) {
    this.metrics = metrics;
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.nodeTargets = new NodeTargets(client);
    this.pods = new ProbePodFactory(config);
    this.rbac = new AgentRbac(client, config);
    this.statusWriter = new StatusWriter(client);
    this.events = new EventRecorder(client);
  }

  @Override
  public List<EventSource<?, GhostHunt>> prepareEventSources(EventSourceContext<GhostHunt> context) {
    InformerEventSourceConfiguration<Pod> podConfig = InformerEventSourceConfiguration.from(Pod.class, GhostHunt.class)
        .withNamespaces(Set.of(config.probeNamespace()))
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
        // Probes live in their own namespace, so owner references cannot point at the hunt.
        .withSecondaryToPrimaryMapper(pod -> {
          Map<String, String> a = pod.getMetadata().getAnnotations();
          return a == null || a.get(Labels.HUNT_NAME) == null ? Set.of()
              : Set.of(new ResourceID(a.get(Labels.HUNT_NAME), a.get(Labels.HUNT_NAMESPACE)));
        })
        .build();
    podSource = new InformerEventSource<>(podConfig, context);
    // Every report a probe writes wakes its hunt up; the rate limiter batches them.
    InformerEventSourceConfiguration<GhostHuntReport> reportConfig = InformerEventSourceConfiguration
        .from(GhostHuntReport.class, GhostHunt.class)
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
        .withSecondaryToPrimaryMapper(r -> r.getSpec() == null ? Set.of()
            : Set.of(new ResourceID(r.getSpec().getHunt(), r.getMetadata().getNamespace())))
        .build();
    reportSource = new InformerEventSource<>(reportConfig, context);
    return List.of(podSource, reportSource);
  }

  @Override
  public ErrorStatusUpdateControl<GhostHunt> updateErrorStatus(GhostHunt hunt, Context<GhostHunt> context, Exception e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof InterruptedException) {
        // The operator is stopping and cut the reconcile short: not a failure of the hunt.
        LOG.debug("reconcile interrupted by shutdown", e);
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
    }
    metrics.reconcileError();
    StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      why.append(" <- ").append(c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName());
    }
    LOG.warn("reconcile of {}/{} failed, retrying: {}", hunt.getMetadata().getNamespace(), hunt.getMetadata().getName(), why);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<GhostHunt> reconcile(GhostHunt hunt, Context<GhostHunt> context) {
    MDC.put("hunt", hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName());
    try {
      return hunt(hunt, context);
    } finally {
      MDC.remove("hunt");
    }
  }

  private UpdateControl<GhostHunt> hunt(GhostHunt hunt, Context<GhostHunt> context) {
    long generation = hunt.getMetadata().getGeneration();
    String uid = hunt.getMetadata().getUid();
    GhostHuntStatus previous = hunt.getStatus();
    Progress mine = written.get(uid);
    boolean mineCurrent = mine != null && mine.generation() == generation;
    boolean sameGeneration = mineCurrent || previous != null && Objects.equals(previous.getObservedGeneration(), generation)
        && previous.getStartedAt() != null;
    if (mineCurrent && mine.complete() || sameGeneration && previous != null
        && Objects.equals(previous.getObservedGeneration(), generation)
        && (previous.getPhase() == HuntPhase.Complete || previous.getPhase() == HuntPhase.Failed)) {
      return UpdateControl.noUpdate();
    }
    Instant now = clock.instant();

    try {
      HuntResolver.resolve(hunt.getSpec());
    } catch (InvalidHuntException e) {
      events.record(hunt, HuntEventReason.InvalidSpec, e.getMessage());
      GhostHuntStatus failed = invalid(generation, e, now, previous);
      statusWriter.apply(hunt, failed);
      written.put(uid, new Progress(generation, failed.getStartedAt(), true));
      return UpdateControl.noUpdate();
    }

    String startedAt;
    if (sameGeneration) {
      startedAt = mineCurrent ? mine.startedAt() : previous.getStartedAt();
    } else {
      // A new spec: the probes of older generations go, and so do their findings.
      deleteProbes(hunt, true);
      deleteReports(hunt, true);
      if (previous != null && previous.getNodes() != null) {
        statusWriter.clearNodes(hunt);
      }
      startedAt = now.toString();
      LOG.info("hunting generation {}", generation);
    }
    Duration timeout = Duration.ofSeconds(hunt.getSpec().timeoutSecondsOrDefault());

    List<NodeTargets.Target> targets = nodeTargets.resolve(hunt.getSpec().getNodes());
    Map<String, Pod> podsByNode = currentPods(hunt);
    Map<String, GhostHuntReport> reports = currentReports(hunt);
    Map<String, NodeStatus> agentEntries = agentEntries(reports, generation);
    Instant deadline = Instant.parse(startedAt).plus(timeout);
    boolean rbacApplied = false;
    List<NodeOutcome> outcomes = new java.util.ArrayList<>();
    for (NodeTargets.Target t : targets) {
      if (t.problem() != null) {
        outcomes.add(NodeOutcome.unreachable(t.node(), t.problem()));
        continue;
      }
      Pod pod = podsByNode.get(t.node());
      if (pod == null && !agentEntries.containsKey(t.node()) && now.isBefore(deadline)) {
        if (!rbacApplied) {
          rbac.apply(hunt);
          rbacApplied = true;
        }
        long remaining = Math.max(1, Duration.between(now, deadline).toSeconds());
        try {
          if (!reports.containsKey(t.node())) {
            createReport(ReportFactory.build(hunt, t.node()));
          }
          pod = createPod(pods.build(hunt, t.node(), remaining));
        } catch (KubernetesClientException e) {
          if (e.getCode() != 403 && e.getCode() != 422) {
            throw e; // transient: JOSDK retries the reconcile
          }
          // Refused for good (Pod Security Admission, a policy engine, a quota): the node says why.
          outcomes.add(NodeOutcome.pod(t.node(), "Failed", "refused by the API server: "
              + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage())));
          continue;
        }
      }
      outcomes.add(pod == null ? NodeOutcome.pod(t.node(), null, null)
          : NodeOutcome.pod(t.node(), ProbePodProblem.phase(pod), ProbePodProblem.describe(pod)));
    }

    boolean previousCurrent = previous != null && Objects.equals(previous.getObservedGeneration(), generation);
    StatusAggregator.Result result = StatusAggregator.aggregate(generation, startedAt, timeout, now, outcomes, agentEntries,
        previousCurrent ? previous.getConditions() : null);
    GhostHuntStatus status = result.status();
    recordEvents(hunt, result);
    if (result.complete()) {
      // Counted before the Complete status lands, so whoever sees it complete also sees it counted.
      metrics.huntFinished(uid, generation, status, result.nodes(), now);
    }
    // Server-side apply from a fresh object: no resourceVersion, so concurrent agent writes never
    // make it conflict; the agents' entries, owned by their managers, stay as they are.
    if (!previousCurrent || !sameStatus(previous, status)) {
      statusWriter.apply(hunt, status);
    }
    written.put(uid, new Progress(generation, startedAt, result.complete()));
    UpdateControl<GhostHunt> control = UpdateControl.noUpdate();

    if (result.complete()) {
      // Privilege is short-lived: with every node decided, the probes and their identity go.
      deleteProbes(hunt, false);
      rbac.delete(hunt);
      LOG.info("complete: {} {}", status.getVerdict(), status.getSummary());
      return control;
    }
    Duration wait = Duration.between(now, deadline);
    wait = wait.isNegative() ? Duration.ofSeconds(1) : wait.plusSeconds(1);
    return control.rescheduleAfter(wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT);
  }

  private void createReport(GhostHuntReport report) {
    try {
      client.resource(report).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Created by an earlier reconcile whose informer event has not arrived yet.
    }
  }

  /** This hunt's reports of its current generation, by node, from the informer cache. */
  private Map<String, GhostHuntReport> currentReports(GhostHunt hunt) {
    String uid = hunt.getMetadata().getUid();
    String gen = Long.toString(hunt.getMetadata().getGeneration());
    Map<String, GhostHuntReport> byNode = new HashMap<>();
    reportSource.list(hunt.getMetadata().getNamespace(), r -> uid.equals(r.getMetadata().getLabels().get(Labels.HUNT_UID))
            && gen.equals(r.getMetadata().getLabels().get(Labels.GENERATION)) && r.getSpec() != null)
        .forEach(r -> byNode.put(r.getSpec().getNode(), r));
    return byNode;
  }

  /** The entries the probes wrote (their reports' status), by node. */
  static Map<String, NodeStatus> agentEntries(Map<String, GhostHuntReport> reports, long generation) {
    Map<String, NodeStatus> entries = new HashMap<>();
    reports.forEach((node, r) -> {
      if (r.getStatus() != null && r.getStatus().getPhase() != null) {
        entries.put(node, r.getStatus().toNodeStatus(node, generation));
      }
    });
    return entries;
  }

  private Pod createPod(Pod pod) {
    try {
      return client.resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Created by an earlier reconcile whose informer event has not arrived yet.
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
      }
      throw e;
    }
  }

  /** This hunt's pods of its current generation, by node, from the informer cache. */
  private Map<String, Pod> currentPods(GhostHunt hunt) {
    String uid = hunt.getMetadata().getUid();
    String gen = Long.toString(hunt.getMetadata().getGeneration());
    Map<String, Pod> byNode = new HashMap<>();
    podSource.list(config.probeNamespace(), p -> uid.equals(p.getMetadata().getLabels().get(Labels.HUNT_UID))
            && gen.equals(p.getMetadata().getLabels().get(Labels.GENERATION)))
        .forEach(p -> byNode.put(p.getSpec().getNodeName(), p));
    return byNode;
  }

  private void deleteProbes(GhostHunt hunt, boolean olderGenerationsOnly) {
    client.pods().inNamespace(config.probeNamespace()).withLabelSelector(selector(hunt, olderGenerationsOnly)).delete();
  }

  /** Reports of older generations (a new spec hunts afresh), or all of them (the hunt is gone). */
  private void deleteReports(GhostHunt hunt, boolean olderGenerationsOnly) {
    client.resources(GhostHuntReport.class).inNamespace(hunt.getMetadata().getNamespace())
        .withLabelSelector(selector(hunt, olderGenerationsOnly)).delete();
  }

  private static String selector(GhostHunt hunt, boolean olderGenerationsOnly) {
    return Labels.HUNT_UID + "=" + hunt.getMetadata().getUid()
        + (olderGenerationsOnly ? "," + Labels.GENERATION + "!=" + hunt.getMetadata().getGeneration() : "");
  }

  private GhostHuntStatus invalid(long generation, InvalidHuntException e, Instant now, GhostHuntStatus previous) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setStartedAt(now.toString());
    s.setPhase(HuntPhase.Failed);
    s.setVerdict(HuntVerdict.Inconclusive);
    s.setGhosts(0);
    s.setSummary("the hunt cannot run: " + e.getMessage());
    List<io.fabric8.kubernetes.api.model.Condition> prev = previous == null ? null : previous.getConditions();
    s.setConditions(List.of(
        Conditions.of(Conditions.COMPLETE, "True", "InvalidSpec", s.getSummary(), generation, prev, now),
        Conditions.of(Conditions.GHOST_FOUND, "False", "InvalidSpec", s.getSummary(), generation, prev, now)));
    return s;
  }

  /** Whether writing {@code next} would change what the operator owns. */
  private static boolean sameStatus(GhostHuntStatus prev, GhostHuntStatus next) {
    if (prev == null) {
      return false;
    }
    boolean scalars = Objects.equals(prev.getObservedGeneration(), next.getObservedGeneration())
        && prev.getPhase() == next.getPhase() && prev.getVerdict() == next.getVerdict()
        && Objects.equals(prev.getGhosts(), next.getGhosts()) && Objects.equals(prev.getProgress(), next.getProgress())
        && Objects.equals(prev.getSummary(), next.getSummary()) && Objects.equals(prev.getStartedAt(), next.getStartedAt())
        && Objects.equals(prev.getConditions(), next.getConditions())
        && Objects.equals(prev.getChecks(), next.getChecks()) && Objects.equals(prev.getHauntedNodes(), next.getHauntedNodes());
    if (!scalars) {
      return false;
    }
    if (next.getNodes() == null) {
      return true;
    }
    Set<String> prevEntries = prev.getNodes() == null ? Set.of()
        : prev.getNodes().stream().map(n -> n.getNode() + "|" + n.getPhase() + "|" + n.getMessage()).collect(Collectors.toSet());
    return next.getNodes().stream().allMatch(n -> prevEntries.contains(n.getNode() + "|" + n.getPhase() + "|" + n.getMessage()));
  }

  /** Events for the state reached; the recorder keeps each to once per hunt generation. */
  private void recordEvents(GhostHunt hunt, StatusAggregator.Result result) {
    GhostHuntStatus status = result.status();
    events.record(hunt, HuntEventReason.HuntStarted, "hunting on " + result.nodes().size() + " node"
        + (result.nodes().size() == 1 ? "" : "s") + " (generation " + status.getObservedGeneration() + ")");
    for (NodeStatus n : result.nodes()) {
      if (n.getPhase() == NodePhase.Unreachable) {
        events.record(hunt, HuntEventReason.NodeUnreachable, n.getNode() + ": " + n.getMessage());
      } else if (n.getPhase() == NodePhase.Failed) {
        events.record(hunt, HuntEventReason.ProbeFailed, n.getNode() + ": " + n.getMessage());
      }
    }
    if (!result.complete()) {
      return;
    }
    if (status.getPhase() == HuntPhase.Failed) {
      events.record(hunt, HuntEventReason.NoNodes, status.getSummary());
    } else if (status.getVerdict() == HuntVerdict.Haunted) {
      events.record(hunt, HuntEventReason.GhostFound, status.getSummary());
    } else if (status.getVerdict() == HuntVerdict.Clear) {
      events.record(hunt, HuntEventReason.HuntClear, status.getSummary());
    } else {
      events.record(hunt, HuntEventReason.HuntInconclusive, status.getSummary());
    }
  }

  @Override
  public DeleteControl cleanup(GhostHunt hunt, Context<GhostHunt> context) {
    // Owner references cannot cross namespaces (the probes live in the probe namespace): delete by label.
    deleteProbes(hunt, false);
    // Owner references would remove them too, where a garbage collector runs; no need to wait for it.
    deleteReports(hunt, false);
    rbac.delete(hunt);
    events.forget(hunt);
    written.remove(hunt.getMetadata().getUid());
    metrics.forget(hunt.getMetadata().getUid());
    return DeleteControl.defaultDelete();
  }
}
