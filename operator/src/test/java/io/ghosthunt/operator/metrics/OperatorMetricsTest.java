package io.ghosthunt.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.HuntVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.micrometer.core.instrument.Meter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  @Test
  void aFinishedHuntIsCountedOnceWithItsGhostsAndDurations() {
    OperatorMetrics m = new OperatorMetrics();
    Finding ghost = new Finding(CheckKey.MTU, "192.0.2.1", FindingVerdict.Ghost);
    ghost.setGhost(GhostName.MtuBlackhole);
    ghost.setDurationMs(800L);
    NodeStatus node = new NodeStatus("node-a", NodePhase.Done);
    node.addFinding(ghost);
    node.addFinding(new Finding(CheckKey.LOOPBACK, "localhost:80", FindingVerdict.Clear));
    GhostHuntStatus status = new GhostHuntStatus();
    status.setVerdict(HuntVerdict.Haunted);
    status.setStartedAt("2026-11-25T12:00:00Z");

    m.huntFinished("uid-1", "1/0", status, List.of(node), Instant.parse("2026-11-25T12:00:42Z"));
    m.huntFinished("uid-1", "1/0", status, List.of(node), Instant.parse("2026-11-25T12:00:50Z"));
    m.reconcileError();
    String text = m.render();

    assertTrue(text.contains("ghosthunt_hunts_total{verdict=\"Haunted\"} 1.0\n"), text);
    assertTrue(text.contains("ghosthunt_ghosts_found_total{ghost=\"MtuBlackhole\"} 1.0\n"), text);
    assertTrue(
        text.contains("ghosthunt_check_duration_seconds_bucket{check=\"mtu\",le=\"0.5\"} 0\n"),
        text);
    assertTrue(
        text.contains("ghosthunt_check_duration_seconds_bucket{check=\"mtu\",le=\"1.0\"} 1\n"),
        text);
    assertTrue(text.contains("ghosthunt_check_duration_seconds_count{check=\"mtu\"} 1\n"), text);
    assertTrue(text.contains("ghosthunt_hunt_duration_seconds_bucket{le=\"60.0\"} 1\n"), text);
    assertTrue(text.contains("ghosthunt_hunt_duration_seconds_sum 42.0\n"), text);
    assertTrue(text.contains("ghosthunt_reconcile_errors_total 1.0\n"), text);
    assertTrue(text.contains("# TYPE ghosthunt_hunts_total counter\n"), text);
    // The JVM's meters come with the registry.
    assertTrue(text.contains("jvm_memory_used_bytes{"), text);

    // A deleted hunt leaves no mark behind: the same UID would count again.
    m.forget("uid-1", "default/tuesday");
    m.huntFinished("uid-1", "1/0", status, List.of(node), Instant.parse("2026-11-25T12:00:42Z"));
    assertTrue(m.render().contains("ghosthunt_hunts_total{verdict=\"Haunted\"} 2.0\n"), m.render());
  }

  /** What a scheduled hunt's run that finds a ghost tells the metrics. */
  private static void run(OperatorMetrics m, String uid, String hunt, int run) {
    Finding ghost = new Finding(CheckKey.PORT_OWNER, "tcp/8443", FindingVerdict.Ghost);
    ghost.setGhost(GhostName.OrphanedPort);
    ghost.setDurationMs(40L);
    NodeStatus node = new NodeStatus("node-a", NodePhase.Done);
    node.addFinding(ghost);
    GhostHuntStatus status = new GhostHuntStatus();
    status.setVerdict(HuntVerdict.Haunted);
    status.setStartedAt("2026-11-25T12:00:00Z");
    m.huntFinished(uid, "1/" + run, status, List.of(node), Instant.parse("2026-11-25T12:00:42Z"));
    m.currentGhosts(hunt, List.of(node));
    m.ghostAppeared(hunt, ghost.getGhost());
  }

  /** The operator's own meters: the JVM's may come and go with what the collector did. */
  private static List<String> ours(OperatorMetrics m) {
    return m.registry().getMeters().stream()
        .map(Meter::getId)
        .filter(id -> id.getName().startsWith("ghosthunt."))
        .map(id -> id.getName() + id.getTags())
        .sorted()
        .toList();
  }

  @Test
  void aHuntThatRan10000TimesHoldsAsMuchAsOneThatRanOnce() {
    OperatorMetrics once = new OperatorMetrics();
    run(once, "uid-1", "hunts/nightly", 1);
    OperatorMetrics often = new OperatorMetrics();
    for (int r = 1; r <= 10_000; r++) {
      run(often, "uid-1", "hunts/nightly", r);
    }

    assertEquals(2, once.held());
    assertEquals(once.held(), often.held());
    assertEquals(ours(once), ours(often));
    // Each run was counted, once.
    run(often, "uid-1", "hunts/nightly", 10_000);
    assertTrue(
        often.render().contains("ghosthunt_hunts_total{verdict=\"Haunted\"} 10000.0\n"),
        often.render());
  }

  @Test
  void forgetLeavesNoMeterOfTheHunt() {
    OperatorMetrics m = new OperatorMetrics();
    run(m, "uid-1", "hunts/nightly", 1);
    run(m, "uid-1", "hunts/nightly", 2);
    run(m, "uid-2", "hunts/weekly", 1);

    m.forget("uid-1", "hunts/nightly");

    assertEquals(
        List.of(),
        m.registry().getMeters().stream()
            .filter(x -> "hunts/nightly".equals(x.getId().getTag("hunt")))
            .map(x -> x.getId().toString())
            .toList());
    // The other hunt keeps its own.
    assertEquals(
        1,
        m.registry()
            .find("ghosthunt.ghost.appearances")
            .tag("hunt", "hunts/weekly")
            .counters()
            .size());
    assertEquals(2, m.held());
  }
}
