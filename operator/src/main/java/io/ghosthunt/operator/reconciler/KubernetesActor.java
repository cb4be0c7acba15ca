package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.decision.Blocker;
import io.ghosthunt.operator.decision.HuntEventReason;
import io.ghosthunt.operator.decision.HuntPlan;
import io.ghosthunt.operator.decision.HuntPlan.ProbeStart;
import io.ghosthunt.operator.decision.HuntPlan.Round;
import io.ghosthunt.operator.decision.HuntPlan.Started;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import io.ghosthunt.operator.observer.HuntInformers;
import io.ghosthunt.operator.probes.AgentRbac;
import io.ghosthunt.operator.probes.Labels;
import io.ghosthunt.operator.probes.ProbePodFactory;
import io.ghosthunt.operator.probes.ReportFactory;
import io.ghosthunt.operator.probes.ServiceLookup;
import io.ghosthunt.operator.status.OpenReport;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator's actor: every write a reconcile makes goes through here. */
public final class KubernetesActor implements HuntActor {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesActor.class);

  /**
   * Probes start in parallel: a thousand nodes' pods and reports one after the other took most of a
   * hunt's time; more than this many at once only queues at the API server's inflight limit.
   */
  static final int PARALLEL_STARTS = 8;

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final ProbePodFactory pods;
  private final ServiceLookup serviceLookup;
  private final AgentRbac rbac;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Supplier<HuntInformers> informers;
  private final ExecutorService starter =
      Executors.newFixedThreadPool(
          PARALLEL_STARTS,
          r -> {
            Thread t = new Thread(r, "probe-starter");
            t.setDaemon(true);
            return t;
          });

  public KubernetesActor(
      KubernetesClient client,
      OperatorConfig config,
      EventRecorder events,
      OperatorMetrics metrics,
      Supplier<HuntInformers> informers) {
    this.client = client;
    this.config = config;
    this.pods = new ProbePodFactory(config);
    this.rbac = new AgentRbac(client, config);
    this.serviceLookup = new ServiceLookup(client, starter);
    this.events = events;
    this.metrics = metrics;
    this.informers = informers;
  }

  @Override
  public Started start(GhostHunt hunt, List<ProbeStart> starts) {
    try {
      // In order: the API server binds the agent's Role only once it can read it (AgentRbac).
      for (List<Runnable> round : rbac.applies(hunt)) {
        allAtOnce(round);
      }
    } catch (KubernetesClientException e) {
      return new Started(Map.of(), Map.of(), Optional.of(blockerOrThrow(e)));
    }
    ServiceFacts services = services(hunt, starts);
    Map<String, Pod> created = new ConcurrentHashMap<>();
    Map<String, String> refused = new ConcurrentHashMap<>();
    List<Future<Optional<Blocker>>> done =
        starts.stream()
            .map(s -> starter.submit(() -> startOne(hunt, s, services, created, refused)))
            .toList();
    Optional<Blocker> blocker = Optional.empty();
    for (Future<Optional<Blocker>> f : done) {
      Optional<Blocker> b = await(f);
      blocker = blocker.isPresent() ? blocker : b;
    }
    return new Started(Map.copyOf(created), Map.copyOf(refused), blocker);
  }

  /**
   * The node's reports, then its pod. A pod the API server refuses for good (Pod Security
   * Admission, a policy engine, a quota) fails only its node; what blocks every probe (no probe
   * namespace, RBAC) is returned for the hunt to say.
   */
  private Optional<Blocker> startOne(
      GhostHunt hunt,
      ProbeStart s,
      ServiceFacts services,
      Map<String, Pod> created,
      Map<String, String> refused) {
    Pod pod = pods.build(hunt, s.node(), s.timeoutSeconds(), s.targets(), s.run(), services);
    if (informers.get().probeExists(config.probeNamespace(), pod.getMetadata().getName())) {
      return Optional.empty(); // started, with its reports, by an earlier reconcile
    }
    try {
      s.reports().forEach(t -> createIfAbsent(ReportFactory.build(hunt, t, s.run())));
      Pod made = createIfAbsent(pod);
      if (made != null) {
        informers.get().created(hunt, made);
        created.put(s.node(), made);
      }
      return Optional.empty();
    } catch (KubernetesClientException e) {
      Optional<Blocker> blocker = Blocker.of(e, config.probeNamespace());
      if (blocker.isPresent()) {
        return blocker;
      }
      if (e.getCode() != 403 && e.getCode() != 422) {
        throw e; // transient: JOSDK retries
      }
      refused.put(s.node(), said(e));
      return Optional.empty();
    }
  }

  /**
   * What the API says of the Services a pod hunt's names may name, read once for its probes and
   * only when a probe is to be made (a reconcile that finds them all made reads nothing).
   */
  private ServiceFacts services(GhostHunt hunt, List<ProbeStart> starts) {
    boolean toMake =
        starts.stream()
            .anyMatch(
                s ->
                    !s.targets().isEmpty()
                        && !informers
                            .get()
                            .probeExists(
                                config.probeNamespace(), Labels.podName(hunt, s.node(), s.run())));
    if (!toMake) {
      return ServiceFacts.NONE;
    }
    try {
      return serviceLookup.facts(hunt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while reading the hunt's Services", e);
    }
  }

  /** The object created, or null when it existed already (an earlier reconcile made it). */
  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T createIfAbsent(T object) {
    try {
      return client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return null;
      }
      throw e;
    }
  }

  private Optional<Blocker> await(Future<Optional<Blocker>> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException(
          "interrupted while calling the API server for the probes", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KubernetesClientException k
          ? k
          : new KubernetesClientException(e.getCause().toString(), e.getCause());
    }
  }

  /** The blocker an API error means; anything else is transient and JOSDK retries. */
  private Blocker blockerOrThrow(KubernetesClientException e) {
    return Blocker.of(e, config.probeNamespace()).orElseThrow(() -> e);
  }

  private static String said(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }

  @Override
  public void perform(GhostHunt hunt, HuntPlan plan, Context<GhostHunt> context) {
    plan.events().forEach(e -> events.record(hunt, e.run(), e.reason(), e.once(), e.message()));
    if (plan.finished() != null) {
      // Counted before the Complete status lands, so whoever sees it complete sees it counted.
      metrics.huntFinished(
          hunt.getMetadata().getUid(),
          plan.finished().round(),
          plan.finished().status(),
          plan.finished().nodes(),
          plan.finished().at());
      String key = huntKey(hunt);
      if (!plan.finished().round().endsWith("/0")) {
        metrics.scheduledRunCompleted(key);
      }
      metrics.currentGhosts(key, plan.finished().nodes());
      plan.finished().appeared().forEach(g -> metrics.ghostAppeared(key, g));
      LOG.info(
          "complete: {} {}",
          plan.finished().status().getVerdict(),
          plan.finished().status().getSummary());
    }
    // The cleanup before the verdict: once a hunt is Complete no probe of it runs or holds a right.
    if (plan.revoke()) {
      revoke(hunt);
    }
    if (plan.keep() != null) {
      dropOtherRounds(hunt, plan.keep());
    }
    if (plan.finished() != null && plan.finished().openReport() != null && plan.status() != null) {
      // Before the verdict, so that whoever sees the hunt complete finds its Report.
      writeReport(hunt, plan.finished(), plan.status());
    }
    if (plan.status() != null) {
      // Server-side apply from a fresh object, put into the controller's cache at once, so that
      // the next reconcile reads what this one wrote.
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(
          hunt, StatusWriter.fresh(hunt, plan.status()), context);
    }
  }

  /**
   * Applies the run's Report. One the API server refuses for good (a 4xx: a policy, a quota, a
   * schema) does not hold back the verdict: the status the planner made says so instead, and an
   * Event; anything else is thrown, and JOSDK retries the whole write.
   */
  private void writeReport(GhostHunt hunt, HuntPlan.Finished finished, GhostHuntStatus status) {
    GenericKubernetesResource report = finished.openReport();
    try {
      client
          .resource(report)
          .fieldManager(StatusWriter.FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
    } catch (KubernetesClientException e) {
      if (e.getCode() < 400 || e.getCode() >= 500 || e.getCode() == 429) {
        throw e;
      }
      String said = said(e);
      LOG.warn("Report {} refused ({}): {}", report.getMetadata().getName(), e.getCode(), said);
      String round = finished.round();
      events.record(
          hunt,
          Integer.parseInt(round.substring(round.indexOf('/') + 1)),
          HuntEventReason.OpenReportRefused,
          "the API server refused Report " + report.getMetadata().getName() + ": " + said);
      // The planner's fresh status, not a cached object: it carries the refusal to the write.
      status.setConditions(
          OpenReport.with(
              status.getConditions(),
              OpenReport.refused(
                  hunt,
                  said,
                  hunt.getMetadata().getGeneration(),
                  hunt.getStatus() == null ? null : hunt.getStatus().getConditions(),
                  finished.at())));
    }
  }

  private static String huntKey(GhostHunt hunt) {
    return hunt.getMetadata().getNamespace() + "/" + hunt.getMetadata().getName();
  }

  /** The hunt's probes and the agent identity they ran as. */
  private void revoke(GhostHunt hunt) {
    List<Runnable> deletions = new ArrayList<>(rbac.deletions(hunt));
    deletions.add(
        () ->
            client
                .pods()
                .inNamespace(config.probeNamespace())
                .withLabelSelector(Labels.HUNT_UID + "=" + hunt.getMetadata().getUid())
                .delete());
    // The verdict is written after them (Complete means no probe holds a right any more).
    allAtOnce(deletions);
  }

  /**
   * Independent API calls on the starter threads, waited for: one round trip instead of one per
   * call. The first failure is thrown, as a {@link KubernetesClientException}.
   */
  private void allAtOnce(List<Runnable> calls) {
    List<Future<Optional<Blocker>>> done =
        calls.stream()
            .map(
                c ->
                    starter.submit(
                        () -> {
                          c.run();
                          return Optional.<Blocker>empty();
                        }))
            .toList();
    done.forEach(this::await);
  }

  /** The probes and reports of every round but {@code keep}. */
  private void dropOtherRounds(GhostHunt hunt, Round keep) {
    LOG.info("hunting generation {} run {}", keep.generation(), keep.run());
    String uid = Labels.HUNT_UID + "=" + hunt.getMetadata().getUid();
    List<String> others = new java.util.ArrayList<>();
    others.add(uid + "," + Labels.GENERATION + "!=" + keep.generation());
    if (keep.run() > 0) {
      others.add(uid + "," + Labels.RUN + "!=" + keep.run());
    }
    for (String selector : others) {
      client.pods().inNamespace(config.probeNamespace()).withLabelSelector(selector).delete();
      client
          .resources(GhostHuntReport.class)
          .inNamespace(hunt.getMetadata().getNamespace())
          .withLabelSelector(selector)
          .delete();
    }
  }

  @Override
  public void cleanup(GhostHunt hunt) {
    // Owner references cannot cross namespaces (the probes live in the probe namespace): by label.
    revoke(hunt);
    // Owner references would remove the reports too, where a garbage collector runs; no need to
    // wait for it.
    client
        .resources(GhostHuntReport.class)
        .inNamespace(hunt.getMetadata().getNamespace())
        .withLabelSelector(Labels.HUNT_UID + "=" + hunt.getMetadata().getUid())
        .delete();
    events.forget(hunt);
    metrics.forget(hunt.getMetadata().getUid(), huntKey(hunt));
  }

  /** Stops the starter threads with the operator. */
  public void close() {
    starter.shutdownNow();
  }
}
