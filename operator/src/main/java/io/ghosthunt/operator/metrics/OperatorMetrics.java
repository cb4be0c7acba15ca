package io.ghosthunt.operator.metrics;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * What the operator has done, in the Prometheus text format: hunts completed by verdict, ghosts
 * found by kind, check and hunt durations, reconcile errors. A handful of series, so a few counters
 * of our own rather than a metrics library.
 */
public final class OperatorMetrics {

  private static final double[] CHECK_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final double[] HUNT_BUCKETS = {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

  private final Map<String, AtomicLong> huntsByVerdict = new ConcurrentSkipListMap<>();
  private final Map<String, AtomicLong> ghostsByKind = new ConcurrentSkipListMap<>();
  private final Map<String, Histogram> checkDurations = new ConcurrentSkipListMap<>();
  private final Histogram huntDurations = new Histogram(HUNT_BUCKETS);
  private final AtomicLong reconcileErrors = new AtomicLong();
  private final Map<String, Boolean> seen = new ConcurrentHashMap<>();

  /**
   * A hunt reached Complete (or Failed): counted once per hunt UID and generation, from every node's
   * entry (the reports' findings, not the hunt's capped status).
   */
  public void huntFinished(String uid, long generation, GhostHuntStatus status, java.util.List<NodeStatus> nodes, Instant now) {
    if (seen.putIfAbsent(uid + "/" + generation, Boolean.TRUE) != null) {
      return;
    }
    huntsByVerdict.computeIfAbsent(String.valueOf(status.getVerdict()), k -> new AtomicLong()).incrementAndGet();
    if (status.getStartedAt() != null) {
      huntDurations.observe(Duration.between(Instant.parse(status.getStartedAt()), now).toMillis() / 1000.0);
    }
    for (NodeStatus node : nodes) {
      for (Finding f : node.getFindings() == null ? java.util.List.<Finding>of() : node.getFindings()) {
        if (f.isGhost() && f.getGhost() != null) {
          ghostsByKind.computeIfAbsent(f.getGhost().name(), k -> new AtomicLong()).incrementAndGet();
        }
        if (f.getDurationMs() != null) {
          checkDurations.computeIfAbsent(f.getCheck().key(), k -> new Histogram(CHECK_BUCKETS))
              .observe(f.getDurationMs() / 1000.0);
        }
      }
    }
  }

  /** The hunt is gone: its once-only marks go too, so a long-running operator does not grow. */
  public void forget(String uid) {
    seen.keySet().removeIf(k -> k.startsWith(uid + "/"));
  }

  public void reconcileError() {
    reconcileErrors.incrementAndGet();
  }

  /** The exposition text for /metrics. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP ghosthunt_hunts_total Hunts completed, by verdict.\n# TYPE ghosthunt_hunts_total counter\n");
    huntsByVerdict.forEach((v, n) -> b.append("ghosthunt_hunts_total{verdict=\"").append(v).append("\"} ").append(n.get()).append('\n'));
    b.append("# HELP ghosthunt_ghosts_found_total Ghost findings in completed hunts, by ghost.\n")
        .append("# TYPE ghosthunt_ghosts_found_total counter\n");
    ghostsByKind.forEach((g, n) -> b.append("ghosthunt_ghosts_found_total{ghost=\"").append(g).append("\"} ").append(n.get()).append('\n'));
    b.append("# HELP ghosthunt_check_duration_seconds Time a check took on a node (findings other than Clear).\n")
        .append("# TYPE ghosthunt_check_duration_seconds histogram\n");
    checkDurations.forEach((c, h) -> h.render(b, "ghosthunt_check_duration_seconds", "check=\"" + c + "\""));
    b.append("# HELP ghosthunt_hunt_duration_seconds From a hunt's start to its completion.\n")
        .append("# TYPE ghosthunt_hunt_duration_seconds histogram\n");
    huntDurations.render(b, "ghosthunt_hunt_duration_seconds", null);
    b.append("# HELP ghosthunt_reconcile_errors_total Reconciles that failed (retried by the operator).\n")
        .append("# TYPE ghosthunt_reconcile_errors_total counter\n")
        .append("ghosthunt_reconcile_errors_total ").append(reconcileErrors.get()).append('\n');
    return b.toString();
  }

  private static final class Histogram {
    private final double[] bounds;
    private final AtomicLong[] counts;
    private final AtomicLong count = new AtomicLong();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new AtomicLong[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        counts[i] = new AtomicLong();
      }
    }

    void observe(double value) {
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          counts[i].incrementAndGet();
        }
      }
      count.incrementAndGet();
      sum.add(value);
    }

    void render(StringBuilder b, String name, String labels) {
      String prefix = labels == null ? "" : labels + ",";
      for (int i = 0; i < bounds.length; i++) {
        b.append(name).append("_bucket{").append(prefix).append("le=\"").append(number(bounds[i])).append("\"} ")
            .append(counts[i].get()).append('\n');
      }
      b.append(name).append("_bucket{").append(prefix).append("le=\"+Inf\"} ").append(count.get()).append('\n');
      String plain = labels == null ? "" : "{" + labels + "}";
      b.append(name).append("_sum").append(plain).append(' ').append(number(sum.sum())).append('\n');
      b.append(name).append("_count").append(plain).append(' ').append(count.get()).append('\n');
    }

    private static String number(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }
  }
}
