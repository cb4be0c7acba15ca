package io.ghosthunt.operator.decision;

import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.observer.NodeTargets.HuntedNode;
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
   * What the operator sees of a hunt's current generation.
   *
   * @param targets the targeted nodes, each with the reason it cannot be hunted, if any
   * @param pods this generation's probe pods, by node
   * @param reports the nodes that have their report already
   * @param entries what the probes reported (their reports' status), by node
   * @param now the time of this look
   * @param deadline {@code status.startedAt + timeoutSeconds}
   */
  public record Observed(List<HuntedNode> targets, Map<String, Pod> pods, java.util.Set<String> reports,
      Map<String, NodeStatus> entries, Instant now, Instant deadline) {}

  /** The nodes whose probe starts now: huntable, without a pod or a report yet, while there is time. */
  public static List<String> probesToStart(Observed o) {
    if (!o.now().isBefore(o.deadline())) {
      return List.of();
    }
    return o.targets().stream().filter(t -> t.problem() == null)
        .filter(t -> !o.pods().containsKey(t.node()) && !o.entries().containsKey(t.node())).map(HuntedNode::node).toList();
  }

  /**
   * Each target's outcome for the aggregate: unhuntable nodes with their reason, the pods as they
   * are (or just made), and the pods the API server refused with its words.
   */
  public static List<NodeOutcome> outcomes(Observed o, Map<String, Pod> started, Map<String, String> refused) {
    List<NodeOutcome> outcomes = new ArrayList<>();
    for (HuntedNode t : o.targets()) {
      Pod pod = o.pods().containsKey(t.node()) ? o.pods().get(t.node()) : started.get(t.node());
      if (t.problem() != null) {
        outcomes.add(NodeOutcome.unreachable(t.node(), t.problem()));
      } else if (refused.containsKey(t.node())) {
        outcomes.add(NodeOutcome.pod(t.node(), "Failed", "refused by the API server: " + refused.get(t.node())));
      } else if (pod == null) {
        outcomes.add(NodeOutcome.pod(t.node(), null, null));
      } else {
        outcomes.add(NodeOutcome.pod(t.node(), ProbePodProblem.phase(pod), ProbePodProblem.describe(pod)));
      }
    }
    return outcomes;
  }

  /** When to look again at a hunt still running: at its deadline (and every second after), at most 30 s on. */
  public static Duration nextLook(Instant now, Instant deadline) {
    Duration wait = Duration.between(now, deadline);
    wait = wait.isNegative() ? Duration.ofSeconds(1) : wait.plusSeconds(1);
    return wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT;
  }
}
