package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.operator.decision.Blocker;
import io.ghosthunt.operator.status.OpenReport;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one reconcile knows of a hunt's world, read from caches at one instant: what the
 * decisions are made from. Nothing in it is an informer's own object to change: decisions build new
 * objects.
 *
 * @param hunt the hunt, as the controller's cache holds it (with this operator's own last status
 *     write)
 * @param now the time of this look
 * @param nodes every node (node hunts pick theirs; pod hunts look up their pods' nodes)
 * @param targetPods in a pod hunt, the pods of its namespace its selector matches; else empty
 * @param probes this hunt's probe pods, of every generation and run
 * @param reports this hunt's reports, of every generation and run
 * @param agentIdentity whether the agent identity the hunt's probes run as exists (its Role)
 * @param unconfined why no probe may start (an admission policy that confines probes is missing)
 * @param openReports whether a completed round's results go into an OpenReports Report
 */
public record HuntPicture(
    GhostHunt hunt,
    Instant now,
    List<Node> nodes,
    List<Pod> targetPods,
    List<Pod> probes,
    List<GhostHuntReport> reports,
    boolean agentIdentity,
    Optional<Blocker> unconfined,
    OpenReport.Availability openReports) {

  /** A picture of an operator that writes no OpenReports. */
  public HuntPicture(
      GhostHunt hunt,
      Instant now,
      List<Node> nodes,
      List<Pod> targetPods,
      List<Pod> probes,
      List<GhostHuntReport> reports,
      boolean agentIdentity,
      Optional<Blocker> unconfined) {
    this(
        hunt,
        now,
        nodes,
        targetPods,
        probes,
        reports,
        agentIdentity,
        unconfined,
        OpenReport.Availability.OFF);
  }

  public HuntPicture {
    nodes = List.copyOf(nodes);
    targetPods = List.copyOf(targetPods);
    probes = List.copyOf(probes);
    reports = List.copyOf(reports);
  }
}
