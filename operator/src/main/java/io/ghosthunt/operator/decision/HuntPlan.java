package io.ghosthunt.operator.decision;

import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.observer.HuntTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one reconcile does about a hunt, decided from its picture: the actor performs it in this
 * order (events, metrics, revoke, drop other rounds, start probes, then the one status write).
 *
 * @param revoke the hunt's probes and the agent identity they run as go (before the status says the
 *     hunt is over, so that whoever sees it over finds no probe rights left)
 * @param keep when set, the probes and reports of every other round of the hunt go
 * @param start the probes to start now
 * @param afterStart the rest of the plan once the API server has answered the starts (only with
 *     probes to start): the status then says which it refused
 * @param status the status to write, or null when the stored one stands
 * @param events the Events of this state (the recorder keeps each to once per round)
 * @param finished a round that completed now: what the metrics count
 * @param lookAgain when to reconcile again without an event, or null
 */
public record HuntPlan(
    boolean revoke,
    Round keep,
    List<ProbeStart> start,
    Function<Started, HuntPlan> afterStart,
    GhostHuntStatus status,
    List<HuntEvent> events,
    Finished finished,
    Duration lookAgain) {

  public HuntPlan {
    start = List.copyOf(start);
    events = List.copyOf(events);
  }

  /** A round of a hunt: its generation and, for a scheduled hunt, its run (else 0). */
  public record Round(long generation, int run) {}

  /**
   * One probe to start.
   *
   * @param node where it runs
   * @param targets in a pod hunt, the pods on the node it hunts in; empty in a node hunt
   * @param reports the targets whose report is created with it (those without one yet)
   * @param timeoutSeconds what is left of the hunt's time: the pod's activeDeadlineSeconds
   */
  public record ProbeStart(
      String node,
      List<HuntTarget> targets,
      List<HuntTarget> reports,
      long timeoutSeconds,
      int run) {}

  /**
   * What the API server said to the starts.
   *
   * @param pods the pods created, by node (absent: created before, by an earlier reconcile)
   * @param refused the nodes whose pod was refused for good, with the API server's words
   * @param blocker what keeps every probe from starting, if anything
   * @param answeredAt when the API server had answered every start (the last pod created by then):
   *     the reconciler's clock once the actor returns, null until it is stamped
   */
  public record Started(
      Map<String, Pod> pods,
      Map<String, String> refused,
      Optional<Blocker> blocker,
      Instant answeredAt) {
    public static final Started NONE = new Started(Map.of(), Map.of(), Optional.empty());

    public Started(Map<String, Pod> pods, Map<String, String> refused, Optional<Blocker> blocker) {
      this(pods, refused, blocker, null);
    }

    /** This answer, stamped with when it came. */
    public Started answeredAt(Instant at) {
      return new Started(pods, refused, blocker, at);
    }
  }

  /** An Event: recorded once per round and {@code once}, with {@code message}. */
  public record HuntEvent(int run, HuntEventReason reason, String once, String message) {
    public HuntEvent(int run, HuntEventReason reason, String message) {
      this(run, reason, message, message);
    }
  }

  /**
   * A round that completed: what the operator's metrics count once per round.
   *
   * @param round the round's key (generation/run)
   * @param nodes every target's entry (not the hunt's capped status)
   * @param appeared the ghosts a scheduled run found that the run before did not
   * @param at when it completed
   * @param openReport the round's OpenReports Report to apply, or null
   */
  public record Finished(
      String round,
      GhostHuntStatus status,
      List<NodeStatus> nodes,
      List<GhostName> appeared,
      java.time.Instant at,
      io.fabric8.kubernetes.api.model.GenericKubernetesResource openReport) {}

  /** Nothing to do and nothing to write: an event may wake the hunt. */
  public static HuntPlan nothing() {
    return new HuntPlan(false, null, List.of(), null, null, List.of(), null, null);
  }

  public HuntPlan withRevoke(boolean revoke) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  public HuntPlan withKeep(Round keep) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  public HuntPlan withStatus(GhostHuntStatus status) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  public HuntPlan withEvents(List<HuntEvent> events) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  public HuntPlan withLookAgain(Duration lookAgain) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  public HuntPlan withFinished(Finished finished) {
    return new HuntPlan(revoke, keep, start, afterStart, status, events, finished, lookAgain);
  }

  /** First the probes, then the rest, decided from what the API server answered. */
  public static HuntPlan starting(List<ProbeStart> start, Function<Started, HuntPlan> afterStart) {
    return new HuntPlan(false, null, start, afterStart, null, List.of(), null, null);
  }
}
