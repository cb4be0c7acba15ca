package io.ghosthunt.operator.status;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostChange;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.RunChanges;
import io.ghosthunt.api.status.RunSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A scheduled hunt's memory across runs: each completed run's summary, and what changed since the
 * run before. Pure: what runs is compared is all in the arguments.
 */
public final class RunHistory {

  /** Ghosts a run's summary lists; beyond them only the count is kept (the status stays small). */
  static final int MAX_FOUND = 100;

  private RunHistory() {}

  /**
   * Every ghost of the run, from every entry (the reports' findings, not the hunt's capped list),
   * with its evidence.
   */
  static Map<String, GhostChange> ghosts(List<NodeStatus> entries) {
    Map<String, GhostChange> ghosts = new LinkedHashMap<>();
    for (NodeStatus n : entries) {
      for (Finding f : n.getFindings() == null ? List.<Finding>of() : n.getFindings()) {
        if (f.isGhost()) {
          GhostChange c = GhostChange.of(n, f);
          c.setSummary(f.getSummary());
          c.setEvidence(f.getEvidence());
          ghosts.putIfAbsent(c.identity(), c);
        }
      }
    }
    return ghosts;
  }

  /** The summary of a run that just completed. */
  public static RunSummary summary(
      int run,
      String scheduledAt,
      Instant finished,
      GhostHuntStatus status,
      List<NodeStatus> entries) {
    RunSummary s = new RunSummary();
    s.setRun(run);
    s.setScheduledAt(scheduledAt);
    s.setFinishedAt(finished.toString());
    s.setVerdict(status.getVerdict());
    s.setGhosts(status.getGhosts());
    List<GhostChange> found =
        ghosts(entries).values().stream().limit(MAX_FOUND).map(RunHistory::bare).toList();
    s.setFound(found.isEmpty() ? null : found);
    return s;
  }

  /**
   * What the run found that the previous one did not (with evidence), and what it no longer finds;
   * null for a first run.
   */
  public static RunChanges changes(int run, RunSummary previous, List<NodeStatus> entries) {
    if (previous == null) {
      return null;
    }
    Map<String, GhostChange> now = ghosts(entries);
    List<GhostChange> before = previous.getFound() == null ? List.of() : previous.getFound();
    Set<String> beforeIds = before.stream().map(GhostChange::identity).collect(Collectors.toSet());
    RunChanges c = new RunChanges();
    c.setRun(run);
    c.setSince(previous.getRun());
    List<GhostChange> appeared =
        now.values().stream()
            .filter(g -> !beforeIds.contains(g.identity()))
            .limit(MAX_FOUND)
            .toList();
    List<GhostChange> gone = before.stream().filter(g -> !now.containsKey(g.identity())).toList();
    c.setAppeared(appeared.isEmpty() ? null : appeared);
    c.setGone(gone.isEmpty() ? null : gone);
    return c;
  }

  /** The latest run first, then the ones before it, {@code limit} in all. */
  public static List<RunSummary> history(RunSummary latest, List<RunSummary> before, int limit) {
    List<RunSummary> runs = new ArrayList<>();
    runs.add(latest);
    if (before != null) {
      before.stream()
          .filter(r -> !r.getRun().equals(latest.getRun()))
          .limit(Math.max(0, limit - 1))
          .forEach(runs::add);
    }
    return runs;
  }

  private static GhostChange bare(GhostChange g) {
    GhostChange b = new GhostChange();
    b.setNode(g.getNode());
    b.setPod(g.getPod());
    b.setCheck(g.getCheck());
    b.setTarget(g.getTarget());
    b.setGhost(g.getGhost());
    return b;
  }
}
