package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.status.GhostChange;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.RunChanges;
import io.ghosthunt.api.status.RunSummary;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.decision.Blocker;
import io.ghosthunt.operator.decision.HuntDecisions;
import io.ghosthunt.operator.decision.Schedules;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.observer.AdmissionPolicies;
import io.ghosthunt.operator.observer.HuntTarget;
import io.ghosthunt.operator.observer.NodeTargets;
import io.ghosthunt.operator.observer.PodTargets;
import io.ghosthunt.operator.probes.AgentRbac;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.probes.ProbePodFactory;
import io.ghosthunt.operator.probes.ReportFactory;
import io.ghosthunt.operator.status.Conditions;
import io.ghosthunt.operator.status.ReportFilter;
import io.ghosthunt.operator.status.RunHistory;
import io.ghosthunt.operator.status.StatusAggregator;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * GhostHunt to probe pods to aggregated status. Observe (nodes, pods, the probes' reports), then
 * act (start a generation, create missing pods, write the aggregate, clean up), every step
 * idempotent so that an operator restart mid-hunt picks up where it stopped without duplicate pods.
 */
// Probes write their own reports, whose events wake the hunt up; its own status writes need not.
// Reports of a thousand nodes arrive within seconds: at most two reconciles (and status writes)
// per hunt and second, each aggregating all the reports that arrived meanwhile.
@ControllerConfiguration(name = "ghosthunt")
@RateLimited(maxReconciliations = 2, within = 1, unit = java.util.concurrent.TimeUnit.SECONDS)
public class GhostHuntReconciler implements Reconciler<GhostHunt>, Cleaner<GhostHunt> {

  private static final Logger LOG = LoggerFactory.getLogger(GhostHuntReconciler.class);

  /** How soon a blocked hunt (no probe namespace, RBAC) looks again; fixing it needs a person. */
  private static final Duration BLOCKED_RETRY = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final NodeTargets nodeTargets;
  private final PodTargets podTargets;
  private final ProbePodFactory pods;
  private final AgentRbac rbac;
  private final AdmissionPolicies policies;
  private final StatusWriter statusWriter;
  private final EventRecorder events;
  private final Clock clock;

  /** How long a hunt whose event was lost waits before the sweep wakes it up. */
  static final Duration LOST_EVENT_SWEEP = Duration.ofSeconds(20);

  private InformerEventSource<Pod, GhostHunt> podSource;
  private InformerEventSource<GhostHuntReport, GhostHunt> reportSource;
  private final OperatorMetrics metrics;

  /**
   * What this operator itself wrote last, per hunt UID. The primary cache may still show the status
   * from before our own write (status writes are server-side applies that do not refresh the
   * cache); this memory keeps a reconcile that runs on such a stale copy from starting a generation
   * twice or re-creating the probes of a finished hunt.
   */
  private final Map<String, Progress> written = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param run a scheduled hunt's run (0 without schedule)
   */
  private record Progress(long generation, int run, String startedAt, boolean complete) {}

  private final ScheduledRuns schedules;

  public GhostHuntReconciler(KubernetesClient client, OperatorConfig config, Clock clock) {
    this(client, config, clock, new OperatorMetrics());
  }

  public GhostHuntReconciler(
      KubernetesClient client, OperatorConfig config, Clock clock, OperatorMetrics metrics) {
    this.metrics = metrics;
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.nodeTargets = new NodeTargets(client);
    this.podTargets = new PodTargets(client);
    this.pods = new ProbePodFactory(config);
    this.rbac = new AgentRbac(client, config);
    this.statusWriter = new StatusWriter(client);
    this.policies = new AdmissionPolicies(client, clock);
    this.events = new EventRecorder(client);
    this.schedules =
        new ScheduledRuns(
            client,
            statusWriter,
            events,
            (hunt, run) -> {
              client
                  .pods()
                  .inNamespace(config.probeNamespace())
                  .withLabelSelector(otherRuns(hunt, run))
                  .delete();
              client
                  .resources(GhostHuntReport.class)
                  .inNamespace(hunt.getMetadata().getNamespace())
                  .withLabelSelector(otherRuns(hunt, run))
                  .delete();
            });
  }

  @Override
  public List<EventSource<?, GhostHunt>> prepareEventSources(
      EventSourceContext<GhostHunt> context) {
    InformerEventSourceConfiguration<Pod> podConfig =
        InformerEventSourceConfiguration.from(Pod.class, GhostHunt.class)
            .withNamespaces(Set.of(config.probeNamespace()))
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            // Probes live in their own namespace, so owner references cannot point at the hunt.
            .withSecondaryToPrimaryMapper(
                pod -> {
                  Map<String, String> a = pod.getMetadata().getAnnotations();
                  return a == null || a.get(Labels.HUNT_NAME) == null
                      ? Set.of()
                      : Set.of(
                          new ResourceID(a.get(Labels.HUNT_NAME), a.get(Labels.HUNT_NAMESPACE)));
                })
            .build();
    podSource = new InformerEventSource<>(podConfig, context);
    // Every report a probe writes wakes its hunt up; the rate limiter batches them.
    InformerEventSourceConfiguration<GhostHuntReport> reportConfig =
        InformerEventSourceConfiguration.from(GhostHuntReport.class, GhostHunt.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(
                r ->
                    r.getSpec() == null
                        ? Set.of()
                        : Set.of(
                            new ResourceID(r.getSpec().getHunt(), r.getMetadata().getNamespace())))
            .build();
    reportSource = new InformerEventSource<>(reportConfig, context);
    LostEventSweep sweep =
        new LostEventSweep(() -> context.getPrimaryCache().list(), LOST_EVENT_SWEEP);
    return List.of(podSource, reportSource, sweep);
  }

  @Override
  public ErrorStatusUpdateControl<GhostHunt> updateErrorStatus(
      GhostHunt hunt, Context<GhostHunt> context, Exception e) {
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
      why.append(" <- ")
          .append(c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName());
    }
    LOG.warn(
        "reconcile of {}/{} failed, retrying: {}",
        hunt.getMetadata().getNamespace(),
        hunt.getMetadata().getName(),
        why);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<GhostHunt> reconcile(GhostHunt hunt, Context<GhostHunt> context) {
    MDC.put("hunt", hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName());
    try {
      return hunt(hunt);
    } finally {
      MDC.remove("hunt");
    }
  }

  private UpdateControl<GhostHunt> hunt(GhostHunt hunt) {
    long generation = hunt.getMetadata().getGeneration();
    String uid = hunt.getMetadata().getUid();
    GhostHuntStatus previous = hunt.getStatus();
    Progress mine = written.get(uid);
    boolean scheduled = hunt.getSpec().getSchedule() != null;
    if (finished(mine, previous, generation, 0) && (!scheduled || invalidSpec(previous))) {
      if (mine == null) {
        // Complete before this operator saw it: the replica that completed it may have died (a
        // killed leader, a rolled Deployment) between the Complete status and its cleanup.
        revokeProbes(hunt);
        written.put(uid, new Progress(generation, 0, previous.getStartedAt(), true));
      }
      return UpdateControl.noUpdate();
    }
    Instant now = clock.instant();
    ResolvedHunt resolved;
    try {
      resolved = HuntResolver.resolve(hunt.getSpec());
      java.util.Optional<String> badSchedule =
          scheduled ? Schedules.invalid(hunt.getSpec().getSchedule()) : java.util.Optional.empty();
      if (badSchedule.isPresent()) {
        throw new InvalidHuntException(List.of(badSchedule.get()));
      }
    } catch (InvalidHuntException e) {
      events.record(hunt, HuntEventReason.InvalidSpec, e.getMessage());
      GhostHuntStatus failed = invalid(generation, e, now, previous);
      statusWriter.apply(hunt, failed);
      written.put(uid, new Progress(generation, 0, failed.getStartedAt(), true));
      return UpdateControl.noUpdate();
    }
    int run = 0;
    if (scheduled) {
      ScheduledRuns.Step step = schedules.step(hunt, now);
      if (step.idle() != null) {
        if (mine == null || mine.run() != step.run()) {
          revokeProbes(hunt); // a run completed by a replica that died before its cleanup
          written.put(
              uid, new Progress(generation, step.run(), step.status().getStartedAt(), true));
        }
        return step.idle();
      }
      previous = step.status();
      run = step.run();
    }
    String startedAt = startedAt(hunt, mine, previous, now, run);
    Duration timeout = Duration.ofSeconds(hunt.getSpec().timeoutSecondsOrDefault());
    Instant deadline = Instant.parse(startedAt).plus(timeout);

    // Observe: the nodes, this generation's pods and reports, all from caches but the nodes.
    Map<String, GhostHuntReport> reports = currentReports(hunt, run);
    boolean podHunt = hunt.getSpec().getPods() != null;
    List<HuntTarget> targets =
        podHunt
            ? podTargets.resolve(
                hunt.getMetadata().getNamespace(),
                hunt.getSpec().getPods(),
                reportedPods(reports.values()))
            : HuntDecisions.withReportedNodes(
                nodeTargets.resolve(hunt.getSpec().getNodes()), reports.keySet());
    HuntDecisions.Observed seen =
        new HuntDecisions.Observed(
            targets,
            currentPods(hunt, run),
            reports.keySet(),
            agentEntries(hunt, run, reports, ReportFilter.of(resolved)),
            now,
            deadline);
    // Decide and act: start the probes that are missing; what cannot be started says why.
    List<String> toStart = HuntDecisions.probesToStart(seen);
    Optional<Blocker> unconfined = toStart.isEmpty() ? Optional.empty() : policies.missing();
    if (unconfined.isEmpty() && !now.isBefore(deadline) && seen.pods().isEmpty()) {
      // Still blocked when its time ran out: it ends with the reason, not as lost probes.
      unconfined = Blocker.standing(previous == null ? null : previous.getConditions(), generation);
    }
    if (unconfined.isPresent()) {
      return blocked(hunt, unconfined.get(), previous, startedAt, now, deadline, run);
    }
    Map<String, String> refused = new HashMap<>();
    Map<String, Pod> started;
    try {
      started = startProbes(hunt, toStart, seen, refused, run);
    } catch (KubernetesClientException e) {
      Blocker blocker =
          Blocker.of(e, config.probeNamespace())
              .orElseThrow(() -> e); // else transient: JOSDK retries
      return blocked(hunt, blocker, previous, startedAt, now, deadline, run);
    }
    boolean previousCurrent =
        previous != null && Objects.equals(previous.getObservedGeneration(), generation);
    StatusAggregator.Result result =
        StatusAggregator.aggregate(
            generation,
            startedAt,
            timeout,
            now,
            HuntDecisions.outcomes(seen, started, refused),
            seen.entries(),
            previousCurrent ? previous.getConditions() : null,
            podHunt);
    return publish(hunt, previous, result, startedAt, deadline, now, run);
  }

  private static boolean invalidSpec(GhostHuntStatus status) {
    return status != null
        && status.getConditions() != null
        && status.getConditions().stream().anyMatch(c -> "InvalidSpec".equals(c.getReason()));
  }

  /**
   * Whether this generation is done already (by the status, or by our own last write the cache may
   * not show yet).
   */
  private static boolean finished(
      Progress mine, GhostHuntStatus previous, long generation, int run) {
    return mine != null && mine.generation() == generation && mine.run() == run && mine.complete()
        || previous != null
            && Objects.equals(previous.getObservedGeneration(), generation)
            && previous.getStartedAt() != null
            && (previous.getPhase() == HuntPhase.Complete
                || previous.getPhase() == HuntPhase.Failed);
  }

  /**
   * When this generation started: kept across reconciles and restarts; a new spec starts afresh.
   */
  private String startedAt(
      GhostHunt hunt, Progress mine, GhostHuntStatus previous, Instant now, int run) {
    long generation = hunt.getMetadata().getGeneration();
    if (mine != null && mine.generation() == generation && mine.run() == run) {
      return mine.startedAt();
    }
    if (previous != null
        && Objects.equals(previous.getObservedGeneration(), generation)
        && previous.getStartedAt() != null) {
      return previous.getStartedAt();
    }
    // A new spec: the probes and reports of older generations go.
    deleteProbes(hunt, true);
    deleteReports(hunt, true);
    if (previous != null && previous.getNodes() != null) {
      statusWriter.clearNodes(hunt);
    }
    LOG.info("hunting generation {}", generation);
    String startedAt = now.toString();
    if (run == 0) {
      // The clock is written before any probe exists (a scheduled run's start is written by
      // ScheduledRuns), so that an operator that dies at any later step neither moves the
      // deadline nor starts the generation twice.
      statusWriter.apply(hunt, StatusAggregator.starting(generation, startedAt, previous, now));
      written.put(hunt.getMetadata().getUid(), new Progress(generation, 0, startedAt, false));
    }
    return startedAt;
  }

  /**
   * The agent identity once, then a report and a pod per node. A pod the API server refuses for
   * good (Pod Security Admission, a policy engine, a quota) fails only its node; whatever blocks
   * every probe (no probe namespace, RBAC) is thrown for the caller to report on the hunt.
   */
  private Map<String, Pod> startProbes(
      GhostHunt hunt,
      List<String> nodes,
      HuntDecisions.Observed seen,
      Map<String, String> refused,
      int run) {
    if (nodes.isEmpty()) {
      return Map.of();
    }
    rbac.apply(hunt);
    long remaining = Math.max(1, Duration.between(seen.now(), seen.deadline()).toSeconds());
    Map<String, Pod> started = new HashMap<>();
    boolean podHunt = hunt.getSpec().getPods() != null;
    for (String node : nodes) {
      try {
        List<HuntTarget> here =
            podHunt ? HuntDecisions.targetsOn(seen, node) : List.of(HuntTarget.node(node, null));
        for (HuntTarget t : here) {
          if (!seen.reports().contains(t.key())) {
            createReport(ReportFactory.build(hunt, t, run));
          }
        }
        started.put(
            node, createPod(pods.build(hunt, node, remaining, podHunt ? here : List.of(), run)));
      } catch (KubernetesClientException e) {
        if (e.getCode() != 403 && e.getCode() != 422
            || Blocker.of(e, config.probeNamespace()).isPresent()) {
          throw e;
        }
        refused.put(
            node,
            e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage());
      }
    }
    return started;
  }

  /**
   * Nothing can start: the hunt says why and what fixes it (a condition and one Event), and the
   * operator looks again later instead of failing every retry, until the deadline its clock set
   * ends the hunt with the same reason.
   */
  private UpdateControl<GhostHunt> blocked(
      GhostHunt hunt,
      Blocker blocker,
      GhostHuntStatus previous,
      String startedAt,
      Instant now,
      Instant deadline,
      int run) {
    long generation = hunt.getMetadata().getGeneration();
    GhostHuntStatus s =
        StatusAggregator.blocked(
            generation,
            startedAt,
            blocker,
            previous == null ? null : previous.getConditions(),
            now,
            deadline);
    if (previous != null) {
      ScheduledRuns.carry(previous, s);
    }
    events.record(hunt, HuntEventReason.blockedBy(blocker), blocker.message());
    LOG.warn("blocked: {}", blocker.message());
    if (previous == null || !sameStatus(previous, s)) {
      statusWriter.apply(hunt, s);
    }
    if (s.getPhase() == HuntPhase.Failed) {
      revokeProbes(hunt);
      written.put(hunt.getMetadata().getUid(), new Progress(generation, run, startedAt, true));
      return UpdateControl.noUpdate();
    }
    return UpdateControl.<GhostHunt>noUpdate().rescheduleAfter(BLOCKED_RETRY);
  }

  /** Act on the aggregate: status, events, metrics, and the probes' cleanup once complete. */
  private UpdateControl<GhostHunt> publish(
      GhostHunt hunt,
      GhostHuntStatus previous,
      StatusAggregator.Result result,
      String startedAt,
      Instant deadline,
      Instant now,
      int run) {
    long generation = hunt.getMetadata().getGeneration();
    String uid = hunt.getMetadata().getUid();
    GhostHuntStatus status = result.status();
    if (run > 0) {
      ScheduledRuns.carry(previous, status);
      if (result.complete()) {
        runCompleted(hunt, previous, status, result.nodes(), run, now);
      }
    }
    recordEvents(hunt, result, run);
    if (result.complete()) {
      // Counted before the Complete status lands, so whoever sees it complete also sees it counted.
      metrics.huntFinished(uid, generation + "/" + run, status, result.nodes(), now);
      metrics.currentGhosts(
          hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName(), result.nodes());
    }
    if (result.complete()) {
      // Privilege is short-lived: with every node decided, the probes and their identity go, before
      // the Complete status, so that whoever sees the hunt complete finds no probe rights left.
      revokeProbes(hunt);
    }
    // Server-side apply from a fresh object: no resourceVersion, so it never conflicts.
    boolean previousCurrent =
        previous != null && Objects.equals(previous.getObservedGeneration(), generation);
    if (!previousCurrent
        || !sameStatus(previous, status)
        || run > 0 && !ScheduledRuns.sameSchedule(previous, status)) {
      statusWriter.apply(hunt, status);
    }
    written.put(uid, new Progress(generation, run, startedAt, result.complete()));
    if (result.complete()) {
      LOG.info("complete: {} {}", status.getVerdict(), status.getSummary());
      return run > 0 && status.getNextRunAt() != null
          ? UpdateControl.<GhostHunt>noUpdate()
              .rescheduleAfter(untilNext(now, status.getNextRunAt()))
          : UpdateControl.noUpdate();
    }
    return UpdateControl.<GhostHunt>noUpdate()
        .rescheduleAfter(HuntDecisions.nextLook(now, deadline));
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

  /**
   * A run of a scheduled hunt completed: its summary joins the history, what changed since the run
   * before goes into the status and, once each, into Events and the appearance counter.
   */
  private void runCompleted(
      GhostHunt hunt,
      GhostHuntStatus previous,
      GhostHuntStatus status,
      List<NodeStatus> entries,
      int run,
      Instant now) {
    List<RunSummary> before = previous.getRuns();
    RunSummary last =
        before == null
            ? null
            : before.stream()
                .filter(r -> r.getRun() != null && r.getRun() < run)
                .findFirst()
                .orElse(null);
    RunSummary summary = RunHistory.summary(run, previous.getLastRunAt(), now, status, entries);
    status.setRuns(RunHistory.history(summary, before, hunt.getSpec().historyLimitOrDefault()));
    RunChanges changes = RunHistory.changes(run, last, entries);
    status.setChanges(changes);
    if (changes == null) {
      return;
    }
    String huntKey = hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName();
    for (GhostChange g :
        changes.getAppeared() == null ? List.<GhostChange>of() : changes.getAppeared()) {
      events.record(
          hunt,
          run,
          HuntEventReason.GhostAppeared,
          g.describe()
              + " (not in run "
              + last.getRun()
              + "): "
              + g.getSummary()
              + (g.getEvidence() == null ? "" : " " + g.getEvidence()));
      metrics.ghostAppeared(huntKey, g.getGhost());
    }
    for (GhostChange g : changes.getGone() == null ? List.<GhostChange>of() : changes.getGone()) {
      events.record(
          hunt,
          run,
          HuntEventReason.GhostGone,
          g.describe() + " (found in run " + last.getRun() + ") is gone");
    }
  }

  private static Duration untilNext(Instant now, String next) {
    Duration wait = Duration.between(now, Instant.parse(next)).plusMillis(200);
    return wait.isNegative() ? Duration.ofSeconds(1) : wait;
  }

  /** Probes and reports of this hunt but of another run than {@code run}. */
  private static String otherRuns(GhostHunt hunt, int run) {
    return Labels.HUNT_UID + "=" + hunt.getMetadata().getUid() + "," + Labels.RUN + "!=" + run;
  }

  /**
   * This hunt's reports of its current generation and run, by target key (node, or pod/NAME), from
   * the informer cache.
   */
  private Map<String, GhostHuntReport> currentReports(GhostHunt hunt, int run) {
    String uid = hunt.getMetadata().getUid();
    String gen = Long.toString(hunt.getMetadata().getGeneration());
    Map<String, GhostHuntReport> byKey = new HashMap<>();
    reportSource
        .list(
            hunt.getMetadata().getNamespace(),
            r ->
                uid.equals(r.getMetadata().getLabels().get(Labels.HUNT_UID))
                    && gen.equals(r.getMetadata().getLabels().get(Labels.GENERATION))
                    && r.getSpec() != null
                    && ofRun(r.getMetadata().getLabels(), run))
        .forEach(r -> byKey.put(r.getSpec().key(), r));
    return byKey;
  }

  /**
   * The pods this generation has reports for, by name: the pod (UID) and node each was started for.
   */
  static Map<String, HuntTarget> reportedPods(java.util.Collection<GhostHuntReport> reports) {
    Map<String, HuntTarget> pods = new HashMap<>();
    reports.stream()
        .filter(r -> r.getSpec().getPod() != null)
        .forEach(
            r ->
                pods.put(
                    r.getSpec().getPod(),
                    new HuntTarget(
                        r.getSpec().getNode(),
                        r.getSpec().getPod(),
                        r.getSpec().getPodUid(),
                        null)));
    return pods;
  }

  /**
   * The entries the probes wrote, by target key, with only the findings their hunt asked for; what
   * else a probe wrote is named in one Warning per node (or pod) and run.
   */
  private Map<String, NodeStatus> agentEntries(
      GhostHunt hunt, int run, Map<String, GhostHuntReport> reports, ReportFilter asked) {
    return asked.entries(
        reports,
        hunt.getMetadata().getGeneration(),
        (key, taken) ->
            events.record(hunt, run, HuntEventReason.FindingsDropped, key, taken.describe()));
  }

  private Pod createPod(Pod pod) {
    try {
      return client.resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Created by an earlier reconcile whose informer event has not arrived yet.
        return client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .get();
      }
      throw e;
    }
  }

  /** Whether a pod or report is of {@code run} (0: of a hunt without schedule, no run label). */
  private static boolean ofRun(Map<String, String> labels, int run) {
    return run == 0
        ? !labels.containsKey(Labels.RUN)
        : Integer.toString(run).equals(labels.get(Labels.RUN));
  }

  /** This hunt's pods of its current generation and run, by node, from the informer cache. */
  private Map<String, Pod> currentPods(GhostHunt hunt, int run) {
    String uid = hunt.getMetadata().getUid();
    String gen = Long.toString(hunt.getMetadata().getGeneration());
    Map<String, Pod> byNode = new HashMap<>();
    podSource
        .list(
            config.probeNamespace(),
            p ->
                uid.equals(p.getMetadata().getLabels().get(Labels.HUNT_UID))
                    && gen.equals(p.getMetadata().getLabels().get(Labels.GENERATION))
                    && ofRun(p.getMetadata().getLabels(), run))
        .forEach(p -> byNode.put(p.getSpec().getNodeName(), p));
    return byNode;
  }

  /**
   * The hunt's probes and the agent identity they ran as: gone once the hunt is complete or
   * deleted.
   */
  private void revokeProbes(GhostHunt hunt) {
    deleteProbes(hunt, false);
    rbac.delete(hunt);
  }

  private void deleteProbes(GhostHunt hunt, boolean olderGenerationsOnly) {
    client
        .pods()
        .inNamespace(config.probeNamespace())
        .withLabelSelector(selector(hunt, olderGenerationsOnly))
        .delete();
  }

  /** Reports of older generations (a new spec hunts afresh), or all of them (the hunt is gone). */
  private void deleteReports(GhostHunt hunt, boolean olderGenerationsOnly) {
    client
        .resources(GhostHuntReport.class)
        .inNamespace(hunt.getMetadata().getNamespace())
        .withLabelSelector(selector(hunt, olderGenerationsOnly))
        .delete();
  }

  private static String selector(GhostHunt hunt, boolean olderGenerationsOnly) {
    return Labels.HUNT_UID
        + "="
        + hunt.getMetadata().getUid()
        + (olderGenerationsOnly
            ? "," + Labels.GENERATION + "!=" + hunt.getMetadata().getGeneration()
            : "");
  }

  private GhostHuntStatus invalid(
      long generation, InvalidHuntException e, Instant now, GhostHuntStatus previous) {
    GhostHuntStatus s = new GhostHuntStatus();
    s.setObservedGeneration(generation);
    s.setStartedAt(now.toString());
    s.setPhase(HuntPhase.Failed);
    s.setVerdict(HuntVerdict.Inconclusive);
    s.setGhosts(0);
    s.setSummary("the hunt cannot run: " + e.getMessage());
    List<io.fabric8.kubernetes.api.model.Condition> prev =
        previous == null ? null : previous.getConditions();
    s.setConditions(
        List.of(
            Conditions.of(
                Conditions.COMPLETE, "True", "InvalidSpec", s.getSummary(), generation, prev, now),
            Conditions.of(
                Conditions.GHOST_FOUND,
                "False",
                "InvalidSpec",
                s.getSummary(),
                generation,
                prev,
                now)));
    return s;
  }

  /** Whether writing {@code next} would change what the operator owns. */
  private static boolean sameStatus(GhostHuntStatus prev, GhostHuntStatus next) {
    if (prev == null) {
      return false;
    }
    boolean scalars =
        Objects.equals(prev.getObservedGeneration(), next.getObservedGeneration())
            && prev.getPhase() == next.getPhase()
            && prev.getVerdict() == next.getVerdict()
            && Objects.equals(prev.getGhosts(), next.getGhosts())
            && Objects.equals(prev.getProgress(), next.getProgress())
            && Objects.equals(prev.getSummary(), next.getSummary())
            && Objects.equals(prev.getStartedAt(), next.getStartedAt())
            && Objects.equals(prev.getConditions(), next.getConditions())
            && Objects.equals(prev.getChecks(), next.getChecks())
            && Objects.equals(prev.getHauntedNodes(), next.getHauntedNodes());
    if (!scalars) {
      return false;
    }
    if (next.getNodes() == null) {
      return true;
    }
    Set<String> prevEntries =
        prev.getNodes() == null
            ? Set.of()
            : prev.getNodes().stream()
                .map(n -> n.key() + "|" + n.getPhase() + "|" + n.getMessage())
                .collect(Collectors.toSet());
    return next.getNodes().stream()
        .allMatch(n -> prevEntries.contains(n.key() + "|" + n.getPhase() + "|" + n.getMessage()));
  }

  /** Events for the state reached; the recorder keeps each to once per hunt generation. */
  private void recordEvents(GhostHunt hunt, StatusAggregator.Result result, int run) {
    GhostHuntStatus status = result.status();
    String noun = hunt.getSpec().getPods() != null ? " pod" : " node";
    events.record(
        hunt,
        run,
        HuntEventReason.HuntStarted,
        "hunting on "
            + result.nodes().size()
            + noun
            + (result.nodes().size() == 1 ? "" : "s")
            + " (generation "
            + status.getObservedGeneration()
            + ")");
    for (NodeStatus n : result.nodes()) {
      if (n.getPhase() == NodePhase.Unreachable) {
        events.record(
            hunt, run, HuntEventReason.NodeUnreachable, n.subject() + ": " + n.getMessage());
      } else if (n.getPhase() == NodePhase.Failed) {
        events.record(hunt, run, HuntEventReason.ProbeFailed, n.subject() + ": " + n.getMessage());
      }
    }
    if (!result.complete()) {
      return;
    }
    if (status.getPhase() == HuntPhase.Failed) {
      events.record(
          hunt,
          run,
          hunt.getSpec().getPods() != null ? HuntEventReason.NoPods : HuntEventReason.NoNodes,
          status.getSummary());
    } else if (status.getVerdict() == HuntVerdict.Haunted) {
      events.record(hunt, run, HuntEventReason.GhostFound, status.getSummary());
    } else if (status.getVerdict() == HuntVerdict.Clear) {
      events.record(hunt, run, HuntEventReason.HuntClear, status.getSummary());
    } else {
      events.record(hunt, run, HuntEventReason.HuntInconclusive, status.getSummary());
    }
  }

  @Override
  public DeleteControl cleanup(GhostHunt hunt, Context<GhostHunt> context) {
    // Owner references cannot cross namespaces (the probes live in the probe namespace): delete by
    // label.
    revokeProbes(hunt);
    // Owner references would remove the reports too, where a garbage collector runs; no need to
    // wait for it.
    deleteReports(hunt, false);
    events.forget(hunt);
    written.remove(hunt.getMetadata().getUid());
    metrics.forget(
        hunt.getMetadata().getUid(),
        hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }
}
