package io.ghosthunt.operator.status;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ReportBounds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Each target's entry: what its probe reported, or else what the operator saw of it, and when. */
final class NodeEntries {

  /**
   * How long past the deadline a probe still running is given: its kubelet stops it at the same
   * deadline (activeDeadlineSeconds, then SIGTERM and a 5 s grace period), and its last words come
   * with its Failed status.
   */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private NodeEntries() {}

  /**
   * Every target's entry, in target order.
   *
   * @param agentEntries what the probes reported, by target key (the node, or {@code pod/NAME})
   */
  static List<NodeStatus> of(
      HuntRound round,
      Instant now,
      List<NodeOutcome> targets,
      Map<String, NodeStatus> agentEntries) {
    List<NodeStatus> all = new ArrayList<>();
    for (NodeOutcome t : targets) {
      all.add(entry(round, now, t, agentEntries.get(t.key())));
    }
    return all;
  }

  static NodeStatus entry(HuntRound round, Instant now, NodeOutcome t, NodeStatus agent) {
    if (agent != null
        && (agent.getPhase() == NodePhase.Done || agent.getPhase() == NodePhase.Failed)) {
      // A report once written stands: the node going NotReady, its pod evicted or the node
      // deleted afterwards changes nothing of what it found, and at most adds a note.
      return t.reachable() ? agent : reportedThenLost(agent, t.reason());
    }
    if (!t.reachable()) {
      return seen(t, NodePhase.Unreachable, t.reason(), round.generation());
    }
    if ("Failed".equals(t.podPhase())) {
      return seen(t, NodePhase.Failed, "the probe pod failed: " + t.reason(), round.generation());
    }
    if (now.isBefore(round.deadline())) {
      // The agent exits only after its write was acknowledged; until the deadline a missing entry
      // is an event still on its way, not a lost probe.
      return entry(t, t.pendingPhase());
    }
    return pastDeadline(round, now, t);
  }

  /** A reachable target whose probe has not reported when the round's time is up. */
  private static NodeStatus pastDeadline(HuntRound round, Instant now, NodeOutcome t) {
    long seconds = round.timeout().toSeconds();
    if ("Succeeded".equals(t.podPhase())) {
      return seen(
          t, NodePhase.Failed, "the probe exited without writing its findings", round.generation());
    }
    if (!"Running".equals(t.podPhase())) {
      String why = t.reason() == null ? "" : ": " + t.reason();
      return seen(
          t,
          NodePhase.Unreachable,
          "the probe pod did not start within timeoutSeconds (" + seconds + " s)" + why,
          round.generation());
    }
    if (now.isBefore(round.deadline().plus(STOP_GRACE))) {
      return entry(t, NodePhase.Running);
    }
    return seen(
        t,
        NodePhase.Failed,
        "the probe did not finish within timeoutSeconds (" + seconds + " s)",
        round.generation());
  }

  /**
   * A reported entry whose node became unreachable afterwards: the same findings and phase (a copy:
   * the agent's entry may be an informer's), with a note of what happened since.
   */
  private static NodeStatus reportedThenLost(NodeStatus agent, String why) {
    NodeStatus s = new NodeStatus(agent.getNode(), agent.getPhase());
    s.setPod(agent.getPod());
    s.setGeneration(agent.getGeneration());
    s.setFindings(agent.getFindings());
    String note = "reported before its node became unreachable (" + why + ")";
    s.setMessage(
        ReportBounds.clip(
            agent.getMessage() == null ? note : agent.getMessage() + "; " + note,
            ReportBounds.MAX_MESSAGE));
    return s;
  }

  private static NodeStatus entry(NodeOutcome t, NodePhase phase) {
    NodeStatus s = new NodeStatus(t.node() == null ? NodeStatus.NO_NODE : t.node(), phase);
    s.setPod(t.pod());
    return s;
  }

  /** An entry the operator decided for a probe that did not report. */
  private static NodeStatus seen(NodeOutcome t, NodePhase phase, String message, long generation) {
    NodeStatus s = entry(t, phase);
    // A pod's refusal or failure is the API server's or the kubelet's text, of any length; the
    // hunt's CRD bounds the message as a report's.
    s.setMessage(ReportBounds.clip(message, ReportBounds.MAX_MESSAGE));
    s.setGeneration(generation);
    return s;
  }

  static long decidedCount(List<NodeStatus> entries) {
    return entries.stream().filter(n -> n.getPhase() == NodePhase.Done || notHunted(n)).count();
  }

  /**
   * Failed or Unreachable: the summary counts it as not hunted and a hunt without ghosts is then
   * Inconclusive, even when it reported findings before it failed.
   */
  static boolean notHunted(NodeStatus n) {
    return n.getPhase() == NodePhase.Failed || n.getPhase() == NodePhase.Unreachable;
  }

  static boolean haunted(NodeStatus n) {
    return n.getFindings() != null && n.getFindings().stream().anyMatch(Finding::isGhost);
  }

  static List<Finding> findings(List<NodeStatus> entries) {
    return entries.stream()
        .filter(n -> n.getFindings() != null)
        .flatMap(n -> n.getFindings().stream())
        .toList();
  }
}
