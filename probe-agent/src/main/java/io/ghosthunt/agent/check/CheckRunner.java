package io.ghosthunt.agent.check;

import io.ghosthunt.agent.redact.Redactor;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a hunt's checks in parallel, each bounded by the hunt's deadline, into one node entry.
 *
 * <p>Every finding of every check passes here, in the agent, in {@code ghosthunt check} and in the
 * child a pod hunt starts, so this is where evidence is redacted ({@link Redactor}): once, for all
 * checks, those to come included, and with no way to skip it.
 */
public final class CheckRunner {

  private static final Logger LOG = LoggerFactory.getLogger(CheckRunner.class);

  private final Map<CheckKey, Check> checks;

  public CheckRunner(List<Check> checks) {
    this.checks = new LinkedHashMap<>();
    checks.forEach(c -> this.checks.put(c.key(), c));
  }

  public NodeStatus run(ResolvedHunt hunt, String node, Duration timeout) {
    return run(hunt, node, timeout, ConfigMaps.NONE);
  }

  public NodeStatus run(ResolvedHunt hunt, String node, Duration timeout, ConfigMaps configMaps) {
    return run(hunt, node, timeout, configMaps, ServiceFacts.NONE);
  }

  public NodeStatus run(
      ResolvedHunt hunt,
      String node,
      Duration timeout,
      ConfigMaps configMaps,
      ServiceFacts services) {
    CheckContext context =
        new CheckContext(node, Instant.now().plus(timeout), configMaps, services);
    List<CheckKey> keys = new ArrayList<>(hunt.keys());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, keys.size()),
            r -> {
              Thread t = new Thread(r, "check");
              t.setDaemon(true);
              return t;
            });
    try {
      Map<CheckKey, Future<List<Finding>>> running = new LinkedHashMap<>();
      Map<CheckKey, Long> started = new LinkedHashMap<>();
      for (CheckKey key : keys) {
        Check check = checks.get(key);
        started.put(key, System.nanoTime());
        running.put(
            key,
            pool.submit(
                () ->
                    check == null
                        ? List.of(
                            Findings.error(
                                key, "-", "the " + key + " check is not available in this build"))
                        : check.run(hunt.checks(), context)));
      }
      NodeStatus status = new NodeStatus(node, NodePhase.Done);
      for (Map.Entry<CheckKey, Future<List<Finding>>> e : running.entrySet()) {
        CheckKey key = e.getKey();
        List<Finding> findings;
        try {
          findings = e.getValue().get(context.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException ex) {
          e.getValue().cancel(true);
          findings =
              List.of(
                  Findings.error(
                      key,
                      "-",
                      "timed out after "
                          + timeout.toSeconds()
                          + " s (spec.timeoutSeconds): the check did not finish in time"));
        } catch (ExecutionException ex) {
          Throwable cause = ex.getCause();
          LOG.debug("check {} failed", key, redacted(cause));
          findings = List.of(Findings.error(key, "-", "the check failed: " + cause));
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          findings = List.of(Findings.error(key, "-", "interrupted"));
        }
        long tookMs = (System.nanoTime() - started.get(key)) / 1_000_000;
        for (Finding f : findings) {
          if (f.getDurationMs() == null) {
            f.setDurationMs(tookMs);
          }
          status.addFinding(Redactor.redact(f));
        }
      }
      return status;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A failure for the log: its frames as they were, its message redacted (an exception may quote
   * the URL or the command it failed on).
   */
  static Throwable redacted(Throwable cause) {
    Throwable t = new Throwable(Redactor.redact(String.valueOf(cause)));
    t.setStackTrace(cause.getStackTrace());
    return t;
  }
}
