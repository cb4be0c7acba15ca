package io.ghosthunt.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.HuntTimeline;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.api.status.ProbeTimeline;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A round's timeline: milliseconds, the first time on record stays, the reports' latest. */
class RoundTimelineTest {

  static final String START = "2026-11-25T12:00:00.123456789Z";
  static final Instant T = Instant.parse(START);

  static GhostHuntReport report(Instant processStarted, Instant written) {
    GhostHuntReport r = new GhostHuntReport();
    GhostHuntReportStatus s =
        GhostHuntReportStatus.of(new NodeStatus("node-a", NodePhase.Done), written.toString());
    s.setTimeline(new ProbeTimeline(processStarted, processStarted.plusMillis(500), written));
    r.setStatus(s);
    return r;
  }

  @Test
  void aRoundIsSeenWhenItsClockWasWrittenToTheMillisecond() {
    assertEquals("2026-11-25T12:00:00.123Z", RoundTimeline.starting(START).getSeenAt());
  }

  @Test
  void theReportsLatestProcessStartAndWriteAreTakenAndAnUnwrittenOrGarbledOneIsLeftOut() {
    GhostHuntReport garbled = report(T, T.plusSeconds(9));
    garbled.getStatus().setFinishedAt("yesterday");
    garbled.getStatus().getTimeline().setProcessStartedAt("soon");
    RoundTimeline.ReportTimes times =
        RoundTimeline.ReportTimes.of(
            List.of(
                report(T.plusMillis(1500), T.plusMillis(2500)),
                report(T.plusMillis(1200), T.plusMillis(2900)),
                new GhostHuntReport(),
                garbled));
    assertEquals(Instant.parse("2026-11-25T12:00:01.623Z"), times.lastProcessStartedAt());
    assertEquals(T.plusMillis(2900), times.lastReportAt(), "finishedAt as the probe wrote it");
  }

  @Test
  void aTimeOnRecordForTheRoundNeverMovesAndTheLatestOnlyMovesOn() {
    HuntTimeline first =
        RoundTimeline.of(
            RoundTimeline.starting(START),
            START,
            T.plusMillis(700),
            new RoundTimeline.ReportTimes(T.plusMillis(1500), T.plusMillis(2900)),
            null);
    assertEquals("2026-11-25T12:00:00.823Z", first.getProbesCreatedAt());
    assertEquals("2026-11-25T12:00:01.623Z", first.getLastProcessStartedAt());
    assertEquals("2026-11-25T12:00:03.023Z", first.getLastReportAt());
    assertNull(first.getCompletedAt());

    // A later look: probes created again (a node joined), a report gone from the cache, complete.
    HuntTimeline later =
        RoundTimeline.of(
            first,
            START,
            T.plusSeconds(8),
            new RoundTimeline.ReportTimes(T.plusMillis(1400), null),
            T.plusSeconds(9));
    assertEquals(first.getSeenAt(), later.getSeenAt());
    assertEquals(first.getProbesCreatedAt(), later.getProbesCreatedAt());
    assertEquals(first.getLastProcessStartedAt(), later.getLastProcessStartedAt());
    assertEquals(first.getLastReportAt(), later.getLastReportAt());
    assertEquals("2026-11-25T12:00:09.123Z", later.getCompletedAt());

    HuntTimeline again =
        RoundTimeline.of(later, START, null, RoundTimeline.ReportTimes.NONE, T.plusSeconds(20));
    assertEquals(later, again, "complete once");
  }

  @Test
  void anotherRoundsTimelineIsNotCarriedOver() {
    HuntTimeline old =
        RoundTimeline.of(null, START, T, RoundTimeline.ReportTimes.NONE, T.plusSeconds(5));
    String next = T.plusSeconds(60).toString();
    HuntTimeline fresh = RoundTimeline.of(old, next, null, RoundTimeline.ReportTimes.NONE, null);
    assertEquals(RoundTimeline.starting(next), fresh);
  }

  @Test
  void probesFoundAlreadyThereCountFromTheirCreationToTheSecond() {
    Pod a =
        new PodBuilder()
            .withNewMetadata()
            .withCreationTimestamp("2026-11-25T12:00:01Z")
            .endMetadata()
            .build();
    Pod b =
        new PodBuilder()
            .withNewMetadata()
            .withCreationTimestamp("2026-11-25T12:00:02Z")
            .endMetadata()
            .build();
    Pod unknown = new PodBuilder().withNewMetadata().endMetadata().build();
    assertEquals(
        Instant.parse("2026-11-25T12:00:02Z"), RoundTimeline.latestCreated(List.of(a, b, unknown)));
    assertNull(RoundTimeline.latestCreated(List.of()));
  }
}
