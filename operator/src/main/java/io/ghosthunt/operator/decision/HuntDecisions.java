package io.ghosthunt.operator.decision;

import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.observer.HuntTarget;
import io.ghosthunt.operator.observer.ProbePodProblem;
import io.ghosthunt.operator.status.NodeOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What to do about one generation of a hunt, decided from what was observed: pure functions, the
 * clock an argument, nothing read or written here.
 */
public final class HuntDecisions {

  /** A safety net: pod and report events drive the hunt, this only bounds a missed one. */
  static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private HuntDecisions() {}

  /**
   * Whether no reconcile has caught up with a hunt's spec: it has no status yet, or one written for
   * an older generation. Every reconcile writes {@code observedGeneration}, so a hunt that stays
   * like this lost the event that should have started it.
   */
  public static boolean unreconciled(Long generation, Long observedGeneration, boolean deleting) {
    return !deleting
        && generation != null
        && (observedGeneration == null || observedGeneration < generation);
  }

  /**
   * Whether a hunt's round has been going for longer than {@code quiet} (its clock older, its phase
   * neither Complete nor Failed): it may have lost the event that moves it on. A round whose probes
   * were never started waits for nothing else: JOSDK's per-name event state can drop the reconcile
   * that follows its clock when the same name was deleted and created again at once (seen in the
   * haunted-house test: Pending, its clock written, no probe, for 180 s). Waking a round that is
   * going costs one reconcile that finds nothing new.
   */
  public static boolean overdue(HuntPhase phase, String startedAt, Instant now, Duration quiet) {
    if (phase == HuntPhase.Complete || phase == HuntPhase.Failed || startedAt == null) {
      return false;
    }
    try {
      return Instant.parse(startedAt).plus(quiet).isBefore(now);
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  /**
   * What the operator sees of a hunt's current generation.
   *
   * @param targets the targeted nodes (or pods), each with the reason it cannot be hunted, if any
   * @param pods this generation's probe pods, by node
   * @param reports the targets (by key: the node, or {@code pod/NAME}) that have their report
   *     already
   * @param entries what the probes reported (their reports' status), by target key
   * @param now the time of this look
   * @param deadline {@code status.startedAt + timeoutSeconds}
   */
  public record Observed(
      List<HuntTarget> targets,
      Map<String, Pod> pods,
      java.util.Set<String> reports,
      Map<String, NodeStatus> entries,
      Instant now,
      Instant deadline) {}

  /**
   * The nodes whose probe starts now: with a huntable target (the node, or a pod on it) that has no
   * entry yet, and no probe pod, while there is time. One probe per node covers all its pods.
   */
  public static List<String> probesToStart(Observed o) {
    if (!o.now().isBefore(o.deadline())) {
      return List.of();
    }
    return o.targets().stream()
        .filter(t -> t.problem() == null)
        .filter(t -> !o.pods().containsKey(t.node()) && !o.entries().containsKey(t.key()))
        .map(HuntTarget::node)
        .distinct()
        .toList();
  }

  /**
   * A node hunt's targets, with every node that has a report of this round although it is no longer
   * among the nodes (deleted, or relabelled out of the selector): what its probe found stands.
   */
  public static List<HuntTarget> withReportedNodes(
      List<HuntTarget> targets, java.util.Set<String> reported) {
    java.util.Set<String> targeted = new java.util.HashSet<>();
    targets.forEach(t -> targeted.add(t.key()));
    List<HuntTarget> all = new ArrayList<>(targets);
    reported.stream()
        .filter(key -> !targeted.contains(key) && !key.startsWith("pod/"))
        .sorted()
        .forEach(key -> all.add(HuntTarget.node(key, "the node no longer exists")));
    return all;
  }

  /** The targets a node's new probe hunts: the huntable ones on it that have no entry yet. */
  public static List<HuntTarget> targetsOn(Observed o, String node) {
    return o.targets().stream()
        .filter(
            t -> t.problem() == null && node.equals(t.node()) && !o.entries().containsKey(t.key()))
        .toList();
  }

  /**
   * Each target's outcome for the aggregate: unhuntable nodes with their reason, the pods as they
   * are (or just made), and the pods the API server refused with its words.
   */
  public static List<NodeOutcome> outcomes(
      Observed o, Map<String, Pod> started, Map<String, String> refused) {
    List<NodeOutcome> outcomes = new ArrayList<>();
    for (HuntTarget t : o.targets()) {
      Pod pod =
          t.node() == null
              ? null
              : o.pods().containsKey(t.node()) ? o.pods().get(t.node()) : started.get(t.node());
      NodeOutcome outcome;
      if (t.problem() != null) {
        outcome = NodeOutcome.unreachable(t.node(), t.problem());
      } else if (refused.containsKey(t.node())) {
        outcome =
            NodeOutcome.pod(
                t.node(), "Failed", "refused by the API server: " + refused.get(t.node()));
      } else if (pod == null) {
        outcome = NodeOutcome.pod(t.node(), null, null);
      } else {
        outcome =
            NodeOutcome.pod(t.node(), ProbePodProblem.phase(pod), ProbePodProblem.describe(pod));
      }
      outcomes.add(t.pod() == null ? outcome : outcome.inPod(t.pod()));
    }
    return outcomes;
  }

  /**
   * When to look again at a hunt still running: at its deadline (and every second after), at most
   * 30 s on.
   */
  public static Duration nextLook(Instant now, Instant deadline) {
    Duration wait = Duration.between(now, deadline);
    wait = wait.isNegative() ? Duration.ofSeconds(1) : wait.plusSeconds(1);
    return wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT;
  }
}
