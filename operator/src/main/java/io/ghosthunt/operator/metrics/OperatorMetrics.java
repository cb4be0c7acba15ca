package io.ghosthunt.operator.metrics;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodeStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the operator has done, in a Micrometer registry served in the Prometheus format: hunts
 * completed by verdict, ghosts found by kind, check and hunt durations, reconcile errors; beside
 * them the JVM's meters and JOSDK's reconcile meters (micrometer-support), from the same registry.
 */
public final class OperatorMetrics {

  private static final Duration[] CHECK_BUCKETS =
      seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
  private static final Duration[] HUNT_BUCKETS =
      seconds(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter reconcileErrors;
  private final Timer huntDurations;

  /**
   * Per hunt UID, the last round (generation/run) counted: one entry a hunt however often it runs,
   * since a scheduled hunt's runs finish one after another.
   */
  private final Map<String, String> seen = new ConcurrentHashMap<>();

  /** Per hunt (namespace/name): ghosts by [node or pod/NAME, ghost]. */
  private final Map<String, Map<List<String>, Integer>> current = new java.util.HashMap<>();

  private final MultiGauge currentGhosts;

  public OperatorMetrics() {
    for (var binder :
        List.of(
            new JvmMemoryMetrics(),
            new JvmGcMetrics(),
            new JvmThreadMetrics(),
            new ProcessorMetrics(),
            new UptimeMetrics())) {
      binder.bindTo(registry);
    }
    reconcileErrors =
        Counter.builder("ghosthunt.reconcile.errors")
            .description("Reconciles that failed (retried by the operator).")
            .register(registry);
    currentGhosts =
        MultiGauge.builder("ghosthunt.ghosts")
            .description(
                "Ghosts a hunt's latest completed run found, by hunt, node (or pod/NAME) and ghost.")
            .register(registry);
    huntDurations =
        Timer.builder("ghosthunt.hunt.duration")
            .description("From a hunt's start to its completion.")
            .serviceLevelObjectives(HUNT_BUCKETS)
            .register(registry);
    // Every series there can be, at 0 from the start: Prometheus's increase() cannot see a
    // series' first count when the series is born with it.
    for (HuntVerdict v : HuntVerdict.values()) {
      hunts(String.valueOf(v));
    }
    for (GhostName g : GhostName.values()) {
      ghostsFound(g.name());
    }
  }

  private Counter hunts(String verdict) {
    return Counter.builder("ghosthunt.hunts")
        .description("Hunts completed, by verdict.")
        .tag("verdict", verdict)
        .register(registry);
  }

  private Counter ghostsFound(String ghost) {
    return Counter.builder("ghosthunt.ghosts.found")
        .description("Ghost findings in completed hunts, by ghost.")
        .tag("ghost", ghost)
        .register(registry);
  }

  private Counter appearances(String hunt, String ghost) {
    return Counter.builder("ghosthunt.ghost.appearances")
        .description("Ghosts found by a scheduled run and not by the run before it.")
        .tag("hunt", hunt)
        .tag("ghost", ghost)
        .register(registry);
  }

  /**
   * A scheduled hunt (namespace/name) completed a run: its appearance series exist from now on, at
   * 0 until a ghost appears, so that the first appearance is an increase the alert sees.
   */
  public void scheduledRunCompleted(String hunt) {
    for (GhostName g : GhostName.values()) {
      appearances(hunt, g.name());
    }
  }

  /** The registry JOSDK's metrics and the /metrics endpoint share. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A hunt reached Complete (or Failed): counted once per hunt UID and round (generation/run), from
   * every node's entry (the reports' findings, not the hunt's capped status).
   */
  public void huntFinished(
      String uid, String round, GhostHuntStatus status, List<NodeStatus> nodes, Instant now) {
    if (round.equals(seen.put(uid, round))) {
      return;
    }
    hunts(String.valueOf(status.getVerdict())).increment();
    if (status.getStartedAt() != null) {
      huntDurations.record(Duration.between(Instant.parse(status.getStartedAt()), now));
    }
    for (NodeStatus node : nodes) {
      for (Finding f : node.getFindings() == null ? List.<Finding>of() : node.getFindings()) {
        if (f.isGhost() && f.getGhost() != null) {
          ghostsFound(f.getGhost().name()).increment();
        }
        if (f.getDurationMs() != null) {
          Timer.builder("ghosthunt.check.duration")
              .description("Time a check took on a node.")
              .tag("check", f.getCheck().key())
              .serviceLevelObjectives(CHECK_BUCKETS)
              .register(registry)
              .record(Duration.ofMillis(f.getDurationMs()));
        }
      }
    }
  }

  /**
   * The ghosts a hunt (namespace/name) sees now, by node (or pod) and ghost, from its latest
   * completed hunt or run: what an alert on a ghost that stays asks for.
   */
  public void currentGhosts(String hunt, List<NodeStatus> entries) {
    Map<List<String>, Integer> counts = new java.util.HashMap<>();
    for (NodeStatus n : entries) {
      for (Finding f : n.getFindings() == null ? List.<Finding>of() : n.getFindings()) {
        if (f.isGhost() && f.getGhost() != null) {
          counts.merge(
              List.of(n.getPod() == null ? n.getNode() : "pod/" + n.getPod(), f.getGhost().name()),
              1,
              Integer::sum);
        }
      }
    }
    synchronized (current) {
      current.put(hunt, counts);
      publishCurrent();
    }
  }

  /** A scheduled hunt's run found a ghost the run before did not. */
  public void ghostAppeared(String hunt, GhostName ghost) {
    appearances(hunt, String.valueOf(ghost)).increment();
  }

  private void publishCurrent() {
    List<MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
    current.forEach(
        (hunt, counts) ->
            counts.forEach(
                (key, n) ->
                    rows.add(
                        MultiGauge.Row.of(
                            Tags.of("hunt", hunt, "node", key.get(0), "ghost", key.get(1)), n))));
    currentGhosts.register(rows, true);
  }

  /**
   * The hunt (UID, namespace/name) is gone: its once-only mark, its current ghosts and its
   * appearance counters go too, so a long-running operator does not grow with the hunts it saw.
   */
  public void forget(String uid, String hunt) {
    seen.remove(uid);
    synchronized (current) {
      if (current.remove(hunt) != null) {
        publishCurrent();
      }
    }
    registry
        .find("ghosthunt.ghost.appearances")
        .tag("hunt", hunt)
        .counters()
        .forEach(registry::remove);
  }

  /** What is held per hunt beside the registry: once-only marks and current ghosts. */
  int held() {
    synchronized (current) {
      return seen.size() + current.size();
    }
  }

  public void reconcileError() {
    reconcileErrors.increment();
  }

  /** The exposition text for /metrics. */
  public String render() {
    return registry.scrape();
  }

  private static Duration[] seconds(double... s) {
    Duration[] d = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      d[i] = Duration.ofNanos((long) (s[i] * 1e9));
    }
    return d;
  }
}
